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

type Counted = {
  entered: number;
  reentries: number;
  returning: number;
  durations: number[];
  stillIn: number;
};

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
): Counted {
  const counted: Counted = { entered: 0, reentries: 0, returning: 0, durations: [], stillIn: 0 };
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
    if (next !== undefined && next.at <= asOf) counted.durations.push(next.at - found.first.at);
    else counted.stillIn += 1;
  }
  return counted;
}

const hours = (ms: number | null) => (ms === null ? null : round(ms / 3_600_000, 2));

function shape(stages: { id: string; label: string }[], counts: Counted[]): FunnelStage[] {
  const first = counts[0]?.entered ?? 0;
  return stages.map((stage, index) => {
    const count = counts[index] as Counted;
    const previous = index === 0 ? undefined : counts[index - 1];
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
        left: count.durations.length,
        stillIn: count.stillIn,
        medianHours: hours(median(count.durations)),
        p90Hours: hours(quantile(count.durations, 0.9)),
      },
    };
  });
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
  const { agreement, period, timelines } = input;
  const asOf = input.asOf.getTime();
  const stages = agreement.stages.map((stage) => ({ id: stage.id, label: stage.label }));
  const ids = stages.map((stage) => stage.id);
  const anyOrder = ids.map((id) => countStage(timelines, id, undefined, period, asOf));
  const strictOrder = ids.map((id, index) => countStage(timelines, id, ids.slice(0, index), period, asOf));
  return {
    report: 'funnel',
    ...reportMeta({ ...input, definitions: funnelDefinitions }),
    anyOrder: shape(stages, anyOrder),
    strictOrder: shape(stages, strictOrder),
    detours: agreement.detours.map((detour) => {
      const count = countStage(timelines, detour.id, undefined, period, asOf);
      return { detour: detour.id, label: detour.label, entered: count.entered, reentries: count.reentries };
    }),
  };
}
