import { type DealEventRecord, dealEventKinds, type RecordOutcome } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import type { DealEventInsert } from '../../repositories/deal.repository.ts';
import { createRepositories } from '../../repositories/index.ts';
import { type DealEventFact, foldDealEvents } from './deal-state.ts';
import {
  checkAmount,
  checkCurrency,
  checkDate,
  checkInstant,
  checkOptionalText,
  checkRef,
  checkText,
  firstRejection,
  loadAgreement,
  normalizeCurrency,
  partitionRecords,
  type Rejection,
} from './fact-checks.ts';
import { checkAccount, resolveAccounts } from './resolve-accounts.ts';
import { attachContacts } from './resolve-refs.ts';

/**
 * Stores what happened to deals (created, stage changed, amount changed, won, lost), each event
 * with its own time, and rebuilds the current state of every deal that received one from ALL of
 * its events, so history loaded out of order ends in the right state. Events of one deal share its
 * source id (`dealId`, e.g. `salesforce:006…`); the first event of an unknown deal creates it,
 * under the contact of its `created` event (else of its earliest event).
 */
export async function recordDealEvents(
  options: { workspaceId: string; records: DealEventRecord[] },
  deps: Pick<Deps, 'database' | 'clock'>,
): Promise<RecordOutcome> {
  const now = deps.clock();
  return deps.database.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    const { agreement } = await loadAgreement(repos, options.workspaceId);

    const checked = partitionRecords(options.records, (record) =>
      firstRejection(
        () => checkRef(record.ref),
        () => checkText('dealId', record.dealId, 200),
        () => checkKind(record),
        () => checkInstant('occurredAt', record.occurredAt, now),
        () => checkOptionalText('name', record.name, 500),
        () => checkOptionalText('stage', record.stage, 200),
        () => (record.amount === undefined ? undefined : checkAmount('amount', record.amount)),
        () =>
          record.currency === undefined
            ? undefined
            : checkCurrency('currency', normalizeCurrency(record.currency)),
        () => (record.closeDate === undefined ? undefined : checkDate('closeDate', record.closeDate)),
        () => checkOptionalText('reason', record.reason, 500),
        () => checkAccount('account', record.account),
        () => checkOptionalText('externalId', record.externalId, 500),
        () => checkText('source', record.source, 100),
      ),
    );
    const { resolved, rejected } = await attachContacts(repos, options.workspaceId, checked.accepted, now);
    const accountIds = await resolveAccounts(
      repos,
      options.workspaceId,
      resolved.map((item) => item.record.account),
      now,
    );

    // Source deal id → stored deal (id and the contact its state row lives under).
    const dealIds = [...new Set(resolved.map((item) => item.record.dealId.trim()))];
    const deals = await repos.deals.findByExternalIds(options.workspaceId, dealIds);
    const byOccurrence = [...resolved].sort(
      (a, b) =>
        Number(b.record.kind === 'created') - Number(a.record.kind === 'created') ||
        a.record.occurredAt.getTime() - b.record.occurredAt.getTime(),
    );
    for (const { record, contactId } of byOccurrence) {
      const dealId = record.dealId.trim();
      if (!deals.has(dealId)) deals.set(dealId, { id: createUuidV7(record.occurredAt), contactId });
    }

    const recordedAt = now.toISOString();
    const rows: DealEventInsert[] = resolved.map(({ record, contactId }, position) => ({
      contactId,
      dealId: (deals.get(record.dealId.trim()) as { id: string }).id,
      id: createUuidV7(record.occurredAt),
      kind: record.kind,
      name: record.name?.trim() || null,
      accountId: accountIds[position] ?? null,
      stage: record.stage?.trim() || null,
      amount: record.amount ?? null,
      currency:
        record.currency !== undefined
          ? normalizeCurrency(record.currency)
          : record.amount !== undefined
            ? agreement.currency
            : null,
      closeDate: record.closeDate ?? null,
      reason: record.reason?.trim() || null,
      occurredAt: record.occurredAt.toISOString(),
      recordedAt,
      source: record.source.trim(),
      externalId: record.externalId ?? null,
    }));
    const inserted = await repos.deals.insertEvents(options.workspaceId, rows);

    // Rebuild every deal that received an event, from all of its events.
    const changed = [...new Set(inserted.map((row) => row.dealId))];
    const events = await repos.deals.listEvents(options.workspaceId, changed);
    const sourceIdOf = new Map([...deals].map(([sourceId, deal]) => [deal.id, { sourceId, ...deal }]));
    const eventsOf = new Map<string, DealEventFact[]>();
    for (const event of events) {
      const list = eventsOf.get(event.dealId) ?? [];
      list.push(event);
      eventsOf.set(event.dealId, list);
    }
    await repos.deals.saveStates(
      options.workspaceId,
      changed.map((id) => {
        const deal = sourceIdOf.get(id) as { sourceId: string; contactId: string };
        const state = foldDealEvents(eventsOf.get(id) ?? [], agreement.timezone);
        return {
          contactId: deal.contactId,
          id,
          accountId: state.accountId,
          name: state.name ?? deal.sourceId,
          amount: state.amount,
          currency: state.currency,
          stage: state.stage,
          status: state.status,
          reason: state.reason,
          createdAt: state.createdAt.toISOString(),
          closeDate: state.closeDate,
          updatedAt: state.updatedAt.toISOString(),
          externalId: deal.sourceId,
        };
      }),
    );

    return {
      created: inserted.length,
      duplicates: resolved.length - inserted.length,
      rejected: [...checked.rejected, ...rejected].sort((a, b) => a.index - b.index),
    };
  });
}

function checkKind(record: DealEventRecord): Rejection | undefined {
  if (!(dealEventKinds as readonly string[]).includes(record.kind)) {
    return {
      code: 'INVALID_FIELD',
      message: `kind ${JSON.stringify(record.kind)} is not a deal event; expected one of ${dealEventKinds.join(', ')}.`,
    };
  }
  if (record.kind === 'stage-changed' && !record.stage?.trim()) {
    return { code: 'INVALID_FIELD', message: 'A stage-changed event needs stage.' };
  }
  if (record.kind === 'amount-changed' && record.amount === undefined) {
    return { code: 'INVALID_FIELD', message: 'An amount-changed event needs amount.' };
  }
  return undefined;
}
