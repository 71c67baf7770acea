import { type ContactRecord, companyDomainOf, type RecordOutcome } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { checkStageHistory, collectContactChanges, historyOf } from './contact-changes.ts';
import {
  checkInstant,
  checkOptionalText,
  checkText,
  checkTraits,
  firstRejection,
  stageIds,
} from './fact-checks.ts';
import { type FactCall, type ResolvedFact, recordFacts } from './record-facts.ts';
import { checkAccount, resolveAccounts } from './resolve-accounts.ts';

export type UpsertContactsOutcome = RecordOutcome & {
  /** Existing contacts whose traits, e-mail or account changed, or that got new stage history. */
  updated: number;
};

/**
 * Creates or updates contacts from a source (the API, a CRM export): identities link (and merge
 * contacts a record shows to be one person), traits merge (incoming values win, null clears), the
 * e-mail is replaced, the account is found or created (CRM id, else domain, else name; without one,
 * the e-mail's company domain when the contact has no account yet), the owning rep is kept as the
 * trait `ownerRepId`, and stage history becomes imported transitions, idempotent per contact and
 * stage. Counts: `created` new contacts, `updated` existing ones that changed, `duplicates` the
 * records that changed nothing (including repeats of a contact within the call).
 */
export function upsertContacts(
  options: { workspaceId: string; records: ContactRecord[] },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<UpsertContactsOutcome> {
  return recordFacts(options, deps, {
    check({ agreement, now }) {
      const stages = stageIds(agreement);
      return (record) =>
        firstRejection(
          () => checkTraits('traits', record.traits),
          () => checkAccount('account', record.account),
          () => checkOptionalText('ownerRepId', record.ownerRepId, 200),
          () =>
            record.createdAt === undefined ? undefined : checkInstant('createdAt', record.createdAt, now),
          () => checkStageHistory(record.stageHistory, stages, now),
          () => checkText('source', record.source, 100),
        );
    },
    store: storeContacts,
  });
}

/** Applies the records to their contacts; counts the existing contacts that changed and the records that changed nothing. */
async function storeContacts(
  resolved: ResolvedFact<ContactRecord>[],
  { repos, workspaceId, version, now }: FactCall,
  created: Set<string>,
): Promise<Omit<UpsertContactsOutcome, 'rejected'>> {
  const iso = now.toISOString();
  const accountIds = await resolveAccounts(
    repos,
    workspaceId,
    resolved.map((item) => item.record.account),
    now,
  );
  const emailDomains = resolved.map((item, position) => {
    const email = item.record.ref.email?.trim().toLowerCase();
    return email && accountIds[position] === null ? companyDomainOf(email) : undefined;
  });
  const domains = [...new Set(emailDomains.filter((domain) => domain !== undefined))];
  const accountOfDomain = await repos.ingest.ensureAccountsByDomain(
    workspaceId,
    domains,
    domains.map(() => createUuidV7(now)),
    iso,
  );

  // One change per contact, the call's records applied in order.
  const changes = collectContactChanges(
    resolved.map(({ record, contactId }, position) => {
      const domain = emailDomains[position];
      return {
        record,
        contactId,
        accountId: accountIds[position] ?? undefined,
        domainAccountId: (domain && accountOfDomain.get(domain)) || undefined,
      };
    }),
    iso,
  );
  const changed = await repos.contactWrites.changeContacts(workspaceId, changes);

  const transitions = resolved.flatMap(({ record, contactId }) =>
    historyOf(record, contactId, { recordedAt: iso, agreementVersion: version }),
  );
  const withNewHistory = await repos.contactWrites.insertTransitions(workspaceId, transitions);

  const updated = new Set([...changed, ...withNewHistory].filter((id) => !created.has(id))).size;
  return {
    created: created.size,
    updated,
    duplicates: Math.max(0, resolved.length - created.size - updated),
  };
}
