import { describe, expect, test } from 'vitest';
import { buildFunnel } from './funnel.ts';
import { buildLeadFlow } from './lead-flow.ts';
import type { PersonFacts } from './lead-value.ts';
import { defaultAgreement, march, marchWorld } from './test-world.ts';

const agreement = defaultAgreement();
const persons = new Map<string, PersonFacts>([
  ['p1', { fit: 80, fitGrade: 'A', quadrant: 'hot', invalid: false }],
  ['p2', { fit: 55, fitGrade: 'B', quadrant: 'nurture', invalid: false }],
  ['p4', { fit: 30, fitGrade: 'C', quadrant: 'hot', invalid: true }],
]);
const februaryToMarch = { ...march, from: new Date('2027-02-01T05:00:00Z') };
const asOf = new Date('2027-04-15T00:00:00Z');
const report = buildLeadFlow({
  agreement,
  agreementVersion: 1,
  period: februaryToMarch,
  unit: 'month',
  asOf,
  filters: {},
  timelines: marchWorld(),
  persons,
  basis: { closeRateByGrade: { A: 0.5, B: 0.25 }, averageDealSize: 10_000 },
});

describe('buildLeadFlow', () => {
  test('counts leads, new leads and MQLs per local month, with the change from the month before', () => {
    expect(report.rows.map((row) => [row.label, row.leads, row.newLeads, row.mqls])).toEqual([
      ['2027-02', 1, 0, 0],
      ['2027-03', 2, 2, 3],
    ]);
    // February against January (p4: lead, new lead and MQL in January).
    expect(report.rows[0]?.change).toEqual({
      leads: { absolute: 0, relative: 0 },
      newLeads: { absolute: -1, relative: -1 },
      mqls: { absolute: -1, relative: -1 },
    });
    expect(report.rows[1]?.change.mqls).toEqual({ absolute: 3, relative: null });
  });

  test('measures the quality of the valid MQLs: fit, hot share, points and expected value', () => {
    expect(report.rows[1]?.quality).toEqual({
      invalid: 1,
      averageFit: 67.5,
      shareHot: 0.5,
      points: 5,
      expectedValue: 7500,
    });
  });

  test('totals each person once over the period, equal to the funnel', () => {
    expect(report.total).toMatchObject({ leads: 3, newLeads: 2, mqls: 3 });
    const funnel = buildFunnel({
      agreement,
      agreementVersion: 1,
      period: februaryToMarch,
      asOf,
      filters: {},
      timelines: marchWorld(),
    });
    const entered = (stage: string) => funnel.anyOrder.find((row) => row.stage === stage)?.entered;
    expect(report.total.mqls).toBe(entered('mql'));
    expect(report.total.leads).toBe(entered('lead'));
  });

  test('has no expected value without a deal size, and weeks as ISO weeks', () => {
    const weekly = buildLeadFlow({
      agreement,
      agreementVersion: 1,
      period: march,
      unit: 'week',
      asOf,
      filters: {},
      timelines: marchWorld(),
      persons,
      basis: { closeRateByGrade: {}, averageDealSize: null },
    });
    expect(weekly.rows.map((row) => row.label)).toEqual([
      '2027-W09',
      '2027-W10',
      '2027-W11',
      '2027-W12',
      '2027-W13',
    ]);
    expect(weekly.total.quality.expectedValue).toBeNull();
    expect(weekly.rows.reduce((sum, row) => sum + row.mqls, 0)).toBe(4); // p2 qualifies in two weeks
  });
});
