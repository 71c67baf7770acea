import { and, asc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { dealEvents, deals } from '../db/schema.ts';
import { json, mergedMembers, notStoredForMembers, rows } from './contact-write.repository.ts';

/**
 * Deals: `deal_events` are the facts (append-only), `deals` the current state of each deal,
 * rebuilt from all of its events. Writes are set-based (one JSON parameter per statement).
 */
export type DealRow = typeof deals.$inferSelect;
export type DealEventRow = typeof dealEvents.$inferSelect;

/** What a deal event says about its deal; null where it says nothing. */
export type DealEventChange = {
  name: string | null;
  accountId: string | null;
  stage: string | null;
  amount: string | null;
  currency: string | null;
  closeDate: string | null;
  reason: string | null;
};

export type DealEventInsert = DealEventChange & {
  contactId: string;
  dealId: string;
  id: string;
  kind: string;
  occurredAt: string;
  recordedAt: string;
  source: string;
  externalId: string | null;
};

/** A deal's rebuilt state, written over the stored one. */
export type DealState = {
  contactId: string;
  id: string;
  accountId: string | null;
  name: string;
  amount: string | null;
  currency: string | null;
  stage: string;
  status: string;
  reason: string | null;
  createdAt: string;
  closeDate: string | null;
  updatedAt: string;
  externalId: string | null;
};

export function createDealRepository(db: Db) {
  /** The workspace's deal events that meet `condition`, in the order they happened. */
  const listEventsWhere = (workspaceId: string, condition: SQL): Promise<DealEventRow[]> =>
    db
      .select()
      .from(dealEvents)
      .where(and(eq(dealEvents.workspaceId, workspaceId), condition))
      .orderBy(asc(dealEvents.occurredAt), asc(dealEvents.recordedAt), asc(dealEvents.id));

  return {
    /** The deals of these source ids (`deals.external_id`): external id → deal id and its contact. */
    async findByExternalIds(
      workspaceId: string,
      externalIds: string[],
    ): Promise<Map<string, { id: string; contactId: string }>> {
      if (externalIds.length === 0) return new Map();
      const found = await rows<{ external_id: string; id: string; contact_id: string }>(
        db,
        sql`select distinct on (d.external_id) d.external_id, d.id, d.contact_id from deals d
            where d.workspace_id = ${workspaceId}::uuid
              and d.external_id in (select value from jsonb_array_elements_text(${json(externalIds)}::jsonb))
            order by d.external_id, d.created_at, d.id`,
      );
      return new Map(found.map((row) => [row.external_id, { id: row.id, contactId: row.contact_id }]));
    },

    /**
     * Stores deal events not stored before (same source and external id, for the contact or one
     * merged into it). Answers the deals that received a new event.
     */
    async insertEvents(workspaceId: string, events: DealEventInsert[]): Promise<{ dealId: string }[]> {
      if (events.length === 0) return [];
      return rows<{ dealId: string }>(
        db,
        sql`with x as (
              select * from jsonb_to_recordset(${json(events)}::jsonb) as x(
                "contactId" uuid, "dealId" uuid, id uuid, kind text, name text, "accountId" uuid, stage text,
                amount numeric, currency text, "closeDate" date, reason text, "occurredAt" timestamptz,
                "recordedAt" timestamptz, source text, "externalId" text)),
            ${mergedMembers(workspaceId)}
            insert into deal_events (workspace_id, contact_id, deal_id, id, kind, name, account_id, stage, amount,
                                     currency, close_date, reason, occurred_at, recorded_at, source, external_id)
            select ${workspaceId}::uuid, x."contactId", x."dealId", x.id, x.kind, x.name, x."accountId", x.stage,
                   x.amount, x.currency, x."closeDate", x.reason, x."occurredAt", x."recordedAt", x.source,
                   x."externalId"
            from x
            where ${notStoredForMembers(workspaceId, 'deal_events')}
            on conflict do nothing
            returning deal_id as "dealId"`,
      );
    },

    /** Every event of these deals, in the order they happened. */
    listEvents(workspaceId: string, dealIds: string[]): Promise<DealEventRow[]> {
      if (dealIds.length === 0) return Promise.resolve([]);
      // One JSON parameter, whatever the number of deals.
      return listEventsWhere(
        workspaceId,
        sql`${dealEvents.dealId} in (select value::uuid from jsonb_array_elements_text(${json(dealIds)}::jsonb))`,
      );
    },

    /** Writes the rebuilt state of deals, creating the ones not stored yet. */
    async saveStates(workspaceId: string, states: DealState[]): Promise<void> {
      if (states.length === 0) return;
      await db.execute(
        sql`insert into deals (workspace_id, contact_id, id, account_id, name, amount, currency, stage, status, reason,
                               created_at, close_date, updated_at, external_id)
            select ${workspaceId}::uuid, x."contactId", x.id, x."accountId", x.name, x.amount, x.currency, x.stage,
                   x.status, x.reason, x."createdAt", x."closeDate", x."updatedAt", x."externalId"
            from jsonb_to_recordset(${json(states)}::jsonb) as x(
              "contactId" uuid, id uuid, "accountId" uuid, name text, amount numeric, currency text, stage text,
              status text, reason text, "createdAt" timestamptz, "closeDate" date, "updatedAt" timestamptz,
              "externalId" text)
            on conflict on constraint deals_pk do update set
              account_id = excluded.account_id, name = excluded.name, amount = excluded.amount,
              currency = excluded.currency, stage = excluded.stage, status = excluded.status,
              reason = excluded.reason, created_at = excluded.created_at, close_date = excluded.close_date,
              updated_at = excluded.updated_at, external_id = excluded.external_id`,
      );
    },

    /** The deals of these contacts, and the deals they have events of; oldest first. */
    listForContacts(workspaceId: string, contactIds: string[]): Promise<DealRow[]> {
      if (contactIds.length === 0) return Promise.resolve([]);
      const withEvents = db
        .select({ dealId: dealEvents.dealId })
        .from(dealEvents)
        .where(and(eq(dealEvents.workspaceId, workspaceId), inArray(dealEvents.contactId, contactIds)));
      return db
        .select()
        .from(deals)
        .where(
          and(
            eq(deals.workspaceId, workspaceId),
            or(inArray(deals.contactId, contactIds), inArray(deals.id, withEvents)),
          ),
        )
        .orderBy(asc(deals.createdAt), asc(deals.id));
    },

    /** The deal events of these contacts, in the order they happened. */
    listEventsForContacts(workspaceId: string, contactIds: string[]): Promise<DealEventRow[]> {
      if (contactIds.length === 0) return Promise.resolve([]);
      return listEventsWhere(workspaceId, inArray(dealEvents.contactId, contactIds));
    },
  };
}
