import type { Agreement } from '../agreement/agreement-schema.ts';
import {
  benjaminiHochberg,
  type CensoredSample,
  type CensoredTime,
  censoredSample,
  compareProportions,
  gehanWilcoxonTest,
  openLongerThan,
  sampleQuantile,
  sampleSize,
} from './clogs-statistics.ts';
import type { ReportPeriod } from './period.ts';
import { type ReportMeta, reportMeta, type SegmentFilters } from './report-meta.ts';
import { round } from './statistics.ts';
import { entriesIn, type Timeline } from './timeline.ts';

export { type CensoredSample, censoredSampleOf } from './clogs-statistics.ts';

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

/** The windows a clog report compares, in epoch ms. */
export type ClogWindows = {
  current: Window;
  baseline: Window;
  /** The conversion horizon: an entry is decided this long after it. */
  horizonMs: number;
  /** The earliest instant an entry can count from (the baseline's start less the horizon). */
  earliest: number;
};

export function clogWindows(period: ReportPeriod, asOf: Date, options: ClogOptions): ClogWindows {
  const from = period.from.getTime();
  const length = period.to.getTime() - from;
  const baselineFrom = from - options.baselinePeriods * length;
  const horizonMs = options.horizonDays * day;
  return {
    current: { from, to: Math.min(period.to.getTime(), asOf.getTime()) },
    baseline: { from: baselineFrom, to: from },
    horizonMs,
    earliest: baselineFrom - horizonMs,
  };
}

/** A conversion side's counts: entries decided in the window, and how many moved on in time. */
export type ClogConversionCounts = { entries: number; converted: number };

/**
 * What one stage × segment check is computed from: conversion counts of the entries decided in
 * each window (first entry per person into the stage, shifted back by the horizon), and the times
 * in stage of the first entries in each window (censored when still in the stage at asOf).
 */
export type ClogGroup = {
  stage: string;
  segment: ClogSegment;
  conversion: { current: ClogConversionCounts; baseline: ClogConversionCounts };
  time: { current: CensoredSample; baseline: CensoredSample };
};

/** A sample that may be listed as a lead concerned. */
export type ClogLeadSample = { personId: string; enteredAt: number; time: CensoredTime };

/** Which samples a clog lists: the period's decided entries that did not convert, or the period's entries still in the stage. */
export type ClogLeadQuery = {
  stage: string;
  segment: ClogSegment;
  metric: Metric;
};

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

/** The concerned leads of a check's samples: not converted (conversion) or still in the stage (time). */
function concernedOf(samples: readonly Sample[], metric: Metric): Sample[] {
  return samples.filter((sample) => (metric === 'conversion' ? !sample.converted : sample.time.censored));
}

/** The order leads are listed in: longest in the stage first, then by person. */
export function compareClogLeads(a: ClogLeadSample, b: ClogLeadSample): number {
  return b.time.value - a.time.value || (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0);
}

/**
 * The checks' groups from person timelines (the definition; the server counts the same in the
 * database), with a way to list each check's concerned leads and the downstream rates.
 */
export function clogSamplesFromTimelines(input: {
  agreement: Agreement;
  asOf: Date;
  windows: ClogWindows;
  timelines: readonly Timeline[];
  people: ReadonlyMap<string, ClogPerson>;
  options: ClogOptions;
}): {
  groups: ClogGroup[];
  leads: (query: ClogLeadQuery) => ClogLeadSample[];
  downstreamRate: (stage: string) => number | null;
} {
  const { agreement, windows, timelines, people, options } = input;
  const asOf = input.asOf.getTime();
  const stages = agreement.stages;
  const last = stages.at(-1)?.id ?? '';
  const groups: ClogGroup[] = [];
  const concerned = new Map<string, Sample[]>();
  const keyOf = (query: ClogLeadQuery) =>
    `${query.stage}\u0000${query.metric}\u0000${query.segment?.key ?? ''}\u0000${query.segment?.value ?? ''}`;
  stages.slice(0, -1).forEach((stage, stageIndex) => {
    const later = new Set(stages.slice(stageIndex + 1).map((later) => later.id));
    const of = (window: Window, shift: number) =>
      bySegment(samplesFor(timelines, stage.id, later, window, shift, asOf), people, options.segmentBy);
    const decided = {
      current: of(windows.current, windows.horizonMs),
      baseline: of(windows.baseline, windows.horizonMs),
    };
    const entered = { current: of(windows.current, 0), baseline: of(windows.baseline, 0) };
    const segments: ClogSegment[] = [null];
    for (const key of options.segmentBy) {
      const values = new Set<string>();
      for (const sample of [...decided.current(null), ...entered.current(null)]) {
        for (const value of people.get(sample.personId)?.segments[key] ?? []) values.add(value);
      }
      for (const value of values) segments.push({ key, value });
    }
    for (const segment of segments) {
      const counts = (samples: readonly Sample[]) => ({
        entries: samples.length,
        converted: samples.filter((sample) => sample.converted).length,
      });
      groups.push({
        stage: stage.id,
        segment,
        conversion: {
          current: counts(decided.current(segment)),
          baseline: counts(decided.baseline(segment)),
        },
        time: {
          current: censoredSample(entered.current(segment).map((sample) => sample.time)),
          baseline: censoredSample(entered.baseline(segment).map((sample) => sample.time)),
        },
      });
      const metrics: [Metric, Sample[]][] = [
        ['conversion', decided.current(segment)],
        ['time-in-stage', entered.current(segment)],
      ];
      for (const [metric, samples] of metrics)
        concerned.set(keyOf({ stage: stage.id, segment, metric }), concernedOf(samples, metric));
    }
  });
  return {
    groups,
    leads: (query) => [...(concerned.get(keyOf(query)) ?? [])].sort(compareClogLeads),
    downstreamRate: (stage) => downstreamRate(timelines, stage, last, windows.current.from),
  };
}

/**
 * The groups in report order, without repeats: per main stage (but the last) everyone first, then
 * each segment key's values in sorted order — the values seen in the period (decided or entered).
 * Everyone's group is there even when empty.
 */
export function arrangeClogGroups(
  agreement: Agreement,
  options: ClogOptions,
  groups: readonly ClogGroup[],
): ClogGroup[] {
  const empty = (stage: string): ClogGroup => ({
    stage,
    segment: null,
    conversion: { current: { entries: 0, converted: 0 }, baseline: { entries: 0, converted: 0 } },
    time: { current: censoredSample([]), baseline: censoredSample([]) },
  });
  const found = new Map<string, ClogGroup>();
  for (const group of groups) {
    const name = `${group.stage}\u0000${group.segment?.key ?? ''}\u0000${group.segment?.value ?? ''}`;
    if (!found.has(name)) found.set(name, group);
  }
  const arranged: ClogGroup[] = [];
  for (const stage of agreement.stages.slice(0, -1)) {
    arranged.push(found.get(`${stage.id}\u0000\u0000`) ?? empty(stage.id));
    for (const key of options.segmentBy) {
      const values = [...found.values()]
        .filter(
          (group) =>
            group.stage === stage.id &&
            group.segment?.key === key &&
            group.conversion.current.entries + sampleSize(group.time.current) > 0,
        )
        .map((group) => group.segment?.value as string)
        .sort();
      for (const value of values)
        arranged.push(found.get(`${stage.id}\u0000${key}\u0000${value}`) as ClogGroup);
    }
  }
  return arranged;
}

/** A tested check with what its clog, if it is one, needs: its group and stage position. */
export type ClogPlan = {
  checks: (ClogCheck & { group: ClogGroup; stageIndex: number })[];
  skippedSmall: number;
};

/**
 * Every check of the arranged groups tested, the q-values over all of them, and the flags: the
 * statistics of the report, before its clogs are ranked and their leads listed.
 */
export function planClogChecks(
  agreement: Agreement,
  options: ClogOptions,
  groups: readonly ClogGroup[],
): ClogPlan {
  const labels = new Map(agreement.stages.map((stage, index) => [stage.id, { label: stage.label, index }]));
  const checks: ClogPlan['checks'] = [];
  let skippedSmall = 0;
  for (const group of groups) {
    const { label, index: stageIndex } = labels.get(group.stage) ?? { label: group.stage, index: 0 };
    const conversion = group.conversion;
    if (conversion.current.entries < options.minSample || conversion.baseline.entries < options.minSample) {
      skippedSmall += 1;
    } else {
      const { converted: x1, entries: n1 } = conversion.current;
      const { converted: x2, entries: n2 } = conversion.baseline;
      const tested = compareProportions(x1, n1, x2, n2);
      checks.push({
        stage: group.stage,
        label,
        metric: 'conversion',
        segment: group.segment,
        current: { entries: n1, converted: x1, rate: round(x1 / n1, 4) },
        baseline: { entries: n2, converted: x2, rate: round(x2 / n2, 4) },
        test: tested.test,
        statistic: round(tested.statistic, 4),
        p: tested.p,
        q: 1,
        worse: x1 / n1 < x2 / n2,
        flagged: false,
        group,
        stageIndex,
      });
    }
    const time = group.time;
    if (sampleSize(time.current) < options.minSample || sampleSize(time.baseline) < options.minSample) {
      skippedSmall += 1;
    } else {
      const tested = gehanWilcoxonTest(time.current, time.baseline);
      const side = (sample: CensoredSample): ClogSide => ({
        entries: sampleSize(sample),
        medianHours: round((sampleQuantile(sample, 0.5) ?? 0) / hour, 2),
        stillIn: sample.open.length,
      });
      checks.push({
        stage: group.stage,
        label,
        metric: 'time-in-stage',
        segment: group.segment,
        current: side(time.current),
        baseline: side(time.baseline),
        test: tested.test,
        statistic: round(tested.statistic, 4),
        p: tested.p,
        q: 1,
        worse: tested.statistic > 0,
        flagged: false,
        group,
        stageIndex,
      });
    }
  }
  const qValues = benjaminiHochberg(checks.map((check) => check.p));
  checks.forEach((check, index) => {
    check.q = qValues[index] as number;
    check.flagged = check.q <= options.alpha;
  });
  return { checks, skippedSmall };
}

/** The checks that are clogs (flagged, the period worse): the ones whose leads and downstream rates are needed. */
export function clogsOf(plan: ClogPlan): ClogPlan['checks'] {
  return plan.checks.filter((check) => check.flagged && check.worse);
}

/** The stage whose downstream rate a clog's impact uses: the next main stage (conversion) or its own. */
export function downstreamStageOf(agreement: Agreement, check: ClogPlan['checks'][number]): string {
  const stages = agreement.stages;
  return check.metric === 'conversion'
    ? (stages[check.stageIndex + 1]?.id ?? stages.at(-1)?.id ?? '')
    : check.stage;
}

/**
 * The report from its plan: each clog's revenue impact, its leads (the first `maxLeads` of the
 * concerned ones, in `compareClogLeads` order, as given) named from `people`, largest impact first.
 */
export function clogReportFromPlan(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  asOf: Date;
  filters: SegmentFilters;
  averageDealSize: number | null;
  options: ClogOptions;
  plan: ClogPlan;
  /** Per clog (in `clogsOf` order): the downstream rate of its stage and its leads concerned, sorted. */
  details: readonly { downstreamRate: number | null; leads: readonly ClogLeadSample[] }[];
  people: ReadonlyMap<string, ClogPerson>;
}): ClogReport {
  const { period, options, plan, people } = input;
  const windows = clogWindows(period, input.asOf, options);
  const clogs: Clog[] = clogsOf(plan)
    .map((check, index) => {
      const { group, stageIndex: _index, ...rest } = check;
      const detail = input.details[index] ?? { downstreamRate: null, leads: [] };
      const downstream = detail.downstreamRate;
      let impact: ClogImpact;
      let leadCount: number;
      if (check.metric === 'conversion') {
        const entries = group.conversion.current.entries;
        const missing = entries * ((check.baseline.rate ?? 0) - (check.current.rate ?? 0));
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
        leadCount = entries - group.conversion.current.converted;
      } else {
        const baselineMedian = sampleQuantile(group.time.baseline, 0.5) ?? 0;
        const stuck = openLongerThan(group.time.current, baselineMedian);
        impact = {
          missingConversions: null,
          stuck,
          downstreamRate: round(downstream, 4),
          averageDealSize: input.averageDealSize,
          revenue:
            downstream === null || input.averageDealSize === null
              ? null
              : round(stuck * downstream * input.averageDealSize, 2),
        };
        leadCount = group.time.current.open.length;
      }
      const leads = detail.leads.slice(0, options.maxLeads).map((sample) => ({
        personId: sample.personId,
        name: people.get(sample.personId)?.name ?? null,
        email: people.get(sample.personId)?.email ?? null,
        enteredAt: new Date(sample.enteredAt).toISOString(),
        hoursInStage: round(sample.time.value / hour, 2) ?? 0,
        stillIn: sample.time.censored,
      }));
      return { ...rest, impact, leadCount, leads };
    })
    .sort((a, b) => (b.impact.revenue ?? -1) - (a.impact.revenue ?? -1) || a.q - b.q);

  return {
    report: 'clogs',
    ...reportMeta({ ...input, definitions: clogDefinitions }),
    baseline: {
      from: new Date(windows.baseline.from).toISOString(),
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
    checks: plan.checks.map(({ group: _group, stageIndex: _index, ...check }) => check),
    skippedSmall: plan.skippedSmall,
  };
}

/**
 * Clogs: for each main stage (but the last) and each segment, conversion and time in stage of the
 * period against the trailing baseline, tested for significance, corrected for the number of
 * checks, and ranked by revenue impact (see `clogDefinitions`). Computed from person timelines:
 * the definition the database path is tested against.
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
  const { agreement, options } = input;
  const windows = clogWindows(input.period, input.asOf, options);
  const samples = clogSamplesFromTimelines({ ...input, windows });
  const plan = planClogChecks(agreement, options, arrangeClogGroups(agreement, options, samples.groups));
  const details = clogsOf(plan).map((check) => ({
    downstreamRate: samples.downstreamRate(downstreamStageOf(agreement, check)),
    leads: samples
      .leads({ stage: check.stage, segment: check.segment, metric: check.metric })
      .slice(0, options.maxLeads),
  }));
  return clogReportFromPlan({ ...input, plan, details });
}
