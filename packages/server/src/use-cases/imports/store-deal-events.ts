import type { DealEventRecord, RecordOutcome } from '@smarketing/core';
import { createUuidV7 } from '../../ids.ts';
import type { DealEventInsert } from '../../repositories/deal.repository.ts';
import { type DealEventFact, dealStateOf } from '../facts/deal-state.ts';
import { checkOptionalText, checkRef, checkText, partitionRecords } from '../facts/fact-checks.ts';
import { checkDealEvent, dealEventRow } from '../facts/record-deal-events.ts';
import type { FactCall } from '../facts/record-facts.ts';
import { resolveAccounts } from '../facts/resolve-accounts.ts';
import { allCreatedInChunk, type ChunkIdentities, resolveChunkContacts } from './chunk-identities.ts';

/**
 * `recordDealEvents` for one chunk of an import, inside the caller's transaction (which holds the
 * workspace's ingestion lock), with the same checks, deals, states and counts: the contacts are
 * resolved against the chunk's identities (`known`), looked up once for all kinds of records, and
 * a deal the chunk creates gets its state from the events just stored instead of reading them
 * back. Records that name a `contactId` are not handled here (`undefined`): the caller passes the
 * chunk to `recordDealEvents`.
 */
export async function storeImportedDealEvents(
  records: DealEventRecord[],
  { repos, workspaceId, agreement, now }: FactCall,
  known: ChunkIdentities,
): Promise<RecordOutcome | undefined> {
  if (records.some((record) => record.ref?.contactId?.trim())) return undefined;
  const checked = partitionRecords(
    records,
    (record) =>
      // The first check that fails (`??`: no closures to allocate per record).
      checkRef(record.ref) ??
      checkDealEvent(record, now) ??
      checkOptionalText('externalId', record.externalId, 500) ??
      checkText('source', record.source, 100),
  );
  const accepted = checked.accepted.map((item) => item.record);
  const contactIds = await resolveChunkContacts(
    repos,
    workspaceId,
    known,
    accepted.map((record) => record.ref),
    now,
  );
  const accountIds = await resolveAccounts(
    repos,
    workspaceId,
    accepted.map((record) => record.account),
    now,
  );

  // Source deal id → stored deal (id and the contact its state row lives under); `fresh`: the
  // deals this chunk creates.
  const dealIds = [...new Set(accepted.map((record) => record.dealId.trim()))];
  const deals = await repos.deals.findByExternalIds(workspaceId, dealIds);
  const resolved = checked.accepted.map(({ index, record }, position) => ({
    index,
    record,
    contactId: contactIds[position] as string,
  }));
  // A new deal is created by its `created` event, else by its earliest one (the first of equals
  // in input order): the event `recordDealEvents` meets first in its sorted list, found in one pass.
  const firstEvents = new Map<string, (typeof resolved)[number]>();
  for (const item of resolved) {
    const dealId = item.record.dealId.trim();
    if (deals.has(dealId)) continue;
    const first = firstEvents.get(dealId);
    if (first === undefined || precedes(item.record, first.record)) firstEvents.set(dealId, item);
  }
  const fresh = new Set<string>();
  for (const [dealId, { record, contactId }] of firstEvents) {
    const id = createUuidV7(record.occurredAt);
    deals.set(dealId, { id, contactId });
    fresh.add(id);
  }

  const rows: DealEventInsert[] = resolved.map((item, position) =>
    dealEventRow(item, (deals.get(item.record.dealId.trim()) as { id: string }).id, accountIds[position], {
      currency: agreement.currency,
      now,
    }),
  );
  const inserted = allCreatedInChunk(known, contactIds)
    ? await repos.importStaging.copyNewDealEvents(workspaceId, rows)
    : await repos.deals.insertEvents(workspaceId, rows);

  // Rebuild every deal that received an event from all of its events. A deal this chunk created
  // has no events but the chunk's: when all of them were stored (none was a duplicate), they are
  // its events; the others are read back.
  const newEvents = new Map<string, number>();
  for (const { dealId } of inserted) newEvents.set(dealId, (newEvents.get(dealId) ?? 0) + 1);
  const eventsOf = new Map<string, DealEventFact[]>();
  rows.forEach((row, position) => {
    if (!fresh.has(row.dealId)) return;
    const list = eventsOf.get(row.dealId) ?? [];
    const { kind, occurredAt } = accepted[position] as DealEventRecord;
    list.push({
      id: row.id,
      kind,
      occurredAt,
      recordedAt: now,
      name: row.name,
      accountId: row.accountId,
      stage: row.stage,
      amount: row.amount,
      currency: row.currency,
      closeDate: row.closeDate,
      reason: row.reason,
    });
    eventsOf.set(row.dealId, list);
  });
  const changed = [...newEvents.keys()];
  const reread = changed.filter((id) => eventsOf.get(id)?.length !== newEvents.get(id));
  for (const id of reread) eventsOf.delete(id);
  for (const event of await repos.deals.listEvents(workspaceId, reread)) {
    const list = eventsOf.get(event.dealId) ?? [];
    list.push(event);
    eventsOf.set(event.dealId, list);
  }
  const sourceIdOf = new Map([...deals].map(([sourceId, deal]) => [deal.id, { sourceId, ...deal }]));
  const states = changed.map((id) =>
    dealStateOf(
      id,
      sourceIdOf.get(id) as { sourceId: string; contactId: string },
      eventsOf.get(id) ?? [],
      agreement.timezone,
    ),
  );
  // Deals this chunk created are not stored yet: COPYed instead of upserted.
  if (states.every((state) => fresh.has(state.id)))
    await repos.importStaging.copyNewDeals(workspaceId, states);
  else await repos.deals.saveStates(workspaceId, states);
  return {
    created: inserted.length,
    duplicates: accepted.length - inserted.length,
    rejected: checked.rejected,
  };
}

/** Whether `a` comes before `b` in `recordDealEvents`' order: `created` first, then by time. */
function precedes(a: DealEventRecord, b: DealEventRecord): boolean {
  const created = Number(a.kind === 'created') - Number(b.kind === 'created');
  return created !== 0 ? created > 0 : a.occurredAt.getTime() < b.occurredAt.getTime();
}
