import type { Agreement } from '../agreement/agreement-schema.ts';
import {
  benjaminiHochberg,
  type CensoredTime,
  compareProportions,
  gehanWilcoxonTest,
} from './clogs-statistics.ts';
import type { ReportPeriod } from './period.ts';
import { type ReportMeta, reportMeta, type SegmentFilters } from './report-meta.ts';
import { median, round } from './statistics.ts';
import { entriesIn, type Timeline } from './timeline.ts';

/** What is known of a person for segmenting and for naming the leads concerned. */
export type ClogPerson = {
  name: string | null;
  email: string | null;
  /** Values by segment key (`source`, `team`, `persona`…); a person may have several (personas). */
  segments: Record<string, readonly string[]>;
};

export type ClogOptions = {
  /** Baseline: this many periods of the same length just before the period. */
  baselinePeriods: number;
  /** Conversion counts moving on to a later main stage within this many days of the entry. */
  horizonDays: number;
  /** Fewer entries than this in the period or in the baseline: not tested. */
  minSample: number;
  /** False discovery rate: a difference is flagged when its Benjamini–Hochberg q-value is at most this. */
  alpha: number;
  /** Segment keys to break each stage down by, besides everyone. */
  segmentBy: readonly string[];
  /** Most leads listed per clog (the count says how many there are). */
  maxLeads: number;
};

export const defaultClogOptions: ClogOptions = {
  baselinePeriods: 3,
  horizonDays: 14,
  minSample: 10,
  alpha: 0.05,
  segmentBy: [],
  maxLeads: 25,
};

export type ClogSegment = { key: string; value: string } | null;
type Metric = 'conversion' | 'time-in-stage';

export type ClogSide = {
  /** Entries tested: the cohort decided in the window (conversion) or entering in it (time). */
  entries: number;
  /** Conversion: how many moved on within the horizon, and the rate. */
  converted?: number;
  rate?: number | null;
  /** Time in stage, in hours: median where leads still in the stage count their time so far (a lower bound). */
  medianHours?: number | null;
  stillIn?: number;
};

export type ClogCheck = {
  stage: string;
  label: string;
  metric: Metric;
  segment: ClogSegment;
  current: ClogSide;
  baseline: ClogSide;
  test: 'two-proportion-z' | 'fisher-exact' | 'mann-whitney-gehan';
  statistic: number | null;
  p: number;
  /** Benjamini–Hochberg adjusted p-value over every check of the report. */
  q: number;
  /** The period is worse than the baseline (lower conversion, longer time). */
  worse: boolean;
  flagged: boolean;
};

export type ClogLead = {
  personId: string;
  name: string | null;
  email: string | null;
  enteredAt: string;
  /** Hours since the entry (still in the stage) or until the person left it. */
  hoursInStage: number;
  stillIn: boolean;
};

export type ClogImpact = {
  /** Conversion: entries × (baseline rate − period rate). */
  missingConversions: number | null;
  /** Time in stage: entries still in the stage longer than the baseline median. */
  stuck: number | null;
  /** Share of people who, once past this point, later reached the last stage. */
  downstreamRate: number | null;
  averageDealSize: number | null;
  /** The product of the above, in the agreement's currency; null when a factor is unknown. */
  revenue: number | null;
};

export type Clog = ClogCheck & { impact: ClogImpact; leadCount: number; leads: ClogLead[] };

export type ClogReport = ReportMeta & {
  report: 'clogs';
  baseline: { from: string; to: string; periods: number };
  options: Omit<ClogOptions, 'segmentBy' | 'maxLeads'> & { segmentBy: string[] };
  /** Flagged checks where the period is worse, largest revenue impact first. */
  clogs: Clog[];
  /** Every check that was tested, flagged or not. */
  checks: ClogCheck[];
  /** Stage × segment × metric combinations left out for having fewer entries than minSample. */
  skippedSmall: number;
};

export const clogDefinitions = {
  windows:
    'The baseline is the baselinePeriods periods of the same length just before the period. Segment values are what is known of each person now.',
  conversion:
    'Conversion of a stage: the share of entries that reached any later main stage within horizonDays. An entry counts in the window in which its horizon ended (its outcome was decided), so every entry has had the whole horizon; each person once per window, at its first such entry.',
  timeInStage:
    'Time in stage: from the first entry in the window to the next move; leads still in the stage count as at least their time so far (right-censored).',
  tests:
    'Conversion: two-proportion z-test (pooled) when every expected cell is at least 5, else Fisher exact test, two-sided. Time in stage: Mann–Whitney U in Gehan’s form for censored times (Mantel variance, normal approximation), two-sided.',
  multipleComparisons:
    'Benjamini–Hochberg over every check of the report: a check is flagged when its q-value is at most alpha. Only checks where the period is worse are clogs. Checks with fewer than minSample entries in the period or the baseline are not tested (skippedSmall).',
  impact:
    'Revenue impact: conversion clogs, missing conversions (entries × (baseline rate − period rate)) × downstream rate (share of people who entered the next stage before the period and later reached the last stage) × average deal size; time clogs, leads still in the stage longer than the baseline median × the same downstream rate from the stage itself × average deal size (revenue at risk, not yet lost).',
  leads: 'Leads concerned: those that did not convert, or are still in the stage, longest first.',
};

type Sample = {
  personId: string;
  enteredAt: number;
  /** Reached a later main stage within the horizon. */
  converted: boolean;
  time: CensoredTime;
};

type Window = { from: number; to: number };

const hour = 3_600_000;
const day = 24 * hour;

/** First entries into the stage whose horizon ends in the window (conversion) or that fall in it (time). */
function samplesFor(
  timelines: readonly Timeline[],
  stage: string,
  laterStages: ReadonlySet<string>,
  window: Window,
  shift: number,
  asOf: number,
): Sample[] {
  const samples: Sample[] = [];
  for (const timeline of timelines) {
    const found = entriesIn(timeline, stage, window.from - shift, window.to - shift);
    if (found === undefined) continue;
    const at = found.first.at;
    const next = timeline.entries[found.index + 1];
    const left = next !== undefined && next.at <= asOf;
    const converted = timeline.entries
      .slice(found.index + 1)
      .some((entry) => laterStages.has(entry.stage) && entry.at <= at + shift && entry.at <= asOf);
    samples.push({
      personId: timeline.personId,
      enteredAt: at,
      converted,
      time: left
        ? { value: (next as { at: number }).at - at, censored: false }
        : { value: asOf - at, censored: true },
    });
  }
  return samples;
}

/**
 * Each segment's samples (those whose person has the segment's value), in the order given: one
 * pass over the samples, instead of one filter per segment (a period of a big workspace has
 * hundreds of thousands of samples and dozens of segments).
 */
function bySegment(
  samples: readonly Sample[],
  people: ReadonlyMap<string, ClogPerson>,
  keys: readonly string[],
): (segment: ClogSegment) => Sample[] {
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) {
    const segments = people.get(sample.personId)?.segments;
    if (segments === undefined) continue;
    for (const key of keys) {
      for (const value of new Set(segments[key] ?? [])) {
        const name = `${key}\u0000${value}`;
        const list = groups.get(name);
        if (list === undefined) groups.set(name, [sample]);
        else list.push(sample);
      }
    }
  }
  return (segment) =>
    segment === null ? [...samples] : (groups.get(`${segment.key}\u0000${segment.value}`) ?? []);
}

/** Share of people who entered `stage` before `before` and later entered the last stage (by asOf). */
function downstreamRate(
  timelines: readonly Timeline[],
  stage: string,
  last: string,
  before: number,
): number | null {
  let reached = 0;
  let closed = 0;
  for (const timeline of timelines) {
    const index = timeline.entries.findIndex((entry) => entry.stage === stage && entry.at < before);
    if (index < 0) continue;
    reached += 1;
    if (stage === last || timeline.entries.slice(index + 1).some((entry) => entry.stage === last))
      closed += 1;
  }
  return reached === 0 ? null : closed / reached;
}

/**
 * Clogs: for each main stage (but the last) and each segment, conversion and time in stage of the
 * period against the trailing baseline, tested for significance, corrected for the number of
 * checks, and ranked by revenue impact (see `clogDefinitions`).
 */
export function buildClogReport(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  asOf: Date;
  filters: SegmentFilters;
  timelines: readonly Timeline[];
  people: ReadonlyMap<string, ClogPerson>;
  averageDealSize: number | null;
  options: ClogOptions;
}): ClogReport {
  const { agreement, period, timelines, people, options } = input;
  const asOf = input.asOf.getTime();
  const from = period.from.getTime();
  const length = period.to.getTime() - from;
  const baselineFrom = from - options.baselinePeriods * length;
  const horizon = options.horizonDays * day;
  const current: Window = { from, to: Math.min(period.to.getTime(), asOf) };
  const baseline: Window = { from: baselineFrom, to: from };
  const stages = agreement.stages;
  const last = stages.at(-1)?.id ?? '';

  type Pending = ClogCheck & { samples: { current: Sample[]; baseline: Sample[] }; stageIndex: number };
  const pending: Pending[] = [];
  let skippedSmall = 0;

  stages.slice(0, -1).forEach((stage, stageIndex) => {
    const later = new Set(stages.slice(stageIndex + 1).map((later) => later.id));
    const decided = {
      current: samplesFor(timelines, stage.id, later, current, horizon, asOf),
      baseline: samplesFor(timelines, stage.id, later, baseline, horizon, asOf),
    };
    const entered = {
      current: samplesFor(timelines, stage.id, later, current, 0, asOf),
      baseline: samplesFor(timelines, stage.id, later, baseline, 0, asOf),
    };
    const segments: ClogSegment[] = [null];
    for (const key of options.segmentBy) {
      const values = new Set<string>();
      for (const sample of [...decided.current, ...entered.current]) {
        for (const value of people.get(sample.personId)?.segments[key] ?? []) values.add(value);
      }
      for (const value of [...values].sort()) segments.push({ key, value });
    }
    const of = {
      decidedCurrent: bySegment(decided.current, people, options.segmentBy),
      decidedBaseline: bySegment(decided.baseline, people, options.segmentBy),
      enteredCurrent: bySegment(entered.current, people, options.segmentBy),
      enteredBaseline: bySegment(entered.baseline, people, options.segmentBy),
    };
    for (const segment of segments) {
      const conversion = { current: of.decidedCurrent(segment), baseline: of.decidedBaseline(segment) };
      if (conversion.current.length < options.minSample || conversion.baseline.length < options.minSample) {
        skippedSmall += 1;
      } else {
        const x1 = conversion.current.filter((sample) => sample.converted).length;
        const x2 = conversion.baseline.filter((sample) => sample.converted).length;
        const n1 = conversion.current.length;
        const n2 = conversion.baseline.length;
        const tested = compareProportions(x1, n1, x2, n2);
        pending.push({
          stage: stage.id,
          label: stage.label,
          metric: 'conversion',
          segment,
          current: { entries: n1, converted: x1, rate: round(x1 / n1, 4) },
          baseline: { entries: n2, converted: x2, rate: round(x2 / n2, 4) },
          test: tested.test,
          statistic: round(tested.statistic, 4),
          p: tested.p,
          q: 1,
          worse: x1 / n1 < x2 / n2,
          flagged: false,
          samples: conversion,
          stageIndex,
        });
      }
      const time = { current: of.enteredCurrent(segment), baseline: of.enteredBaseline(segment) };
      if (time.current.length < options.minSample || time.baseline.length < options.minSample) {
        skippedSmall += 1;
      } else {
        const tested = gehanWilcoxonTest(
          time.current.map((sample) => sample.time),
          time.baseline.map((sample) => sample.time),
        );
        const side = (samples: Sample[]): ClogSide => ({
          entries: samples.length,
          medianHours: round((median(samples.map((sample) => sample.time.value)) ?? 0) / hour, 2),
          stillIn: samples.filter((sample) => sample.time.censored).length,
        });
        pending.push({
          stage: stage.id,
          label: stage.label,
          metric: 'time-in-stage',
          segment,
          current: side(time.current),
          baseline: side(time.baseline),
          test: tested.test,
          statistic: round(tested.statistic, 4),
          p: tested.p,
          q: 1,
          worse: tested.statistic > 0,
          flagged: false,
          samples: time,
          stageIndex,
        });
      }
    }
  });

  const qValues = benjaminiHochberg(pending.map((check) => check.p));
  pending.forEach((check, index) => {
    check.q = qValues[index] as number;
    check.flagged = check.q <= options.alpha;
  });

  const clogs: Clog[] = pending
    .filter((check) => check.flagged && check.worse)
    .map((check) => {
      const { samples, stageIndex, ...rest } = check;
      let impact: ClogImpact;
      let concerned: Sample[];
      if (check.metric === 'conversion') {
        const next = stages[stageIndex + 1]?.id ?? last;
        const missing = samples.current.length * ((check.baseline.rate ?? 0) - (check.current.rate ?? 0));
        const downstream = downstreamRate(timelines, next, last, from);
        impact = {
          missingConversions: round(missing, 2),
          stuck: null,
          downstreamRate: round(downstream, 4),
          averageDealSize: input.averageDealSize,
          revenue:
            downstream === null || input.averageDealSize === null
              ? null
              : round(missing * downstream * input.averageDealSize, 2),
        };
        concerned = samples.current.filter((sample) => !sample.converted);
      } else {
        const baselineMedian = median(samples.baseline.map((sample) => sample.time.value)) ?? 0;
        const stuck = samples.current.filter(
          (sample) => sample.time.censored && sample.time.value > baselineMedian,
        );
        const downstream = downstreamRate(timelines, check.stage, last, from);
        impact = {
          missingConversions: null,
          stuck: stuck.length,
          downstreamRate: round(downstream, 4),
          averageDealSize: input.averageDealSize,
          revenue:
            downstream === null || input.averageDealSize === null
              ? null
              : round(stuck.length * downstream * input.averageDealSize, 2),
        };
        concerned = samples.current.filter((sample) => sample.time.censored);
      }
      const leads = [...concerned]
        .sort((a, b) => b.time.value - a.time.value || (a.personId < b.personId ? -1 : 1))
        .slice(0, options.maxLeads)
        .map((sample) => ({
          personId: sample.personId,
          name: people.get(sample.personId)?.name ?? null,
          email: people.get(sample.personId)?.email ?? null,
          enteredAt: new Date(sample.enteredAt).toISOString(),
          hoursInStage: round(sample.time.value / hour, 2) ?? 0,
          stillIn: sample.time.censored,
        }));
      return { ...rest, impact, leadCount: concerned.length, leads };
    })
    .sort((a, b) => (b.impact.revenue ?? -1) - (a.impact.revenue ?? -1) || a.q - b.q);

  return {
    report: 'clogs',
    ...reportMeta({ ...input, definitions: clogDefinitions }),
    baseline: {
      from: new Date(baselineFrom).toISOString(),
      to: period.from.toISOString(),
      periods: options.baselinePeriods,
    },
    options: {
      baselinePeriods: options.baselinePeriods,
      horizonDays: options.horizonDays,
      minSample: options.minSample,
      alpha: options.alpha,
      segmentBy: [...options.segmentBy],
    },
    clogs,
    checks: pending.map(({ samples: _samples, stageIndex: _index, ...check }) => check),
    skippedSmall,
  };
}
