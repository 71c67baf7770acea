import type { IdentityKind } from '@smarketing/core';
import type { Db } from '../db/client.ts';
import { copyRows } from '../db/copy-rows.ts';
import type { JsonObject } from '../db/schema.ts';
import type { TouchInsert, TransitionInsert } from './contact-write.repository.ts';
import type { DealEventInsert, DealState } from './deal.repository.ts';

/**
 * The statements only CSV imports need: an import writes large chunks of records at once, each
 * list with one `COPY` (see `copyRows`). The `copyNew…` methods store the facts of contacts that
 * hold none yet — created in the import's transaction, nothing merged into them — so no stored
 * row can conflict: they keep, as the idempotent inserts' ON CONFLICT DO NOTHING would, the first
 * row of each key, without probing the stored facts or the merged contacts.
 */
export type ImportedContactInsert = {
  id: string;
  email: string | null;
  traits: JsonObject;
  accountId: string | null;
  createdAt: string;
  /** When it was stored (`updated_at`). */
  at: string;
};

export function createImportStagingRepository(db: Db) {
  return {
    /** Inserts new contacts as they are, account and creation time included. */
    async insertContacts(workspaceId: string, contacts: ImportedContactInsert[]): Promise<void> {
      await copyRows(
        db,
        'contacts',
        ['workspace_id', 'id', 'email', 'traits', 'account_id', 'created_at', 'updated_at'],
        contacts.map((c) => [
          workspaceId,
          c.id,
          c.email,
          JSON.stringify(c.traits),
          c.accountId,
          c.createdAt,
          c.at,
        ]),
      );
    },

    /**
     * `ingest.insertIdentities` for identities the chunk looked up and did not find (its
     * transaction holds the workspace's ingestion lock, so none was stored since).
     */
    async copyNewIdentities(
      workspaceId: string,
      links: { kind: IdentityKind; value: string; contactId: string }[],
      at: string,
    ): Promise<void> {
      await copyRows(
        db,
        'contact_identities',
        ['workspace_id', 'kind', 'value', 'contact_id', 'created_at'],
        firstOfEachKey(links, (link) => `${link.kind}\u0000${link.value}`).map((link) => [
          workspaceId,
          link.kind,
          link.value,
          link.contactId,
          at,
        ]),
      );
    },

    /** `contactWrites.insertTransitions` for contacts that hold no stored transition. */
    async copyNewTransitions(workspaceId: string, transitions: TransitionInsert[]): Promise<string[]> {
      const kept = firstOfEachKey(transitions, (t) => `${t.contactId}\u0000${t.externalId}`);
      await copyRows(
        db,
        'stage_transitions',
        [
          'workspace_id',
          'contact_id',
          'id',
          'from_stage',
          'to_stage',
          'occurred_at',
          'recorded_at',
          'cause',
          'actor',
          'agreement_version',
          'external_id',
        ],
        kept.map((t) => [
          workspaceId,
          t.contactId,
          t.id,
          t.fromStage,
          t.toStage,
          t.occurredAt,
          t.recordedAt,
          'import',
          t.actor,
          t.agreementVersion,
          t.externalId,
        ]),
      );
      return kept.map((t) => t.contactId);
    },

    /** `contactWrites.insertTouches` for contacts that hold no stored touch. */
    async copyNewTouches(workspaceId: string, touches: TouchInsert[]): Promise<number> {
      const kept = firstOfEachKey(touches, externalKey);
      await copyRows(
        db,
        'touches',
        [
          'workspace_id',
          'contact_id',
          'id',
          'rep_id',
          'kind',
          'outcome',
          'occurred_at',
          'recorded_at',
          'source',
          'external_id',
        ],
        kept.map((t) => [
          workspaceId,
          t.contactId,
          t.id,
          t.repId,
          t.kind,
          t.outcome,
          t.occurredAt,
          t.recordedAt,
          t.source,
          t.externalId,
        ]),
      );
      return kept.length;
    },

    /** `deals.insertEvents` for contacts that hold no stored deal event. */
    async copyNewDealEvents(workspaceId: string, events: DealEventInsert[]): Promise<{ dealId: string }[]> {
      const kept = firstOfEachKey(events, externalKey);
      await copyRows(
        db,
        'deal_events',
        [
          'workspace_id',
          'contact_id',
          'deal_id',
          'id',
          'kind',
          'name',
          'account_id',
          'stage',
          'amount',
          'currency',
          'close_date',
          'reason',
          'occurred_at',
          'recorded_at',
          'source',
          'external_id',
        ],
        kept.map((e) => [
          workspaceId,
          e.contactId,
          e.dealId,
          e.id,
          e.kind,
          e.name,
          e.accountId,
          e.stage,
          e.amount,
          e.currency,
          e.closeDate,
          e.reason,
          e.occurredAt,
          e.recordedAt,
          e.source,
          e.externalId,
        ]),
      );
      return kept.map((e) => ({ dealId: e.dealId }));
    },

    /** `deals.saveStates` for deals not stored yet (created in the import's transaction). */
    async copyNewDeals(workspaceId: string, states: DealState[]): Promise<void> {
      await copyRows(
        db,
        'deals',
        [
          'workspace_id',
          'contact_id',
          'id',
          'account_id',
          'name',
          'amount',
          'currency',
          'stage',
          'status',
          'reason',
          'created_at',
          'close_date',
          'updated_at',
          'external_id',
        ],
        states.map((d) => [
          workspaceId,
          d.contactId,
          d.id,
          d.accountId,
          d.name,
          d.amount,
          d.currency,
          d.stage,
          d.status,
          d.reason,
          d.createdAt,
          d.closeDate,
          d.updatedAt,
          d.externalId,
        ]),
      );
    },
  };
}

/**
 * The key of a fact's unique constraint (contact, source, external id), NUL-separated (no stored
 * text holds one); none without an external id.
 */
const externalKey = (fact: { contactId: string; source: string; externalId: string | null }) =>
  fact.externalId === null ? undefined : `${fact.contactId}\u0000${fact.source}\u0000${fact.externalId}`;

/**
 * The rows an INSERT … ON CONFLICT DO NOTHING of `rows`, in order, keeps in a table holding none
 * of their keys: the first row of each key, and every row without one.
 */
function firstOfEachKey<T>(rows: T[], keyOf: (row: T) => string | undefined): T[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = keyOf(row);
    if (key === undefined) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
