import { describe, expect, test } from 'vitest';
import type { Agreement } from '../../agreement/agreement-schema.ts';
import { defaultAgreementYaml } from '../../agreement/default-agreement.ts';
import { parseAgreement } from '../../agreement/parse-agreement.ts';
import {
  computeRecentBound,
  countActivity,
  dayMs,
  emptyInterestState,
  type InterestState,
  recordInterestActivity,
  recordInterestActivityInPlace,
} from './interest-state.ts';

function parse(yaml: string): Agreement {
  const parsed = parseAgreement(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.agreement;
}

const agreement = parse(defaultAgreementYaml);
const t0 = Date.UTC(2027, 0, 4, 9, 0);
const day = (n: number) => t0 + n * dayMs;

function record(events: readonly (readonly [string, number])[], on: Agreement = agreement): InterestState {
  return events.reduce((state, [id, at]) => recordInterestActivity(state, on, id, at), emptyInterestState());
}

const events: [string, number][] = [
  ['demo-requested', day(0)],
  ['pricing-viewed', day(1)],
  ['pricing-viewed', day(3.5)],
  ['page-viewed', day(2)],
  ['unsubscribed', day(10)],
  ['webinar-attended', day(40)],
  ['pricing-viewed', day(41)],
];

describe('recordInterestActivity', () => {
  test('anchors the first activity at its own instant, undecayed', () => {
    expect(record([['demo-requested', t0]])).toEqual({
      anchorAt: t0,
      activities: { 'demo-requested': { sum: 50, count: 1, firstAt: t0, lastAt: t0 } },
      recent: { 'demo-requested': [t0] },
    });
  });

  test('moves the anchor to the latest activity and decays the earlier sums to it', () => {
    const state = record([
      ['demo-requested', day(0)],
      ['pricing-viewed', day(30)],
    ]);
    expect(state.anchorAt).toBe(day(30));
    expect(state.activities['demo-requested']?.sum).toBeCloseTo(25, 10);
    expect(state.activities['pricing-viewed']?.sum).toBe(10);
  });

  test('values an earlier activity at the anchor: points × 0.5^(age / half-life)', () => {
    const state = record([
      ['pricing-viewed', day(60)],
      ['demo-requested', day(0)],
    ]);
    expect(state.anchorAt).toBe(day(60));
    expect(state.activities['demo-requested']?.sum).toBeCloseTo(12.5, 10);
  });

  test.each([
    ['reversed', [...events].reverse()],
    ['shuffled', [events[4], events[0], events[6], events[2], events[5], events[1], events[3]]],
  ])('out-of-order events (%s) give the same state as in-order ones', (_name, order) => {
    const inOrder = record(events);
    const outOfOrder = record(order as [string, number][]);
    expect(outOfOrder.anchorAt).toBe(inOrder.anchorAt);
    expect(outOfOrder.recent).toEqual(inOrder.recent);
    for (const [id, tally] of Object.entries(inOrder.activities)) {
      const other = outOfOrder.activities[id];
      expect(other).toMatchObject({ count: tally.count, firstAt: tally.firstAt, lastAt: tally.lastAt });
      expect(other?.sum).toBeCloseTo(tally.sum, 9);
    }
    expect(Object.keys(outOfOrder.activities).sort()).toEqual(Object.keys(inOrder.activities).sort());
  });

  test('keeps only the latest timestamps the agreement needs, sorted, whatever the arrival order', () => {
    const times = Array.from({ length: 20 }, (_, i) => day(i));
    const shuffled = times.map((_, i) => times[(i * 7) % 20] as number);
    const state = record(shuffled.map((at) => ['page-viewed', at] as const));
    expect(state.recent['page-viewed']).toEqual(times.slice(5));
    expect(state.activities['page-viewed']).toMatchObject({ count: 20, firstAt: day(0), lastAt: day(19) });
    expect(
      record([
        ['demo-requested', day(1)],
        ['demo-requested', day(0)],
      ]).recent['demo-requested'],
    ).toEqual([day(1)]);
  });

  test('does not change the state it is given', () => {
    const before = record(events.slice(0, 3));
    const snapshot = JSON.stringify(before);
    const after = recordInterestActivity(before, agreement, 'pricing-viewed', day(50));
    expect(JSON.stringify(before)).toBe(snapshot);
    expect(after).not.toBe(before);
  });

  test('ignores activities the agreement does not define', () => {
    const state = record(events.slice(0, 2));
    expect(recordInterestActivity(state, agreement, 'no-such-activity', day(5))).toBe(state);
  });

  test('rejects a time that is not a number', () => {
    expect(() =>
      recordInterestActivity(emptyInterestState(), agreement, 'demo-requested', Number.NaN),
    ).toThrow();
  });
});

describe('recordInterestActivityInPlace', () => {
  // A long, unordered mix of every activity (and an unknown one), as the engine folds them.
  const mixed: [string, number][] = Array.from({ length: 400 }, (_, index) => {
    const ids = agreement.interest.activities.map((activity) => activity.id);
    const id = index % 37 === 0 ? 'no-such-activity' : (ids[(index * 7) % ids.length] as string);
    return [id, day((index * 13) % 97) + (index % 5) * 3_600_000];
  });

  test('gives bit for bit the state recordInterestActivity gives, key order included', () => {
    let pure = emptyInterestState();
    let inPlace = emptyInterestState();
    for (const [id, at] of mixed) {
      pure = recordInterestActivity(pure, agreement, id, at);
      inPlace = recordInterestActivityInPlace(inPlace, agreement, id, at);
      expect(JSON.stringify(inPlace)).toBe(JSON.stringify(pure));
    }
    expect(pure.activities['page-viewed']?.count).toBeGreaterThan(15);
  });

  test('updates the state it is given and returns it; an unknown activity changes nothing', () => {
    const state = record(events.slice(0, 3));
    const snapshot = JSON.stringify(state);
    expect(recordInterestActivityInPlace(state, agreement, 'no-such-activity', day(5))).toBe(state);
    expect(JSON.stringify(state)).toBe(snapshot);
    expect(recordInterestActivityInPlace(state, agreement, 'pricing-viewed', day(50))).toBe(state);
    expect(state.anchorAt).toBe(day(50));
    expect(state.activities['pricing-viewed']?.count).toBe(3);
    expect(() => recordInterestActivityInPlace(state, agreement, 'pricing-viewed', Number.NaN)).toThrow();
  });

  test('the pure version no longer shares tallies or timestamp lists with the state it was given', () => {
    const before = record(events.slice(0, 3));
    const after = recordInterestActivity(before, agreement, 'page-viewed', day(60));
    const snapshot = JSON.stringify(before);
    recordInterestActivityInPlace(after, agreement, 'pricing-viewed', day(70));
    expect(JSON.stringify(before)).toBe(snapshot);
  });
});

describe('computeRecentBound', () => {
  const withCondition = parse(
    defaultAgreementYaml.replace(
      '        - { activity: webinar-registered }\n',
      '        - { activity: webinar-registered }\n        - { activity: webinar-attended, atLeast: 3, withinDays: 60 }\n',
    ),
  );

  test.each([
    [agreement, 'page-viewed', 15],
    [agreement, 'demo-requested', 1],
    [agreement, 'webinar-attended', 1],
    [withCondition, 'webinar-attended', 3],
    [withCondition, 'page-viewed', 15],
  ])('%#: %s keeps %d', (on, id, bound) => {
    expect(computeRecentBound(on, id)).toBe(bound);
  });
});

describe('countActivity', () => {
  const state = record([
    ['page-viewed', day(0)],
    ['page-viewed', day(10)],
    ['page-viewed', day(20)],
  ]);

  test.each([
    [day(20), undefined, 3],
    [day(20), 30, 3],
    [day(20), 20, 3],
    [day(20), 19.9, 2],
    [day(30), 10, 1],
    [day(30.5), 10, 0],
    [day(5), 1, 1],
  ])('at %d within %s days → %d', (at, withinDays, expected) => {
    expect(countActivity(state, 'page-viewed', at, withinDays)).toBe(expected);
  });

  test('is 0 for an activity never done', () => {
    expect(countActivity(state, 'demo-requested', day(20), 30)).toBe(0);
    expect(countActivity(state, 'demo-requested', day(20))).toBe(0);
  });
});
