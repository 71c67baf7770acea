import type { Agreement } from '../agreement/agreement-schema.ts';
import type { ReportPeriod } from './period.ts';
import { type ReportMeta, reportMeta, type SegmentFilters } from './report-meta.ts';
import { median, quantile, ratio, round } from './statistics.ts';
import { entriesIn, type Timeline } from './timeline.ts';

export type TimeInStage = {
  /** Counted entries that have left the stage by `asOf`; the statistics are over these. */
  left: number;
  /** Counted entries still in the stage at `asOf` (not in the statistics). */
  stillIn: number;
  medianHours: number | null;
  p90Hours: number | null;
};

export type FunnelStage = {
  stage: string;
  label: string;
  /** People who entered the stage in the period, each once (its first entry in the period). */
  entered: number;
  /** entered ÷ the previous stage's entered, same period and view. */
  conversionFromPrevious: number | null;
  /** entered ÷ the first stage's entered. */
  conversionFromFirst: number | null;
  /** Further entries of the same people into the stage within the period (after a detour). */
  reentries: number;
  /** Of `entered`, people who had already entered the stage before the period (recycled, returning). */
  returning: number;
  timeInStage: TimeInStage;
};

export type FunnelDetour = { detour: string; label: string; entered: number; reentries: number };

export type FunnelReport = ReportMeta & {
  report: 'funnel';
  /** Every person entering each stage, in whatever order they got there. */
  anyOrder: FunnelStage[];
  /** Only people who had entered every earlier stage, in order, before entering this one. */
  strictOrder: FunnelStage[];
  detours: FunnelDetour[];
};

export const funnelDefinitions = {
  people:
    'A person is a contact with every contact merged into it; its transitions are read together in time order.',
  cohort:
    'Entries within the period: a stage counts the people who entered it between from (inclusive) and to (exclusive), in the agreement time zone. Later moves are followed to asOf (now) for time in stage.',
  entered:
    'Each person counts once per stage per period, at its first entry in the period. Further entries in the period are reentries; returning counts the people who had entered the stage before the period (recycled or lost leads coming back).',
  anyOrder: 'Any order: everyone who entered the stage, whichever stages they skipped.',
  strictOrder:
    'Strict order: only people who had entered every earlier main stage, in the agreement order, before this entry (imports and skips along moves are left out).',
  conversion:
    'conversionFromPrevious = entered ÷ entered of the previous stage, conversionFromFirst = entered ÷ entered of the first stage, both in the same period and view (volume ratios, as in a demand waterfall; the lead waterfall follows cohorts).',
  timeInStage:
    'From the counted entry to the next move of the same person (any stage or detour), in hours; median and 90th percentile (linear interpolation) over the entries that left by asOf; stillIn are the others.',
  detours:
    'Detours (recycled, disqualified, lost…) count the people who took them in the period, like stages.',
};

/**
 * What a funnel stage's figures are shaped from, in one view: computed from timelines here
 * (`countFunnel`), or by the database with the same definitions (the server's SQL path).
 */
export type StageCount = {
  entered: number;
  reentries: number;
  returning: number;
  /** Counted entries that left the stage by asOf, and the others. */
  left: number;
  stillIn: number;
  /** Quantiles of the time in stage of the entries that left, in ms (see `quantile`). */
  medianMs: number | null;
  p90Ms: number | null;
};

/** Per stage id (main stages in both views; detours in any order, entries only). */
export type FunnelCounts = {
  anyOrder: Record<string, StageCount>;
  strictOrder: Record<string, StageCount>;
  detours: Record<string, Pick<StageCount, 'entered' | 'reentries'>>;
};

export const emptyStageCount = (): StageCount => ({
  entered: 0,
  reentries: 0,
  returning: 0,
  left: 0,
  stillIn: 0,
  medianMs: null,
  p90Ms: null,
});

/** Are `stages` entered, in order, among `entries` before position `end`? */
function passedInOrder(timeline: Timeline, stages: readonly string[], end: number): boolean {
  let next = 0;
  for (let index = 0; index < end && next < stages.length; index++) {
    if (timeline.entries[index]?.stage === stages[next]) next++;
  }
  return next === stages.length;
}

function countStage(
  timelines: readonly Timeline[],
  stage: string,
  earlier: readonly string[] | undefined,
  period: ReportPeriod,
  asOf: number,
): StageCount {
  const counted = emptyStageCount();
  const durations: number[] = [];
  const from = period.from.getTime();
  const to = period.to.getTime();
  for (const timeline of timelines) {
    const found = entriesIn(timeline, stage, from, to);
    if (found === undefined) continue;
    if (earlier !== undefined && !passedInOrder(timeline, earlier, found.index)) continue;
    counted.entered += 1;
    counted.reentries += found.more;
    if (timeline.entries.slice(0, found.index).some((entry) => entry.stage === stage)) counted.returning += 1;
    const next = timeline.entries[found.index + 1];
    if (next !== undefined && next.at <= asOf) durations.push(next.at - found.first.at);
    else counted.stillIn += 1;
  }
  counted.left = durations.length;
  counted.medianMs = median(durations);
  counted.p90Ms = quantile(durations, 0.9);
  return counted;
}

/** The funnel's counts from the timelines of the people who moved in the period. */
export function countFunnel(input: {
  agreement: Agreement;
  period: ReportPeriod;
  asOf: Date;
  timelines: readonly Timeline[];
}): FunnelCounts {
  const { agreement, period, timelines } = input;
  const asOf = input.asOf.getTime();
  const ids = agreement.stages.map((stage) => stage.id);
  return {
    anyOrder: Object.fromEntries(ids.map((id) => [id, countStage(timelines, id, undefined, period, asOf)])),
    strictOrder: Object.fromEntries(
      ids.map((id, index) => [id, countStage(timelines, id, ids.slice(0, index), period, asOf)]),
    ),
    detours: Object.fromEntries(
      agreement.detours.map((detour) => {
        const count = countStage(timelines, detour.id, undefined, period, asOf);
        return [detour.id, { entered: count.entered, reentries: count.reentries }];
      }),
    ),
  };
}

const hours = (ms: number | null) => (ms === null ? null : round(ms / 3_600_000, 2));

function shape(stages: { id: string; label: string }[], counts: Record<string, StageCount>): FunnelStage[] {
  const of = (id: string | undefined) => (id === undefined ? undefined : (counts[id] ?? emptyStageCount()));
  const first = of(stages[0]?.id)?.entered ?? 0;
  return stages.map((stage, index) => {
    const count = of(stage.id) as StageCount;
    const previous = index === 0 ? undefined : of(stages[index - 1]?.id);
    return {
      stage: stage.id,
      label: stage.label,
      entered: count.entered,
      conversionFromPrevious:
        previous === undefined ? null : round(ratio(count.entered, previous.entered), 4),
      conversionFromFirst: index === 0 ? null : round(ratio(count.entered, first), 4),
      reentries: count.reentries,
      returning: count.returning,
      timeInStage: {
        left: count.left,
        stillIn: count.stillIn,
        medianHours: hours(count.medianMs),
        p90Hours: hours(count.p90Ms),
      },
    };
  });
}

/** The funnel report from its counts (see `funnelDefinitions`), however they were computed. */
export function funnelFromCounts(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  asOf: Date;
  filters: SegmentFilters;
  counts: FunnelCounts;
}): FunnelReport {
  const { agreement, counts } = input;
  const stages = agreement.stages.map((stage) => ({ id: stage.id, label: stage.label }));
  return {
    report: 'funnel',
    ...reportMeta({ ...input, definitions: funnelDefinitions }),
    anyOrder: shape(stages, counts.anyOrder),
    strictOrder: shape(stages, counts.strictOrder),
    detours: agreement.detours.map((detour) => {
      const count = counts.detours[detour.id] ?? { entered: 0, reentries: 0 };
      return { detour: detour.id, label: detour.label, entered: count.entered, reentries: count.reentries };
    }),
  };
}

/** The funnel of a period from the timelines of the people who moved in it (see `funnelDefinitions`). */
export function buildFunnel(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  asOf: Date;
  filters: SegmentFilters;
  timelines: readonly Timeline[];
}): FunnelReport {
  return funnelFromCounts({ ...input, counts: countFunnel(input) });
}
