import type { Agreement } from '../agreement/agreement-schema.ts';
import {
  type Bucket,
  type BucketUnit,
  bucketContaining,
  periodBuckets,
  type ReportPeriod,
} from './period.ts';
import { type ReportMeta, reportMeta, type SegmentFilters } from './report-meta.ts';
import { becameLeadAt, leadStageOf, type Timeline } from './timeline.ts';

export type WaterfallOffset = {
  /** 0 is the cohort's own month (or week), 1 the next, … */
  offset: number;
  /** The end of that month: people are counted as they stood just before it (or at asOf). */
  until: string;
  /** People of the cohort who had reached each stage (or a later one) by then. */
  reached: Record<string, number>;
};

export type WaterfallCohort = {
  label: string;
  from: string;
  to: string;
  size: number;
  offsets: WaterfallOffset[];
};

export type StageBalance = {
  stage: string;
  /** People in the stage when the row starts. */
  opening: number;
  /** Moves into the stage during the row (every move, re-entries included). */
  inflow: number;
  /** Moves out of the stage during the row. */
  outflow: number;
  /** opening + inflow − outflow: people in the stage when the row ends (or at asOf). */
  closing: number;
};

export type WaterfallReport = ReportMeta & {
  report: 'waterfall';
  unit: BucketUnit;
  /** The stages a cohort is followed through: the lead stage and every later main stage. */
  stages: string[];
  cohorts: WaterfallCohort[];
  flow: { label: string; from: string; to: string; stages: StageBalance[] }[];
};

export const waterfallDefinitions = {
  cohort:
    'A cohort is the people who became a lead (entered the lead stage or a later main stage for the first time ever) in one local month or ISO week of the period; merged contacts count as one person.',
  reached:
    'reached[stage] at offset n: people of the cohort whose first entry into that stage or a later main stage happened before the end of the n-th month after the cohort month (or by asOf for the running month). It never falls, whatever detours follow.',
  followedTo: 'Cohorts are followed to asOf (now): offsets stop at the month that contains asOf.',
  flow: 'Per row and stage (detours included): opening balance, inflow (every move into the stage), outflow (every move out of it) and closing balance = opening + inflow − outflow, from the same person timelines.',
};

const maxOffsets = 36;

function countCohort(
  agreement: Agreement,
  members: readonly Timeline[],
  stages: readonly string[],
  until: number,
): Record<string, number> {
  const rank = new Map(agreement.stages.map((stage, index) => [stage.id, index]));
  const reached: Record<string, number> = Object.fromEntries(stages.map((stage) => [stage, 0]));
  for (const timeline of members) {
    let furthest = -1;
    for (const entry of timeline.entries) {
      if (entry.at >= until) break;
      furthest = Math.max(furthest, rank.get(entry.stage) ?? -1);
    }
    for (const stage of stages)
      if ((rank.get(stage) ?? 0) <= furthest) reached[stage] = (reached[stage] ?? 0) + 1;
  }
  return reached;
}

function balances(
  timelines: readonly Timeline[],
  stages: readonly string[],
  from: number,
  to: number,
): StageBalance[] {
  const figures = new Map(
    stages.map((stage) => [stage, { stage, opening: 0, inflow: 0, outflow: 0, closing: 0 }]),
  );
  for (const timeline of timelines) {
    let current: string | undefined;
    for (const entry of timeline.entries) {
      if (entry.at >= to) break;
      if (entry.at < from) {
        current = entry.stage;
        continue;
      }
      if (current === undefined) {
        // Nothing to do for the opening: the person was not in the funnel yet.
      } else {
        const left = figures.get(current);
        if (left) left.outflow++;
      }
      const entered = figures.get(entry.stage);
      if (entered) entered.inflow++;
      current = entry.stage;
    }
    // The opening is where the person stood at `from`.
    let atFrom: string | undefined;
    for (const entry of timeline.entries) {
      if (entry.at >= from) break;
      atFrom = entry.stage;
    }
    const opening = atFrom === undefined ? undefined : figures.get(atFrom);
    if (opening) opening.opening++;
  }
  return [...figures.values()].map((figure) => ({
    ...figure,
    closing: figure.opening + figure.inflow - figure.outflow,
  }));
}

/** What the waterfall is shaped from: computed from timelines here, or by the database. */
export type WaterfallCounts = {
  /** Per row of the period: the cohort's size and, per offset (`cohortOffsets`), who had reached each followed stage. */
  cohorts: { size: number; reached: Record<string, number>[] }[];
  /** Per row: each stage's (main stages and detours) opening balance, inflow and outflow. */
  flow: Record<string, { opening: number; inflow: number; outflow: number }>[];
};

/** The stages a cohort is followed through: the lead stage and every later main stage. */
export function followedStages(agreement: Agreement): string[] {
  const leadIndex = agreement.stages.findIndex((stage) => stage.id === leadStageOf(agreement));
  return agreement.stages.slice(Math.max(0, leadIndex)).map((stage) => stage.id);
}

/** Every stage a balance is kept for: main stages, then detours. */
export function balanceStages(agreement: Agreement): string[] {
  return [...agreement.stages.map((stage) => stage.id), ...agreement.detours.map((detour) => detour.id)];
}

/**
 * The instants a cohort is counted at: the end of its own month (or week) and of each one after,
 * up to the one containing asOf, which is counted at asOf (`until` is exclusive: asOf + 1 ms).
 */
export function cohortOffsets(bucket: Bucket, unit: BucketUnit, timezone: string, asOf: Date): number[] {
  const untils: number[] = [];
  let end = bucket.to.getTime();
  let start = bucket.from.getTime();
  for (let offset = 0; offset < maxOffsets && start <= asOf.getTime(); offset++) {
    untils.push(Math.min(end, asOf.getTime() + 1));
    start = end;
    end = bucketContaining(new Date(end), unit, timezone).to.getTime();
  }
  return untils;
}

/** The end of a row's flow: the row's end, or just after asOf for the running one. */
const flowEnd = (bucket: Bucket, asOf: Date) => Math.min(bucket.to.getTime(), asOf.getTime() + 1);

/**
 * The waterfall's counts from timelines: `timelines` must hold every person with a transition
 * before the period's end, with its whole history up to `asOf`.
 */
export function countWaterfall(input: {
  agreement: Agreement;
  period: ReportPeriod;
  unit: BucketUnit;
  asOf: Date;
  timelines: readonly Timeline[];
}): WaterfallCounts {
  const { agreement, timelines, unit } = input;
  const followed = followedStages(agreement);
  const leadAt = new Map(timelines.map((timeline) => [timeline.personId, becameLeadAt(timeline, agreement)]));
  const buckets = periodBuckets(input.period, unit);
  const allStages = balanceStages(agreement);
  return {
    cohorts: buckets.map((bucket) => {
      const members = timelines.filter((timeline) => {
        const at = leadAt.get(timeline.personId);
        return at !== undefined && at >= bucket.from.getTime() && at < bucket.to.getTime();
      });
      return {
        size: members.length,
        reached: cohortOffsets(bucket, unit, input.period.timezone, input.asOf).map((until) =>
          countCohort(agreement, members, followed, until),
        ),
      };
    }),
    flow: buckets.map((bucket) =>
      Object.fromEntries(
        balances(timelines, allStages, bucket.from.getTime(), flowEnd(bucket, input.asOf)).map(
          ({ stage, opening, inflow, outflow }) => [stage, { opening, inflow, outflow }],
        ),
      ),
    ),
  };
}

/**
 * Monthly (or weekly) cohorts of new leads and how far each got, and each stage's balance, inflow
 * and outflow per row. `timelines` must hold every person with a transition before the period's
 * end, with its whole history up to `asOf`.
 */
export function buildWaterfall(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  unit: BucketUnit;
  asOf: Date;
  filters: SegmentFilters;
  timelines: readonly Timeline[];
}): WaterfallReport {
  return waterfallFromCounts({ ...input, counts: countWaterfall(input) });
}

/** The waterfall report from its counts, however they were computed. */
export function waterfallFromCounts(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  unit: BucketUnit;
  asOf: Date;
  filters: SegmentFilters;
  counts: WaterfallCounts;
}): WaterfallReport {
  const { agreement, unit, counts } = input;
  const followed = followedStages(agreement);
  const buckets = periodBuckets(input.period, unit);
  const allStages = balanceStages(agreement);
  return {
    report: 'waterfall',
    ...reportMeta({ ...input, definitions: waterfallDefinitions }),
    unit,
    stages: followed,
    cohorts: buckets.map((bucket, index) => {
      const counted = counts.cohorts[index];
      return {
        label: bucket.label,
        from: bucket.from.toISOString(),
        to: bucket.to.toISOString(),
        size: counted?.size ?? 0,
        offsets: cohortOffsets(bucket, unit, input.period.timezone, input.asOf).map((until, offset) => ({
          offset,
          until: new Date(until).toISOString(),
          reached: Object.fromEntries(
            followed.map((stage) => [stage, counted?.reached[offset]?.[stage] ?? 0]),
          ),
        })),
      };
    }),
    flow: buckets.map((bucket, index) => ({
      label: bucket.label,
      from: bucket.from.toISOString(),
      to: bucket.to.toISOString(),
      stages: allStages.map((stage) => {
        const figure = counts.flow[index]?.[stage] ?? { opening: 0, inflow: 0, outflow: 0 };
        return { stage, ...figure, closing: figure.opening + figure.inflow - figure.outflow };
      }),
    })),
  };
}
