import { describe, expect, test } from 'vitest';
import { buildClogReport, type ClogPerson, defaultClogOptions } from './clogs.ts';
import { defaultAgreement } from './test-world.ts';
import { buildTimelines, type TransitionInput } from './timeline.ts';

const hour = 3_600_000;
const day = 24 * hour;
const from = Date.parse('2027-03-15T00:00:00Z');
const period = { from: new Date(from), to: new Date(from + 7 * day), timezone: 'UTC' };
const asOf = new Date(from + 7 * day + hour);

let seq = 0;
function person(id: string, steps: [string, number][]): TransitionInput[] {
  return steps.map(([toStage, at], index) => ({
    personId: id,
    fromStage: index === 0 ? null : (steps[index - 1]?.[0] ?? null),
    toStage,
    at,
    seq: ++seq,
  }));
}

/**
 * Baseline cohort B: 20 MQLs 20 days before the period (their 7-day horizon ends in the baseline);
 * 16 reach SQL a day later (8 of those later become customers, before the period), 4 never move.
 * Period cohort C: 20 MQLs 5 days before the period (horizon ends in the period); only 4 reach SQL.
 * Sources: B 10 ads (8 convert) + 10 webinar (8 convert); C 10 ads (4 convert) + 10 webinar (0).
 */
function world() {
  const rows: TransitionInput[] = [];
  const people = new Map<string, ClogPerson>();
  for (let i = 0; i < 20; i++) {
    const id = `b${String(i).padStart(2, '0')}`;
    const at = from - 20 * day + i * hour;
    const converts = i % 10 < 8;
    const closes = converts && i % 10 < 4;
    rows.push(
      ...person(id, [
        ['mql', at],
        ...(converts ? ([['sql', at + day]] as [string, number][]) : []),
        ...(closes
          ? ([
              ['opportunity', at + 2 * day],
              ['customer', at + 10 * day],
            ] as [string, number][])
          : []),
      ]),
    );
    people.set(id, {
      name: `B ${i}`,
      email: `${id}@example.com`,
      segments: { source: [i < 10 ? 'ads' : 'webinar'] },
    });
  }
  for (let i = 0; i < 20; i++) {
    const id = `c${String(i).padStart(2, '0')}`;
    const at = from - 5 * day + i * hour;
    const converts = i < 4;
    rows.push(...person(id, [['mql', at], ...(converts ? ([['sql', at + day]] as [string, number][]) : [])]));
    people.set(id, {
      name: `C ${i}`,
      email: `${id}@example.com`,
      segments: { source: [i < 10 ? 'ads' : 'webinar'] },
    });
  }
  return { timelines: buildTimelines(rows), people };
}

function report(options: Partial<typeof defaultClogOptions> = {}) {
  const { timelines, people } = world();
  return buildClogReport({
    agreement: defaultAgreement(),
    agreementVersion: 3,
    period,
    asOf,
    filters: {},
    timelines,
    people,
    averageDealSize: 10_000,
    options: { ...defaultClogOptions, horizonDays: 7, segmentBy: ['source'], ...options },
  });
}

describe('buildClogReport', () => {
  test('tests MQL conversion overall and per source, and skips every check with fewer than 10 entries', () => {
    const result = report();
    expect(result.baseline).toEqual({
      from: '2027-02-22T00:00:00.000Z',
      to: '2027-03-15T00:00:00.000Z',
      periods: 3,
    });
    expect(result.checks.map((check) => [check.stage, check.metric, check.segment?.value ?? 'all'])).toEqual([
      ['mql', 'conversion', 'all'],
      ['mql', 'conversion', 'ads'],
      ['mql', 'conversion', 'webinar'],
    ]);
    // subscriber, lead, opportunity: 2 each; mql time × 3 segments; sql (all, ads) × 2 metrics.
    expect(result.skippedSmall).toBe(13);
  });

  test('uses the z-test for 4/20 against 16/20 and Fisher’s test for the sources; BH over the 3 checks', () => {
    const [all, ads, webinar] = report().checks;
    // Pooled 0.5, se √(0.25 · 0.1) = 0.158114, z = −0.6 / 0.158114 = −3.794733, p = 0.000148.
    expect(all).toMatchObject({
      test: 'two-proportion-z',
      current: { entries: 20, converted: 4, rate: 0.2 },
      baseline: { entries: 20, converted: 16, rate: 0.8 },
      statistic: -3.7947,
      worse: true,
      flagged: true,
    });
    expect(all?.p).toBeCloseTo(0.0001478, 6);
    // [[4, 6], [8, 2]]: expected converted 10·12/20 = 6 and 4 (< 5), so Fisher: p = 0.169802.
    expect(ads).toMatchObject({ test: 'fisher-exact', statistic: null, worse: true, flagged: false });
    expect(ads?.p).toBeCloseTo(0.1698023, 6);
    // [[0, 10], [8, 2]]: p = 0.000714.
    expect(webinar?.p).toBeCloseTo(0.00071446, 7);
    // BH, m = 3: 0.000148·3/1 = 0.000443, 0.000714·3/2 = 0.001072, 0.1698·3/3.
    expect(all?.q).toBeCloseTo(0.00044341, 7);
    expect(webinar?.q).toBeCloseTo(0.00107168, 7);
    expect(ads?.q).toBeCloseTo(0.1698023, 6);
  });

  test('ranks the clogs by revenue impact and lists the leads that did not convert, longest first', () => {
    const result = report();
    // Downstream from SQL: 20 entered SQL before the period, 8 became customers: 0.4.
    // All: 20 × (0.8 − 0.2) = 12 missing × 0.4 × 10 000 = 48 000; webinar: 10 × 0.8 = 8 → 32 000.
    expect(result.clogs.map((clog) => [clog.segment?.value ?? 'all', clog.impact])).toEqual([
      [
        'all',
        {
          missingConversions: 12,
          stuck: null,
          downstreamRate: 0.4,
          averageDealSize: 10_000,
          revenue: 48_000,
        },
      ],
      [
        'webinar',
        { missingConversions: 8, stuck: null, downstreamRate: 0.4, averageDealSize: 10_000, revenue: 32_000 },
      ],
    ]);
    const webinar = result.clogs[1];
    expect(webinar?.leadCount).toBe(10);
    // c10 entered 5 days before the period plus 10 hours, 7 days + 1 hour before asOf: 12 days − 9 hours.
    expect(webinar?.leads[0]).toEqual({
      personId: 'c10',
      name: 'C 10',
      email: 'c10@example.com',
      enteredAt: '2027-03-10T10:00:00.000Z',
      hoursInStage: 12 * 24 - 9,
      stillIn: true,
    });
    expect(report({ maxLeads: 3 }).clogs[0]?.leads.map((lead) => lead.personId)).toEqual([
      'c04',
      'c05',
      'c06',
    ]);
  });

  test('never flags small samples, and nothing when the period matches the baseline', () => {
    expect(report({ minSample: 21 }).checks).toEqual([]);
    expect(report({ minSample: 21 }).clogs).toEqual([]);
    const strict = report({ alpha: 0.0001 });
    expect(strict.clogs).toEqual([]);
  });

  test('flags a longer time in stage with the censored rank test and counts the stuck leads', () => {
    const rows: TransitionInput[] = [];
    const people = new Map<string, ClogPerson>();
    // Baseline: 12 leads enter the lead stage and become MQLs after 1..12 hours.
    for (let i = 0; i < 12; i++) {
      const at = from - 20 * day + i * day;
      rows.push(
        ...person(`old${i}`, [
          ['lead', at],
          ['mql', at + (i + 1) * hour],
        ]),
      );
    }
    // Period: 12 leads enter and are all still there at asOf (at least 1 to 6 days).
    for (let i = 0; i < 12; i++) rows.push(...person(`new${i}`, [['lead', from + (i % 6) * day + hour]]));
    const result = buildClogReport({
      agreement: defaultAgreement(),
      agreementVersion: 1,
      period,
      asOf,
      filters: {},
      timelines: buildTimelines(rows),
      people,
      averageDealSize: null,
      options: { ...defaultClogOptions, horizonDays: 7 },
    });
    const check = result.checks.find((found) => found.metric === 'time-in-stage');
    // Every period lead is censored above every baseline time: each scores +12 (the censored are
    // not comparable with each other). Baseline i (i + 1 hours) scores i − (11 − i) − 12 = 2i − 23.
    // Sum 144; Σ score² = 12 · 144 + (1² + 3² + … + 23²) = 1728 + 2300; variance 144/552 · 4028.
    expect(check?.statistic).toBeCloseTo(144 / Math.sqrt((144 / 552) * 4028), 4);
    expect(check).toMatchObject({ stage: 'lead', worse: true, flagged: true, current: { stillIn: 12 } });
    const clog = result.clogs.find((found) => found.metric === 'time-in-stage');
    // Baseline median 6.5 hours: all 12 are stuck longer. No deal size known: revenue null.
    expect(clog?.impact).toMatchObject({ stuck: 12, revenue: null });
    expect(clog?.leadCount).toBe(12);
  });
});
