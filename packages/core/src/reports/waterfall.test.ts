import { describe, expect, test } from 'vitest';
import { defaultAgreement, march, marchWorld } from './test-world.ts';
import { buildWaterfall } from './waterfall.ts';

const report = buildWaterfall({
  agreement: defaultAgreement(),
  agreementVersion: 1,
  period: { ...march, from: new Date('2027-01-01T05:00:00Z') },
  unit: 'month',
  asOf: new Date('2027-04-15T00:00:00Z'),
  filters: {},
  timelines: marchWorld(),
});

describe('buildWaterfall', () => {
  test('groups new leads into monthly cohorts and follows each to asOf', () => {
    expect(report.stages).toEqual(['lead', 'mql', 'sql', 'opportunity', 'customer']);
    expect(report.cohorts.map((cohort) => [cohort.label, cohort.size, cohort.offsets.length])).toEqual([
      ['2027-01', 1, 4],
      ['2027-02', 0, 3],
      ['2027-03', 2, 2],
    ]);
    const marchCohort = report.cohorts[2];
    expect(marchCohort?.offsets[0]?.reached).toEqual({
      lead: 2,
      mql: 2,
      sql: 1,
      opportunity: 0,
      customer: 0,
    });
    expect(marchCohort?.offsets[1]?.until).toBe('2027-04-15T00:00:00.001Z');
    expect(report.cohorts[0]?.offsets[3]?.reached).toMatchObject({ lead: 1, mql: 1, sql: 0 });
  });

  test('balances each stage per month: opening + inflow − outflow = closing', () => {
    const marchFlow = report.flow[2];
    const byStage = Object.fromEntries((marchFlow?.stages ?? []).map((stage) => [stage.stage, stage]));
    expect(byStage.subscriber).toEqual({
      stage: 'subscriber',
      opening: 1,
      inflow: 3,
      outflow: 2,
      closing: 2,
    });
    expect(byStage.lead).toEqual({ stage: 'lead', opening: 1, inflow: 2, outflow: 3, closing: 0 });
    expect(byStage.mql).toEqual({ stage: 'mql', opening: 0, inflow: 4, outflow: 2, closing: 2 });
    expect(byStage.sql).toEqual({ stage: 'sql', opening: 0, inflow: 1, outflow: 0, closing: 1 });
    expect(byStage.recycled).toEqual({ stage: 'recycled', opening: 0, inflow: 1, outflow: 1, closing: 0 });
    // Each month closes where the next one opens.
    for (const [index, row] of report.flow.slice(1).entries()) {
      const before = report.flow[index];
      expect(row.stages.map((stage) => stage.opening)).toEqual(before?.stages.map((stage) => stage.closing));
    }
  });
});
