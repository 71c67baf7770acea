import { describe, expect, test } from 'vitest';
import {
  buildCloseRates,
  closeRatesFromCounts,
  countCloseRates,
  type DealFacts,
  type PersonSegments,
} from './close-rates.ts';
import { defaultAgreement, march, moves } from './test-world.ts';
import { buildTimelines } from './timeline.ts';

const at = (iso: string) => Date.parse(iso);

/**
 * q1 goes lead → customer in March; q2 skips the lead stage, is recycled and comes back (a merged
 * contact's later start is no new entry); q3 becomes a lead at 23:45 on 31 March New York time
 * (April in UTC) and a customer in May; q4 was a lead in January; q5 only subscribes; q6 becomes
 * a lead at 00:30 on 1 April local time.
 */
const timelines = buildTimelines([
  ...moves(
    'q1',
    ['lead', '2027-03-02T10:00:00Z'],
    ['mql', '2027-03-03T10:00:00Z'],
    ['sql', '2027-03-05T10:00:00Z'],
    ['opportunity', '2027-03-10T10:00:00Z'],
    ['customer', '2027-03-20T10:00:00Z'],
  ),
  ...moves(
    'q2',
    ['subscriber', '2027-03-01T12:00:00Z'],
    ['mql', '2027-03-02T12:00:00Z'],
    ['recycled', '2027-03-10T12:00:00Z'],
    ['lead', '2027-03-20T12:00:00Z'],
  ),
  ...moves('q2', ['subscriber', '2027-03-15T00:00:00Z']),
  ...moves(
    'q3',
    ['subscriber', '2027-04-01T03:30:00Z'],
    ['lead', '2027-04-01T03:45:00Z'],
    ['opportunity', '2027-04-10T10:00:00Z'],
    ['customer', '2027-05-01T10:00:00Z'],
  ),
  ...moves('q4', ['lead', '2027-01-10T15:00:00Z'], ['mql', '2027-03-10T15:00:00Z']),
  ...moves('q5', ['subscriber', '2027-03-05T15:00:00Z']),
  ...moves('q6', ['subscriber', '2027-03-30T15:00:00Z'], ['lead', '2027-04-01T04:30:00Z']),
]);

const segments = new Map<string, PersonSegments>([
  ['q1', { source: 'Webinar', campaign: 'webinar-q1', persona: 'revops-leader', quadrant: 'hot' }],
  ['q2', { source: 'ads', campaign: null, persona: null, quadrant: 'nurture' }],
  ['q3', { source: 'webinar', campaign: 'Webinar-Q1', persona: 'revops-leader', quadrant: null }],
]);

const deal = (
  personId: string,
  status: DealFacts['status'],
  createdAt: string,
  closedAt: string | null,
  amount: number | null = null,
): DealFacts => ({
  personId,
  status,
  amount,
  currency: 'USD',
  createdAt: at(createdAt),
  closedAt: closedAt === null ? null : at(closedAt),
});

const deals = [
  deal('q1', 'won', '2027-03-10T00:00:00Z', '2027-03-20T00:00:00Z', 24_000),
  deal('q3', 'won', '2027-04-10T00:00:00Z', '2027-05-01T00:00:00Z', 30_000),
  deal('q2', 'lost', '2027-03-12T00:00:00Z', '2027-03-22T00:00:00Z'),
  deal('q4', 'won', '2027-02-01T00:00:00Z', '2027-03-31T12:00:00Z', 12_000),
  deal('q5', 'open', '2027-03-15T00:00:00Z', null),
];

const build = (asOf = '2027-06-01T00:00:00Z') =>
  buildCloseRates({
    agreement: defaultAgreement(),
    agreementVersion: 2,
    period: march,
    asOf: new Date(asOf),
    filters: {},
    timelines,
    segments,
    deals,
  });

describe('buildCloseRates', () => {
  test('lead → customer close rate of the local month’s new leads, followed to asOf', () => {
    const report = build();
    expect(report.closeRates.total).toEqual({ leads: 3, customers: 2, closeRate: 0.6667 });
    expect(report).toMatchObject({ leadStage: 'lead', customerStage: 'customer', agreementVersion: 2 });
    // Before q3 became a customer, one of three.
    expect(build('2027-04-20T00:00:00Z').closeRates.total).toEqual({
      leads: 3,
      customers: 1,
      closeRate: 0.3333,
    });
  });

  test('by source and campaign (ignoring case), persona and quadrant; unknown is null, last', () => {
    const { closeRates } = build();
    expect(closeRates.bySource).toEqual([
      { key: 'webinar', leads: 2, customers: 2, closeRate: 1 },
      { key: 'ads', leads: 1, customers: 0, closeRate: 0 },
    ]);
    expect(closeRates.byCampaign.map((row) => [row.key, row.leads])).toEqual([
      ['webinar-q1', 2],
      [null, 1],
    ]);
    expect(closeRates.byQuadrant.map((row) => [row.key, row.leads, row.customers])).toEqual([
      ['hot', 1, 1],
      ['nurture', 1, 0],
      [null, 1, 1],
    ]);
    expect(closeRates.byPersona.map((row) => [row.key, row.closeRate])).toEqual([
      ['revops-leader', 1],
      [null, 0],
    ]);
  });

  test('deals closed in the period: win rate, won amount, sales cycle; open deals created', () => {
    expect(build().deals).toEqual({
      currency: 'USD',
      closed: 3,
      won: 2,
      lost: 1,
      winRate: 0.6667,
      wonAmount: 36_000,
      salesCycleDays: { median: 34.25, p90: 53.65 },
      openCreated: 1,
    });
  });

  test('velocity: days between consecutive stages for the people entering the later one', () => {
    expect(build().velocity).toEqual([
      { from: 'subscriber', to: 'lead', moved: 2, skipped: 1, days: { median: 9.51, p90: 17.1 } },
      { from: 'lead', to: 'mql', moved: 2, skipped: 1, days: { median: 30, p90: 53.2 } },
      { from: 'mql', to: 'sql', moved: 1, skipped: 0, days: { median: 2, p90: 2 } },
      { from: 'sql', to: 'opportunity', moved: 1, skipped: 0, days: { median: 5, p90: 5 } },
      { from: 'opportunity', to: 'customer', moved: 1, skipped: 0, days: { median: 10, p90: 10 } },
    ]);
  });

  test('an empty period: no leads, no rates', () => {
    const report = buildCloseRates({
      agreement: defaultAgreement(),
      agreementVersion: 1,
      period: { ...march, from: new Date('2026-06-01T04:00:00Z'), to: new Date('2026-07-01T04:00:00Z') },
      asOf: new Date('2027-06-01T00:00:00Z'),
      filters: {},
      timelines,
      segments,
      deals,
    });
    expect(report.closeRates.total).toEqual({ leads: 0, customers: 0, closeRate: null });
    expect(report.deals).toMatchObject({
      closed: 0,
      winRate: null,
      salesCycleDays: { median: null, p90: null },
    });
    expect(report.velocity.every((pair) => pair.moved === 0 && pair.days.median === null)).toBe(true);
  });

  test('from counts: keys as stored merge once normalised, ties by key, unknown last; same as from timelines', () => {
    const input = {
      agreement: defaultAgreement(),
      agreementVersion: 2,
      period: march,
      asOf: new Date('2027-06-01T00:00:00Z'),
      filters: {},
      timelines,
      segments,
      deals,
    };
    const counts = countCloseRates(input);
    expect(closeRatesFromCounts({ ...input, counts })).toEqual(build());
    const source = [
      { key: 'Webinar', leads: 2, customers: 1 },
      { key: ' webinar ', leads: 1, customers: 1 },
      { key: '', leads: 1, customers: 0 },
      { key: null, leads: 2, customers: 0 },
      { key: 'ads', leads: 3, customers: 0 },
    ];
    const report = closeRatesFromCounts({
      ...input,
      counts: { ...counts, groups: { ...counts.groups, source } },
    });
    expect(report.closeRates.bySource).toEqual([
      { key: 'ads', leads: 3, customers: 0, closeRate: 0 },
      { key: 'webinar', leads: 3, customers: 2, closeRate: 0.6667 },
      { key: null, leads: 3, customers: 0, closeRate: 0 },
    ]);
  });
});
