import { describe, expect, test } from 'vitest';
import type { Agreement } from '../../agreement/agreement-schema.ts';
import { defaultAgreementYaml } from '../../agreement/default-agreement.ts';
import { parseAgreement } from '../../agreement/parse-agreement.ts';
import { evaluateInterest, interestScoreAt } from './evaluate-interest.ts';
import { dayMs, emptyInterestState, type InterestState, recordInterestActivity } from './interest-state.ts';

function parse(yaml: string): Agreement {
  const parsed = parseAgreement(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.agreement;
}

// Default agreement: half-life 30 days, total cap 100; pricing 10 (cap 30, website), page view 1
// (cap 10, website), website group cap 35, events group cap 50; 15 page views in 30 days: +15.
const agreement = parse(defaultAgreementYaml);
const t0 = Date.UTC(2027, 2, 1, 12, 0);
const day = (n: number) => t0 + n * dayMs;

function record(events: readonly (readonly [string, number])[], on: Agreement = agreement): InterestState {
  return events.reduce((state, [id, at]) => recordInterestActivity(state, on, id, at), emptyInterestState());
}

function times(id: string, count: number, at: (i: number) => number): [string, number][] {
  return Array.from({ length: count }, (_, i) => [id, at(i)]);
}

function pointsOf(result: ReturnType<typeof evaluateInterest>): Record<string, number> {
  return Object.fromEntries(result.contributions.map(({ id, points }) => [id, points]));
}

describe('evaluateInterest: decay', () => {
  const demo = record([['demo-requested', day(0)]]);

  test.each([
    [0, 50],
    [30, 25],
    [60, 12.5],
    [15, 35.4],
    [90, 6.3],
  ])('a 50-point demo request %d days later is worth %d', (days, score) => {
    expect(evaluateInterest(demo, agreement, day(days)).score).toBe(score);
  });

  test('keeps the exact score beside the rounded one', () => {
    expect(evaluateInterest(demo, agreement, day(15)).exactScore).toBeCloseTo(50 * 0.5 ** 0.5, 10);
  });

  test('gives the same score whether evaluated between recordings or only at the end', () => {
    const events: [string, number][] = [
      ['pricing-viewed', day(0)],
      ['webinar-attended', day(12)],
      ['pricing-viewed', day(20)],
      ['content-downloaded', day(33)],
    ];
    const later = record(events);
    const reversed = record([...events].reverse());
    for (const at of [day(33), day(45), day(100)]) {
      const expected =
        Math.min(
          30,
          10 * 0.5 ** ((at - day(0)) / (30 * dayMs)) + 10 * 0.5 ** ((at - day(20)) / (30 * dayMs)),
        ) +
        20 * 0.5 ** ((at - day(12)) / (30 * dayMs)) +
        8 * 0.5 ** ((at - day(33)) / (30 * dayMs));
      expect(evaluateInterest(later, agreement, at).exactScore).toBeCloseTo(expected, 9);
      expect(evaluateInterest(reversed, agreement, at).exactScore).toBeCloseTo(expected, 9);
    }
  });

  test('reads a moment before the latest activity as that activity’s moment', () => {
    const state = record([
      ['demo-requested', day(0)],
      ['form-submitted', day(30)],
    ]);
    expect(evaluateInterest(state, agreement, day(10)).score).toBe(
      evaluateInterest(state, agreement, day(30)).score,
    );
    expect(evaluateInterest(state, agreement, day(30)).score).toBe(30);
  });

  test('an empty state scores 0 with no contributions', () => {
    expect(evaluateInterest(emptyInterestState(), agreement, t0)).toEqual({
      score: 0,
      exactScore: 0,
      contributions: [],
    });
  });

  test('explains each activity with its count, decay and cap', () => {
    const state = record(times('pricing-viewed', 3, (i) => day(i * 10)));
    const result = evaluateInterest(state, agreement, day(30));
    expect(result.contributions).toEqual([
      {
        id: 'pricing-viewed',
        label: 'Viewed the pricing page',
        points: 19.2,
        detail: '3 × 10, latest 10 days ago; decayed from 30 to 19.2',
      },
    ]);
  });
});

describe('evaluateInterest: caps', () => {
  test('an activity cap limits the decayed points of one activity', () => {
    const state = record(times('pricing-viewed', 5, () => day(0)));
    const result = evaluateInterest(state, agreement, day(0));
    expect(result.score).toBe(30);
    expect(result.contributions[0]?.detail).toBe(
      '5 × 10, latest 0 days ago; decayed from 50 to 50; capped at 30',
    );
  });

  test('a capped activity stays at its cap until decay brings it below', () => {
    const state = record(times('pricing-viewed', 5, () => day(0)));
    expect(evaluateInterest(state, agreement, day(20)).score).toBe(30);
    expect(evaluateInterest(state, agreement, day(30)).score).toBe(25);
  });

  test('a group cap limits the activities of a group together', () => {
    const state = record([
      ...times('pricing-viewed', 3, () => day(0)),
      ...times('page-viewed', 10, () => day(0)),
    ]);
    const result = evaluateInterest(state, agreement, day(0));
    expect(result.score).toBe(35);
    expect(pointsOf(result)).toEqual({ 'pricing-viewed': 30, 'page-viewed': 10, 'group-cap:website': -5 });
    expect(result.contributions.find(({ id }) => id === 'group-cap:website')?.detail).toBe(
      'pricing-viewed 30 + page-viewed 10 = 40, capped at 35',
    );
  });

  test('the total cap limits the positive total', () => {
    const state = record([
      ['demo-requested', day(0)],
      ...times('webinar-attended', 2, () => day(0)),
      ...times('webinar-registered', 2, () => day(0)),
      ...times('content-downloaded', 3, () => day(0)),
    ]);
    const result = evaluateInterest(state, agreement, day(0));
    expect(result.score).toBe(100);
    expect(pointsOf(result)).toEqual({
      'demo-requested': 50,
      'webinar-attended': 40,
      'webinar-registered': 20,
      'content-downloaded': 24,
      'group-cap:events': -10,
      'total-cap': -24,
    });
    expect(result.contributions.map(({ id }) => id)).toEqual([
      'demo-requested',
      'webinar-attended',
      'content-downloaded',
      'total-cap',
      'webinar-registered',
      'group-cap:events',
    ]);
  });

  test('contributions add up to the score', () => {
    const state = record([
      ['demo-requested', day(0)],
      ...times('page-viewed', 16, (i) => day(i)),
      ...times('pricing-viewed', 4, (i) => day(2 * i)),
      ['unsubscribed', day(12)],
    ]);
    const result = evaluateInterest(state, agreement, day(16));
    const sum = result.contributions.reduce((total, { points }) => total + points, 0);
    expect(sum).toBeCloseTo(result.score, 0);
  });
});

describe('evaluateInterest: negative activities', () => {
  test('subtract after the caps, so a capped lead still loses interest', () => {
    const state = record([
      ['demo-requested', day(0)],
      ...times('webinar-attended', 2, () => day(0)),
      ...times('content-downloaded', 3, () => day(0)),
      ['unsubscribed', day(0)],
    ]);
    const result = evaluateInterest(state, agreement, day(0));
    expect(result.score).toBe(70);
    expect(pointsOf(result)).toMatchObject({ 'total-cap': -14, unsubscribed: -30 });
  });

  test('are not limited by caps', () => {
    const state = record([['demo-requested', day(0)], ...times('careers-viewed', 4, () => day(0))]);
    expect(evaluateInterest(state, agreement, day(0)).score).toBe(10);
  });

  test('decay like positive ones', () => {
    const state = record([
      ['demo-requested', day(0)],
      ['unsubscribed', day(0)],
    ]);
    expect(evaluateInterest(state, agreement, day(30)).score).toBe(10);
  });

  test('never take the score below the floor of 0', () => {
    const state = record([
      ['email-clicked', day(0)],
      ['unsubscribed', day(0)],
    ]);
    const result = evaluateInterest(state, agreement, day(0));
    expect(result.score).toBe(0);
    expect(pointsOf(result)).toEqual({ unsubscribed: -30, floor: 27, 'email-clicked': 3 });
  });
});

describe('evaluateInterest: frequency rules', () => {
  test.each([
    [14, 9.8, false],
    [15, 10 + 15, true],
  ])('%d page views in 30 days → %s', (views, score, fires) => {
    const state = record(times('page-viewed', views, (i) => day(i * 2)));
    const result = evaluateInterest(state, agreement, day(29));
    expect(result.score).toBe(score);
    expect(result.contributions.some(({ id }) => id === 'frequent-visitor')).toBe(fires);
  });

  test('holds while the window covers the events and stops when it slides past the oldest', () => {
    const state = record(times('page-viewed', 15, (i) => day(i)));
    // The oldest view (day 0) is exactly 30 days old at day 30: still inside.
    expect(pointsOf(evaluateInterest(state, agreement, day(30)))['frequent-visitor']).toBe(15);
    expect(pointsOf(evaluateInterest(state, agreement, day(30) + 1))['frequent-visitor']).toBeUndefined();
  });

  test('a 16th view keeps the rule holding after the first slides out', () => {
    const state = record(times('page-viewed', 16, (i) => day(i)));
    expect(pointsOf(evaluateInterest(state, agreement, day(30.5)))['frequent-visitor']).toBe(15);
    expect(pointsOf(evaluateInterest(state, agreement, day(31.5)))['frequent-visitor']).toBeUndefined();
  });

  test('its points do not decay while the activity’s points do', () => {
    const state = record(times('page-viewed', 15, () => day(0)));
    const result = evaluateInterest(state, agreement, day(29));
    expect(pointsOf(result)).toEqual({ 'frequent-visitor': 15, 'page-viewed': 7.7 });
    expect(result.contributions[0]?.detail).toBe(
      '15 × page-viewed in the last 30 days (needs 15); not decayed',
    );
  });

  test('counts views however they arrived', () => {
    const ordered = times('page-viewed', 15, (i) => day(i));
    const state = record([...ordered.slice(8), ...ordered.slice(0, 8).reverse()]);
    expect(pointsOf(evaluateInterest(state, agreement, day(30)))['frequent-visitor']).toBe(15);
  });

  test('sits outside the website group cap but inside the total cap', () => {
    const state = record([
      ...times('pricing-viewed', 3, () => day(0)),
      ...times('page-viewed', 15, () => day(0)),
      ['demo-requested', day(0)],
      ['email-clicked', day(0)],
    ]);
    const result = evaluateInterest(state, agreement, day(0));
    expect(pointsOf(result)).toMatchObject({
      'group-cap:website': -5,
      'frequent-visitor': 15,
      'total-cap': -3,
    });
    expect(result.score).toBe(100);
  });
});

describe('interestScoreAt, the fast path', () => {
  test('equals evaluateInterest(…).score over many random histories and moments', () => {
    // A small deterministic generator (no Math.random in core tests).
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const ids = agreement.interest.activities.map((activity) => activity.id);
    for (let round = 0; round < 300; round++) {
      const events: [string, number][] = [];
      const count = Math.floor(next() * 40);
      for (let index = 0; index < count; index++) {
        events.push([ids[Math.floor(next() * ids.length)] as string, day(Math.floor(next() * 120))]);
      }
      const state = record(events);
      for (const at of [day(0), day(60), day(120), day(200)]) {
        expect(interestScoreAt(state, agreement, at)).toBe(evaluateInterest(state, agreement, at).score);
      }
    }
  });

  test('equals it for a state with activities the agreement no longer lists, or an id listed twice', () => {
    const state = record([
      ['pricing-viewed', day(0)],
      ['demo-requested', day(1)],
      ['webinar-attended', day(2)],
    ]);
    const fewer: Agreement = JSON.parse(JSON.stringify(agreement));
    fewer.interest.activities = fewer.interest.activities.filter(
      (activity) => activity.id !== 'demo-requested',
    );
    const twice: Agreement = JSON.parse(JSON.stringify(agreement));
    const pricing = twice.interest.activities.find((activity) => activity.id === 'pricing-viewed');
    if (pricing !== undefined) twice.interest.activities.push({ ...pricing });
    for (const on of [fewer, twice]) {
      for (const at of [day(2), day(40)]) {
        expect(interestScoreAt(state, on, at)).toBe(evaluateInterest(state, on, at).score);
      }
    }
    expect(interestScoreAt(state, twice, day(2))).toBeGreaterThan(interestScoreAt(state, agreement, day(2)));
  });
});
