import { describe, expect, test } from 'vitest';
import { type DealEventFact, foldDealEvents, localDate } from './deal-state.ts';

const at = (iso: string) => new Date(iso);
let ids = 0;
const fact = (overrides: Partial<DealEventFact>): DealEventFact => {
  ids += 1;
  return {
    id: `0000000${ids}`,
    kind: 'created',
    name: null,
    accountId: null,
    stage: null,
    amount: null,
    currency: null,
    closeDate: null,
    reason: null,
    occurredAt: at('2027-01-01T00:00:00Z'),
    recordedAt: at('2027-03-01T00:00:00Z'),
    ...overrides,
  };
};

describe('foldDealEvents', () => {
  test('replays events in the order they happened, whatever order they come in', () => {
    const events = [
      fact({ kind: 'won', occurredAt: at('2027-02-01T00:00:00Z') }),
      fact({
        kind: 'amount-changed',
        amount: '200.00',
        currency: 'USD',
        occurredAt: at('2027-01-15T00:00:00Z'),
      }),
      fact({ name: 'Deal', stage: 'new', amount: '100.00', currency: 'USD', closeDate: '2027-06-30' }),
    ];
    expect(foldDealEvents(events, 'UTC')).toEqual({
      name: 'Deal',
      accountId: null,
      stage: 'closed-won',
      status: 'won',
      amount: '200.00',
      currency: 'USD',
      reason: null,
      closeDate: '2027-02-01',
      createdAt: at('2027-01-01T00:00:00Z'),
      updatedAt: at('2027-02-01T00:00:00Z'),
    });
  });

  test('at one instant, creation comes before a change and a change before the close', () => {
    const instant = at('2027-01-05T10:00:00Z');
    const events = [
      fact({ kind: 'lost', reason: 'price', occurredAt: instant }),
      fact({ kind: 'stage-changed', stage: 'proposal', occurredAt: instant }),
      fact({ stage: 'new', occurredAt: instant }),
    ];
    expect(foldDealEvents(events, 'UTC')).toMatchObject({
      status: 'lost',
      stage: 'closed-lost',
      reason: 'price',
    });
  });

  test('a stage change after a close reopens the deal; an amount change does not', () => {
    const closed = [
      fact({ stage: 'new' }),
      fact({ kind: 'won', stage: 'Closed Won', occurredAt: at('2027-01-02T00:00:00Z') }),
    ];
    expect(
      foldDealEvents(
        [...closed, fact({ kind: 'amount-changed', amount: '5.00', occurredAt: at('2027-01-03T00:00:00Z') })],
        'UTC',
      ),
    ).toMatchObject({ status: 'won', stage: 'Closed Won', amount: '5.00' });
    expect(
      foldDealEvents(
        [
          ...closed,
          fact({ kind: 'stage-changed', stage: 'proposal', occurredAt: at('2027-01-03T00:00:00Z') }),
        ],
        'UTC',
      ),
    ).toMatchObject({ status: 'open', stage: 'proposal', reason: null });
  });

  test('a deal first seen without a created event starts at its earliest event', () => {
    const events = [
      fact({ kind: 'stage-changed', stage: 'proposal', occurredAt: at('2027-01-09T00:00:00Z') }),
    ];
    expect(foldDealEvents(events, 'UTC')).toMatchObject({
      status: 'open',
      stage: 'proposal',
      name: null,
      createdAt: at('2027-01-09T00:00:00Z'),
    });
  });
});

describe('localDate', () => {
  test.each([
    ['2027-03-01T03:00:00Z', 'America/New_York', '2027-02-28'],
    ['2027-03-01T03:00:00Z', 'UTC', '2027-03-01'],
    ['2027-03-01T20:00:00Z', 'Asia/Tokyo', '2027-03-02'],
  ])('%s in %s is %s', (instant, timezone, expected) => {
    expect(localDate(new Date(instant), timezone)).toBe(expected);
  });
});
