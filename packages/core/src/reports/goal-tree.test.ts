import { describe, expect, test } from 'vitest';
import type { DealFacts } from './close-rates.ts';
import {
  buildGoalTree,
  countEntries,
  goalTreeRanges,
  goalTreeStages,
  goalTreeWindow,
  monthGoal,
  resolveGoalPeriod,
} from './goal-tree.ts';
import { defaultAgreement, moves } from './test-world.ts';
import { buildTimelines, type TransitionInput } from './timeline.ts';

const timezone = 'America/New_York';

/**
 * The trailing window: 40 people became leads in October 2026, 20 of them MQLs, 10 SQLs, 5
 * opportunities, 2 customers. The first quarter of 2027: g1 goes all the way to a won deal; g2
 * is a lead twice in January (recycled between) and an MQL in February; g3 becomes a lead at
 * 23:30 on 31 January local time (February in UTC); g4 at 23:00 on 31 March local time.
 */
function world() {
  const rows: TransitionInput[] = [];
  for (let index = 0; index < 40; index++) {
    const day = (offset: number) => `2026-10-${String(2 + offset).padStart(2, '0')}T15:00:00Z`;
    const steps: [string, string][] = [['lead', day(0)]];
    if (index < 20) steps.push(['mql', day(2)]);
    if (index < 10) steps.push(['sql', day(4)]);
    if (index < 5) steps.push(['opportunity', day(6)]);
    if (index < 2) steps.push(['customer', day(8)]);
    rows.push(...moves(`w${index}`, ...steps));
  }
  rows.push(
    ...moves(
      'g1',
      ['lead', '2027-01-05T15:00:00Z'],
      ['mql', '2027-02-03T15:00:00Z'],
      ['sql', '2027-02-10T15:00:00Z'],
      ['opportunity', '2027-02-20T15:00:00Z'],
      ['customer', '2027-03-20T15:00:00Z'],
    ),
    ...moves(
      'g2',
      ['lead', '2027-01-10T15:00:00Z'],
      ['recycled', '2027-01-15T15:00:00Z'],
      ['lead', '2027-01-25T15:00:00Z'],
      ['mql', '2027-02-05T15:00:00Z'],
    ),
    ...moves('g3', ['lead', '2027-02-01T04:30:00Z']),
    ...moves('g4', ['lead', '2027-04-01T03:00:00Z']),
  );
  return buildTimelines(rows);
}

const deals: DealFacts[] = [
  {
    personId: 'g1',
    amount: 24_000,
    currency: 'USD',
    status: 'won',
    createdAt: Date.parse('2027-02-20T15:00:00Z'),
    closedAt: Date.parse('2027-03-20T15:00:00Z'),
  },
];

function build(label: string, asOf: string) {
  const agreement = defaultAgreement();
  const period = resolveGoalPeriod(label, timezone);
  if (!period.ok) throw new Error(period.error.message);
  const window = goalTreeWindow(new Date(asOf), timezone);
  return buildGoalTree({
    agreement,
    agreementVersion: 5,
    period: period.value,
    window,
    asOf: new Date(asOf),
    filters: {},
    entryCounts: countEntries(
      world(),
      goalTreeStages(agreement),
      goalTreeRanges(period.value, window),
      Date.parse(asOf),
    ),
    deals,
  });
}

const needed = (stages: { stage: string; needed: number | null }[]) =>
  Object.fromEntries(stages.map((stage) => [stage.stage, stage.needed]));

describe('resolveGoalPeriod and monthGoal', () => {
  test('years, quarters and months in the agreement time zone', () => {
    const quarter = resolveGoalPeriod('2027-Q4', timezone);
    expect(quarter.ok && [quarter.value.from.toISOString(), quarter.value.to.toISOString()]).toEqual([
      '2027-10-01T04:00:00.000Z',
      '2028-01-01T05:00:00.000Z',
    ]);
    const year = resolveGoalPeriod('2027', timezone);
    expect(year.ok && year.value.to.toISOString()).toBe('2028-01-01T05:00:00.000Z');
    const bad = resolveGoalPeriod('2027-13', timezone);
    expect(bad.ok).toBe(false);
  });

  test('a month takes its own goal, else a third of its quarter, else a twelfth of its year', () => {
    const agreement = defaultAgreement();
    expect(monthGoal(agreement, '2027-02')).toBeCloseTo(1_000_000 / 3, 6);
    expect(monthGoal({ ...agreement, goals: [{ period: '2027', amount: 1_200_000 }] }, '2027-02')).toBe(
      100_000,
    );
    expect(
      monthGoal({ ...agreement, goals: [...agreement.goals, { period: '2027-02', amount: 5 }] }, '2027-02'),
    ).toBe(5);
    expect(monthGoal(agreement, '2026-02')).toBeNull();
  });
});

describe('buildGoalTree', () => {
  test('rates measured over the trailing window, defaults flagged where it holds too few entries', () => {
    const report = build('2027-Q1', '2027-04-15T12:00:00Z');
    expect(report.window).toMatchObject({ from: '2026-04-01T04:00:00.000Z', to: '2027-04-01T04:00:00.000Z' });
    expect(report.rates).toEqual([
      { from: 'lead', to: 'mql', rate: 0.5, basis: 'measured', entered: { from: 44, to: 22 } },
      { from: 'mql', to: 'sql', rate: 0.5, basis: 'measured', entered: { from: 22, to: 11 } },
      { from: 'sql', to: 'opportunity', rate: 0.6, basis: 'default', entered: { from: 11, to: 6 } },
      { from: 'opportunity', to: 'customer', rate: 0.25, basis: 'default', entered: { from: 6, to: 3 } },
    ]);
    expect(report.averageDealSize).toEqual({ amount: 24_000, basis: 'goal' });
  });

  test('from the revenue goal down to the leads needed per month, against what entered', () => {
    const report = build('2027-Q1', '2027-04-15T12:00:00Z');
    expect(report.stages).toEqual(['lead', 'mql', 'sql', 'opportunity', 'customer']);
    const january = report.months[0];
    expect(january).toMatchObject({
      label: '2027-01',
      status: 'past',
      revenueGoal: 333_333.33,
      revenueWon: 0,
    });
    expect(needed(january?.stages ?? [])).toEqual({
      lead: 370.37,
      mql: 185.19,
      sql: 92.59,
      opportunity: 55.56,
      customer: 13.89,
    });
    expect(report.months.map((month) => month.stages.map((stage) => stage.actual))).toEqual([
      [3, 0, 0, 0, 0],
      [0, 2, 1, 1, 0],
      [1, 0, 0, 0, 1],
    ]);
    expect(report.months[2]?.revenueWon).toBe(24_000);
    expect(report.total).toMatchObject({ revenueGoal: 1_000_000, revenueWon: 24_000, elapsedShare: 1 });
    expect(report.total.stages[0]).toEqual({
      stage: 'lead',
      needed: 1111.11,
      actual: 4,
      neededToDate: 1111.11,
      gap: -1107.11,
      pace: 0.0036,
      projected: 4,
    });
  });

  test('pace in the running month: needed to date is the passed share of the need', () => {
    const report = build('2027-02', '2027-02-15T05:00:00Z');
    expect(report.months).toHaveLength(1);
    expect(report.months[0]).toMatchObject({ status: 'running', elapsedShare: 0.5 });
    // January's leads are in the window now: 43 leads, 20 MQLs.
    expect(report.rates[0]).toMatchObject({ rate: 0.4651, basis: 'measured' });
    const mql = report.total.stages[1];
    expect(mql).toEqual({
      stage: 'mql',
      needed: 185.19,
      actual: 2,
      neededToDate: 92.59,
      gap: -90.59,
      pace: 0.0216,
      projected: 4,
    });
  });

  test('a period without a goal needs nothing it can name; the actuals still show', () => {
    const report = build('2026-10', '2027-04-15T12:00:00Z');
    expect(report.total.revenueGoal).toBeNull();
    expect(report.total.stages.map((stage) => [stage.stage, stage.needed, stage.actual])).toEqual([
      ['lead', null, 40],
      ['mql', null, 20],
      ['sql', null, 10],
      ['opportunity', null, 5],
      ['customer', null, 2],
    ]);
  });
});
