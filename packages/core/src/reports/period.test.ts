import { describe, expect, test } from 'vitest';
import {
  parseReportInstant,
  periodBuckets,
  resolveReportPeriod,
  resolveSlaPeriod,
  slaPeriodContaining,
} from './period.ts';
import { defaultAgreement } from './test-world.ts';

const timezone = 'America/New_York';
const agreement = defaultAgreement();

describe('parseReportInstant', () => {
  test.each([
    ['2027-03', '2027-03-01T05:00:00.000Z'],
    ['2027-04-01', '2027-04-01T04:00:00.000Z'],
    ['2027-03-01T00:00:00Z', '2027-03-01T00:00:00.000Z'],
    ['2027-03-01T00:00:00+02:00', '2027-02-28T22:00:00.000Z'],
  ])('reads %s in the agreement time zone', (text, iso) => {
    expect(parseReportInstant(text, timezone)?.toISOString()).toBe(iso);
  });

  test.each(['2027-02-30', '2027-13', '2027-03-01T00:00:00', 'March'])('refuses %s', (text) => {
    expect(parseReportInstant(text, timezone)).toBeUndefined();
  });

  test('refuses a period that does not end after it starts', () => {
    const result = resolveReportPeriod({ from: '2027-03', to: '2027-03' }, timezone);
    expect(result.ok || result.error.message).toMatch(/must end after it starts/);
  });
});

describe('periodBuckets', () => {
  test('cuts a period into local months, clipped at both ends', () => {
    const buckets = periodBuckets(
      { from: new Date('2027-02-15T05:00:00Z'), to: new Date('2027-04-10T04:00:00Z'), timezone },
      'month',
    );
    expect(
      buckets.map((bucket) => [bucket.label, bucket.from.toISOString(), bucket.to.toISOString()]),
    ).toEqual([
      ['2027-02', '2027-02-15T05:00:00.000Z', '2027-03-01T05:00:00.000Z'],
      ['2027-03', '2027-03-01T05:00:00.000Z', '2027-04-01T04:00:00.000Z'],
      ['2027-04', '2027-04-01T04:00:00.000Z', '2027-04-10T04:00:00.000Z'],
    ]);
  });

  test('labels ISO weeks across a year end', () => {
    const buckets = periodBuckets(
      { from: new Date('2026-12-28T05:00:00Z'), to: new Date('2027-01-11T05:00:00Z'), timezone },
      'week',
    );
    expect(buckets.map((bucket) => bucket.label)).toEqual(['2026-W53', '2027-W01']);
  });
});

describe('SLA periods', () => {
  test('resolves the agreement period kind in its time zone', () => {
    const result = resolveSlaPeriod('2027-03', agreement);
    expect(result.ok && [result.value.from.toISOString(), result.value.to.toISOString()]).toEqual([
      '2027-03-01T05:00:00.000Z',
      '2027-04-01T04:00:00.000Z',
    ]);
    const quarter = resolveSlaPeriod('2027-Q1', agreement);
    expect(quarter.ok || quarter.error.message).toMatch(/is not a month/);
  });

  test('resolves quarters and ISO weeks when the agreement says so', () => {
    const quarterly = { ...agreement, sla: { ...agreement.sla, period: 'quarter' as const } };
    const q2 = resolveSlaPeriod('2027-Q2', quarterly);
    expect(q2.ok && [q2.value.from.toISOString(), q2.value.to.toISOString()]).toEqual([
      '2027-04-01T04:00:00.000Z',
      '2027-07-01T04:00:00.000Z',
    ]);
    const weekly = { ...agreement, sla: { ...agreement.sla, period: 'week' as const } };
    const week = resolveSlaPeriod('2027-W09', weekly);
    expect(week.ok && week.value.from.toISOString()).toBe('2027-03-01T05:00:00.000Z');
    expect(slaPeriodContaining(new Date('2027-03-03T12:00:00Z'), weekly).label).toBe('2027-W09');
  });

  test('puts 23:30 on 31 March in New York in March', () => {
    expect(slaPeriodContaining(new Date('2027-04-01T03:30:00Z'), agreement).label).toBe('2027-03');
  });
});
