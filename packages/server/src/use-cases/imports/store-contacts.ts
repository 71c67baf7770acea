import { type ContactRecord, companyDomainOf, type IdentityKind, planIdentities } from '@smarketing/core';
import { createUuidV7 } from '../../ids.ts';
import { identitiesOf } from '../../ingest/resolve-contacts.ts';
import { checkStageHistory, collectContactChanges, historyOf } from '../facts/contact-changes.ts';
import {
  checkInstant,
  checkOptionalText,
  checkRef,
  checkText,
  checkTraits,
  partitionRecords,
  type Rejected,
  stageIds,
} from '../facts/fact-checks.ts';
import type { FactCall } from '../facts/record-facts.ts';
import { checkAccount, resolveAccounts } from '../facts/resolve-accounts.ts';
import type { UpsertContactsOutcome } from '../facts/upsert-contacts.ts';
import { allCreatedInChunk, type ChunkIdentities, noteIdentityPlan } from './chunk-identities.ts';

/**
 * `upsertContacts` for one chunk of an import, inside the caller's transaction (which holds the
 * workspace's ingestion lock), with the same checks, identity resolution, accounts, traits, stage
 * history and counts, in fewer and larger statements: identities are looked up once for the
 * chunk (`known`, which this updates with the links and merges it stores), and a contact the
 * chunk creates is inserted once with its final traits, e-mail, account and creation time instead
 * of being inserted empty and then updated. Records that name a `contactId` are not handled here
 * (`undefined`): the caller passes the chunk to `upsertContacts`.
 */
export async function storeImportedContacts(
  records: ContactRecord[],
  { repos, workspaceId, agreement, version, now }: FactCall,
  known: ChunkIdentities,
): Promise<UpsertContactsOutcome | undefined> {
  if (records.some((record) => record.ref?.contactId?.trim())) return undefined;
  const iso = now.toISOString();
  const stages = stageIds(agreement);
  const checked = partitionRecords(
    records,
    (record) =>
      // The first check that fails (`??`: no closures to allocate per record).
      checkRef(record.ref) ??
      checkTraits('traits', record.traits) ??
      checkAccount('account', record.account) ??
      checkOptionalText('ownerRepId', record.ownerRepId, 200) ??
      (record.createdAt === undefined ? undefined : checkInstant('createdAt', record.createdAt, now)) ??
      checkStageHistory(record.stageHistory, stages, now) ??
      checkText('source', record.source, 100),
  );
  const accepted = checked.accepted.map((item) => item.record);

  // Identity resolution of the whole chunk: one plan against the chunk's identities.
  const items = accepted.map((record) => ({ identities: identitiesOf(record.ref) }));
  const existing = new Set(known.identities.values());
  const plan = planIdentities(items, known.identities, () => createUuidV7(now));
  const contactIds = plan.contactIds;
  const created = new Set(contactIds.filter((id) => !existing.has(id)));

  const accountIds = await resolveAccounts(
    repos,
    workspaceId,
    accepted.map((record) => record.account),
    now,
  );
  const emailDomains = accepted.map((record, position) => {
    const email = record.ref.email?.trim().toLowerCase();
    return email && accountIds[position] === null ? companyDomainOf(email) : undefined;
  });
  const domains = [...new Set(emailDomains.filter((domain) => domain !== undefined))];
  const accountOfDomain = await repos.ingest.ensureAccountsByDomain(
    workspaceId,
    domains,
    domains.map(() => createUuidV7(now)),
    iso,
  );

  // One change per contact, the chunk's records applied in order.
  const changes = new Map(
    collectContactChanges(
      accepted.map((record, position) => {
        const domain = emailDomains[position];
        return {
          record,
          contactId: contactIds[position] as string,
          accountId: accountIds[position] ?? undefined,
          domainAccountId: (domain && accountOfDomain.get(domain)) || undefined,
        };
      }),
      iso,
    ).map((change) => [change.id, change] as const),
  );

  // New contacts: inserted as they end up (the state `changeContacts` would give an empty one).
  const linkedEmail = new Map<string, string>();
  for (const link of plan.newLinks) {
    if (link.identity.kind === 'email' && !linkedEmail.has(link.contactId))
      linkedEmail.set(link.contactId, link.identity.value);
  }
  await repos.importStaging.insertContacts(
    workspaceId,
    plan.newContactIds.map((id) => {
      const change = changes.get(id);
      return {
        id,
        email: change?.email ?? linkedEmail.get(id) ?? null,
        traits: change?.traits ?? {},
        accountId: change?.accountId ?? change?.domainAccountId ?? null,
        createdAt: change?.createdAt && change.createdAt < iso ? change.createdAt : iso,
        at: iso,
      };
    }),
  );
  await repos.ingest.mergeContacts(workspaceId, plan.merges, iso);
  await repos.importStaging.copyNewIdentities(
    workspaceId,
    plan.newLinks.map((link) => ({
      kind: link.identity.kind as IdentityKind,
      value: link.identity.value,
      contactId: link.contactId,
    })),
    iso,
  );
  noteIdentityPlan(known, plan);
  const newContacts = new Set(plan.newContactIds);
  const changed = await repos.contactWrites.changeContacts(
    workspaceId,
    [...changes.values()].filter((change) => !newContacts.has(change.id)),
  );

  const transitions = accepted.flatMap((record, position) =>
    historyOf(record, contactIds[position] as string, { recordedAt: iso, agreementVersion: version }),
  );
  const withNewHistory = allCreatedInChunk(
    known,
    transitions.map((transition) => transition.contactId),
  )
    ? await repos.importStaging.copyNewTransitions(workspaceId, transitions)
    : await repos.contactWrites.insertTransitions(workspaceId, transitions);

  const updated = new Set([...changed, ...withNewHistory].filter((id) => !created.has(id))).size;
  const rejected: Rejected[] = checked.rejected;
  return {
    created: created.size,
    updated,
    duplicates: Math.max(0, accepted.length - created.size - updated),
    rejected,
  };
}
