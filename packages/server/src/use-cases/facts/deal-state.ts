import type { DealEventKind } from '@smarketing/core';
import type { DealEventChange, DealState } from '../../repositories/deal.repository.ts';

/** What a deal's current state is rebuilt from: one stored deal event. */
export type DealEventFact = DealEventChange & {
  id: string;
  kind: DealEventKind;
  occurredAt: Date;
  recordedAt: Date;
};

type DealStatus = 'open' | 'won' | 'lost';

export type DealStateFields = {
  name: string | null;
  accountId: string | null;
  stage: string;
  status: DealStatus;
  amount: string | null;
  currency: string | null;
  reason: string | null;
  closeDate: string | null;
  createdAt: Date;
  updatedAt: Date;
};

/** Within one instant, a deal is created before it changes, and changes before it closes. */
const kindRank: Record<DealEventKind, number> = {
  created: 0,
  'stage-changed': 1,
  'amount-changed': 1,
  won: 2,
  lost: 2,
};

/**
 * A deal's current state from all of its events, whatever order they were loaded in: replayed in
 * the order they happened. Each field is the last value an event gave it; won and lost close the
 * deal (close date: the event's, else the day it happened in the agreement's time zone; stage:
 * the event's, else closed-won / closed-lost); a later stage change reopens it. Pure.
 */
export function foldDealEvents(events: readonly DealEventFact[], timezone: string): DealStateFields {
  const ordered = [...events].sort(
    (a, b) =>
      a.occurredAt.getTime() - b.occurredAt.getTime() ||
      kindRank[a.kind] - kindRank[b.kind] ||
      a.recordedAt.getTime() - b.recordedAt.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const first = ordered[0];
  const last = ordered.at(-1);
  if (!first || !last) throw new Error('A deal has at least one event.');

  const state: DealStateFields = {
    name: null,
    accountId: null,
    stage: 'open',
    status: 'open',
    amount: null,
    currency: null,
    reason: null,
    closeDate: null,
    createdAt: (ordered.find((event) => event.kind === 'created') ?? first).occurredAt,
    updatedAt: last.occurredAt,
  };
  let stage: string | null = null;
  for (const event of ordered) {
    state.name = event.name ?? state.name;
    state.accountId = event.accountId ?? state.accountId;
    state.amount = event.amount ?? state.amount;
    state.currency = event.currency ?? state.currency;
    state.closeDate = event.closeDate ?? state.closeDate;
    if (event.kind === 'won' || event.kind === 'lost') {
      state.status = event.kind;
      state.reason = event.reason;
      state.closeDate = event.closeDate ?? localDate(event.occurredAt, timezone);
      stage = event.stage ?? (event.kind === 'won' ? 'closed-won' : 'closed-lost');
      continue;
    }
    if (event.kind === 'stage-changed' && state.status !== 'open') {
      state.status = 'open';
      state.reason = null;
    }
    stage = event.stage ?? stage;
  }
  state.stage = stage ?? 'open';
  return state;
}

/** The calendar date of an instant in a time zone, `YYYY-MM-DD`. */
export function localDate(instant: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((item) => item.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * The row stored for deal `id` (named `sourceId` by its source, on `contactId`'s record) once its
 * events are folded: what the facts API and the import store alike.
 */
export function dealStateOf(
  id: string,
  deal: { sourceId: string; contactId: string },
  events: readonly DealEventFact[],
  timezone: string,
): DealState {
  const state = foldDealEvents(events, timezone);
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
}
