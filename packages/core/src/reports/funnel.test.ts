import { describe, expect, test } from 'vitest';
import { buildFunnel } from './funnel.ts';
import { defaultAgreement, march, marchWorld } from './test-world.ts';

const agreement = defaultAgreement();
const report = buildFunnel({
  agreement,
  agreementVersion: 1,
  period: march,
  asOf: new Date('2027-04-15T00:00:00Z'),
  filters: {},
  timelines: marchWorld(),
});
const pick = (stages: typeof report.anyOrder) =>
  Object.fromEntries(stages.map((stage) => [stage.stage, stage]));

describe('buildFunnel', () => {
  test('counts each person once per stage at its first entry in the period, in any order', () => {
    const stages = pick(report.anyOrder);
    expect(report.anyOrder.map((stage) => [stage.stage, stage.entered])).toEqual([
      ['subscriber', 3],
      ['lead', 2],
      ['mql', 3],
      ['sql', 1],
      ['opportunity', 0],
      ['customer', 0],
    ]);
    expect(stages.mql).toMatchObject({ reentries: 1, returning: 1 });
    expect(stages.subscriber?.returning).toBe(0);
  });

  test('keeps in the strict view only people who entered every earlier stage in order', () => {
    expect(report.strictOrder.map((stage) => stage.entered)).toEqual([3, 2, 2, 1, 0, 0]);
  });

  test('gives stage-to-stage and cumulative conversion, null where nothing entered before', () => {
    expect(report.anyOrder.map((stage) => stage.conversionFromPrevious)).toEqual([
      null,
      0.6667,
      1.5,
      0.3333,
      0,
      null,
    ]);
    expect(report.anyOrder.map((stage) => stage.conversionFromFirst)).toEqual([
      null,
      0.6667,
      1,
      0.3333,
      0,
      0,
    ]);
  });

  test('measures time in stage to the next move, over the entries that left by asOf', () => {
    const stages = pick(report.anyOrder);
    expect(stages.subscriber?.timeInStage).toEqual({
      left: 2,
      stillIn: 1,
      medianHours: 12.5,
      p90Hours: 21.7,
    });
    expect(stages.lead?.timeInStage).toEqual({ left: 2, stillIn: 0, medianHours: 72, p90Hours: 110.4 });
    expect(stages.mql?.timeInStage).toEqual({ left: 2, stillIn: 1, medianHours: 120, p90Hours: 177.6 });
    expect(stages.sql?.timeInStage).toEqual({ left: 0, stillIn: 1, medianHours: null, p90Hours: null });
  });

  test('counts a lead starting at 23:30 local on the last day in that month, not the next', () => {
    const april = buildFunnel({
      agreement,
      agreementVersion: 1,
      period: { ...march, from: march.to, to: new Date('2027-05-01T04:00:00Z') },
      asOf: new Date('2027-04-15T00:00:00Z'),
      filters: {},
      timelines: marchWorld(),
    });
    expect(april.anyOrder.map((stage) => stage.entered)).toEqual([0, 1, 0, 0, 0, 0]);
  });

  test('reports detours, and an empty period as zeros with no rates', () => {
    expect(report.detours.find((detour) => detour.detour === 'recycled')).toMatchObject({ entered: 1 });
    const empty = buildFunnel({
      agreement,
      agreementVersion: 3,
      period: { ...march, from: new Date('2026-01-01T05:00:00Z'), to: new Date('2026-02-01T05:00:00Z') },
      asOf: new Date('2027-04-15T00:00:00Z'),
      filters: { source: 'webinar' },
      timelines: marchWorld(),
    });
    expect(empty.anyOrder.every((stage) => stage.entered === 0 && stage.conversionFromFirst === null)).toBe(
      true,
    );
    expect(empty).toMatchObject({
      agreementVersion: 3,
      filters: { source: 'webinar' },
      period: { from: '2026-01-01T05:00:00.000Z', timezone: 'America/New_York' },
    });
    expect(Object.keys(empty.definitions)).toContain('cohort');
  });
});
