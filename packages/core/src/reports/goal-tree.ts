import type { Agreement } from '../agreement/agreement-schema.ts';
import { localDay, zonedTimeToInstant } from '../engine/calendar/index.ts';
import type { DealFacts } from './close-rates.ts';
import { type PeriodResult, periodBuckets, type ReportPeriod } from './period.ts';
import { type ReportMeta, reportMeta, type SegmentFilters } from './report-meta.ts';
import { ratio, round } from './statistics.ts';
import { leadStageOf, type Timeline } from './timeline.ts';

/**
 * A step of the funnel the goal tree climbs down: the share of the people entering `from` that
 * enter `to`, measured over the trailing window or, with too little data there, a default.
 */
export type GoalRate = {
  from: string;
  to: string;
  rate: number | null;
  /** measured: from the trailing window; default: too few entries into `from` there (flagged). */
  basis: 'measured' | 'default';
  /** Entries into `from` and `to` in the trailing window (the funnel's any-order counts). */
  entered: { from: number; to: number };
};

export type GoalStage = {
  stage: string;
  /** How many must enter the stage for the revenue goal (won deals for the last stage). */
  needed: number | null;
  /** How many entered it (the funnel's count), up to asOf. */
  actual: number;
  /** actual − needed (negative: behind). */
  gap: number | null;
};

export type GoalMonth = {
  label: string;
  from: string;
  to: string;
  status: 'past' | 'running' | 'future';
  /** Share of the month passed at asOf (wall-clock). */
  elapsedShare: number;
  revenueGoal: number | null;
  revenueWon: number;
  stages: GoalStage[];
};

export type GoalTreeReport = ReportMeta & {
  report: 'goal-tree';
  currency: string;
  averageDealSize: { amount: number | null; basis: 'goal' | 'measured' | null };
  window: { from: string; to: string; months: number; minimumEntries: number };
  rates: GoalRate[];
  /** Stages from the lead stage to the last one, top of the funnel first. */
  stages: string[];
  months: GoalMonth[];
  total: {
    revenueGoal: number | null;
    revenueWon: number;
    /** The stage's needs for the whole period, for the share of it passed (pace line), what entered, and the gap to the pace line. */
    stages: (GoalStage & { neededToDate: number | null; pace: number | null; projected: number | null })[];
    elapsedShare: number;
  };
};

/** Entries into the earlier stage below which a measured rate is not trusted. */
export const goalTreeMinimumEntries = 20;
/** Trailing window, in whole months before the month containing asOf. */
export const goalTreeWindowMonths = 12;

/**
 * Used when the trailing window holds fewer than `goalTreeMinimumEntries` entries into the earlier
 * stage (the agreement has no conversion rates of its own): typical B2B demand-waterfall rates,
 * flagged `basis: 'default'` wherever they are used.
 */
export const defaultGoalRates: Readonly<Record<string, number>> = {
  'lead>mql': 0.3,
  'mql>sql': 0.5,
  'sql>opportunity': 0.6,
  'opportunity>customer': 0.25,
};
const fallbackRate = 0.3;

export const goalTreeDefinitions = {
  goal: "Revenue goal per month: the agreement's goal for that month; else its quarter's goal ÷ 3; else its year's goal ÷ 12. The period's goal is the sum of its months.",
  dealSize:
    'Average deal size: the averageDealSize of the most specific goal covering the period that names one, else the first goal naming one; else the average won deal amount in the trailing window (basis measured).',
  rates: `Conversion rates: for each pair of consecutive main stages from the lead stage down, entered(later) ÷ entered(earlier) as the funnel counts them (any order, each person once per stage) over the trailing window: the ${goalTreeWindowMonths} whole local months before the month containing asOf. With fewer than ${goalTreeMinimumEntries} entries into the earlier stage there, a default rate is used and flagged (basis default): ${Object.entries(
    defaultGoalRates,
  )
    .map(([step, rate]) => `${step.replace('>', '→')} ${rate}`)
    .join(', ')}, ${fallbackRate} for other steps.`,
  needed:
    'Needed: won deals = revenue goal ÷ average deal size; each stage above = the stage below ÷ the rate between them. Fractions are kept (round up to plan).',
  actual:
    'Actual: people entering each stage in the month, as the funnel counts them; revenue won: amounts of the deals won in the month in the agreement currency. The total counts each person once over the period so far (the funnel of the period up to asOf).',
  pace: 'Pace: neededToDate = needed × the share of the period passed at asOf (wall-clock); pace = actual ÷ neededToDate; projected = actual ÷ that share; gap = actual − neededToDate.',
};

/** A goal period (`2027`, `2027-Q2`, `2027-03`) as instants in the agreement's time zone. */
export function resolveGoalPeriod(
  label: string,
  timezone: string,
): PeriodResult<ReportPeriod & { label: string }> {
  const year = /^(\d{4})$/.exec(label);
  const quarter = /^(\d{4})-Q([1-4])$/.exec(label);
  const month = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(label);
  let start: [number, number] | undefined;
  let months = 0;
  if (year) [start, months] = [[Number(year[1]), 1], 12];
  else if (quarter) [start, months] = [[Number(quarter[1]), (Number(quarter[2]) - 1) * 3 + 1], 3];
  else if (month) [start, months] = [[Number(month[1]), Number(month[2])], 1];
  if (start === undefined) {
    return {
      ok: false,
      error: {
        code: 'INVALID_PERIOD',
        message: `${JSON.stringify(label)} is not a goal period; expected a year, quarter or month, like 2027, 2027-Q2 or 2027-03`,
      },
    };
  }
  const [y, m] = start;
  const endIndex = y * 12 + (m - 1) + months;
  const day = (yy: number, mm: number) => `${yy}-${String(mm).padStart(2, '0')}-01`;
  return {
    ok: true,
    value: {
      label,
      from: zonedTimeToInstant(day(y, m), '00:00', timezone),
      to: zonedTimeToInstant(day(Math.floor(endIndex / 12), (endIndex % 12) + 1), '00:00', timezone),
      timezone,
    },
  };
}

/** The revenue goal of one local month (`2027-03`), from the agreement's goals. */
export function monthGoal(agreement: Agreement, month: string): number | null {
  const goal = (period: string) => agreement.goals.find((candidate) => candidate.period === period)?.amount;
  const explicit = goal(month);
  if (explicit !== undefined) return explicit;
  const q = `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
  const quarterly = goal(q);
  if (quarterly !== undefined) return quarterly / 3;
  const yearly = goal(month.slice(0, 4));
  return yearly === undefined ? null : yearly / 12;
}

function dealSizeOf(agreement: Agreement, label: string): number | undefined {
  const covering = agreement.goals.filter(
    (goal) =>
      goal.averageDealSize !== undefined && (label.startsWith(goal.period) || goal.period.startsWith(label)),
  );
  covering.sort((a, b) => b.period.length - a.period.length);
  return (covering[0] ?? agreement.goals.find((goal) => goal.averageDealSize !== undefined))?.averageDealSize;
}

const round2 = (value: number | null) => round(value, 2);

/**
 * From the revenue goal down to the won deals, opportunities, SQLs, MQLs and leads needed per
 * month, through the funnel's measured conversion rates, and the gap to what the funnel is
 * producing (see `goalTreeDefinitions`).
 */
export function buildGoalTree(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod & { label: string };
  /** The trailing window the rates are measured over (see `goalTreeWindow`). */
  window: ReportPeriod;
  asOf: Date;
  filters: SegmentFilters;
  /**
   * Per range of `goalTreeRanges` (the trailing window, the period, its months): the people who
   * entered each of `goalTreeStages` in it (`countEntries` over the timelines of the people who
   * moved in the window or the period, or the same counted by the database).
   */
  entryCounts: readonly ReadonlyMap<string, number>[];
  /** Deals of those people (won ones give revenue and, without a goal deal size, the average). */
  deals: readonly DealFacts[];
}): GoalTreeReport {
  const { agreement, period, window } = input;
  const asOf = input.asOf.getTime();
  const currency = agreement.currency;
  const stages = goalTreeStages(agreement);
  const [
    enteredInWindow = new Map<string, number>(),
    periodCounts = new Map<string, number>(),
    ...monthCounts
  ] = input.entryCounts;
  const rates: GoalRate[] = stages.slice(1).map((to, index) => {
    const from = stages[index] as string;
    const entered = { from: enteredInWindow.get(from) ?? 0, to: enteredInWindow.get(to) ?? 0 };
    if (entered.from < goalTreeMinimumEntries)
      return { from, to, rate: defaultGoalRates[`${from}>${to}`] ?? fallbackRate, basis: 'default', entered };
    return { from, to, rate: round(ratio(entered.to, entered.from), 4), basis: 'measured', entered };
  });

  const wonIn = (from: number, to: number) =>
    input.deals.filter(
      (deal) =>
        deal.status === 'won' &&
        deal.closedAt !== null &&
        deal.closedAt >= from &&
        deal.closedAt < to &&
        deal.closedAt <= asOf &&
        deal.amount !== null &&
        (deal.currency ?? currency) === currency,
    );
  const goalSize = dealSizeOf(agreement, period.label);
  const windowWon = wonIn(window.from.getTime(), window.to.getTime());
  const measuredSize =
    windowWon.length === 0
      ? undefined
      : windowWon.reduce((sum, deal) => sum + (deal.amount ?? 0), 0) / windowWon.length;
  const averageDealSize =
    goalSize !== undefined
      ? { amount: goalSize, basis: 'goal' as const }
      : measuredSize !== undefined
        ? { amount: round(measuredSize, 2), basis: 'measured' as const }
        : { amount: null, basis: null };

  /** Needed entries per stage (top first) for a revenue goal. */
  const neededFor = (revenue: number | null): (number | null)[] => {
    const needed: (number | null)[] = new Array(stages.length).fill(null);
    if (revenue === null || averageDealSize.amount === null) return needed;
    let below: number | null = revenue / averageDealSize.amount;
    needed[stages.length - 1] = below;
    for (let index = stages.length - 2; index >= 0; index--) {
      const rate = rates[index]?.rate ?? null;
      below = below === null || rate === null || rate === 0 ? null : below / rate;
      needed[index] = below;
    }
    return needed;
  };
  const revenueIn = (from: number, to: number) =>
    wonIn(from, to).reduce((sum, deal) => sum + Math.round((deal.amount ?? 0) * 100), 0) / 100;

  const buckets = periodBuckets(period, 'month');
  const months: GoalMonth[] = buckets.map((bucket, bucketIndex) => {
    const from = bucket.from.getTime();
    const to = bucket.to.getTime();
    const elapsedShare = Math.min(1, Math.max(0, (asOf - from) / (to - from)));
    const revenueGoal = monthGoal(agreement, bucket.label);
    const needed = neededFor(revenueGoal);
    return {
      label: bucket.label,
      from: bucket.from.toISOString(),
      to: bucket.to.toISOString(),
      status: asOf >= to ? 'past' : asOf < from ? 'future' : 'running',
      elapsedShare: round(elapsedShare, 4) ?? 0,
      revenueGoal: round2(revenueGoal),
      revenueWon: revenueIn(from, to),
      stages: stages.map((stage, index) => {
        const actual = monthCounts[bucketIndex]?.get(stage) ?? 0;
        const need = needed[index] ?? null;
        return { stage, needed: round2(need), actual, gap: need === null ? null : round2(actual - need) };
      }),
    };
  });

  // Summed unrounded: thirds of a quarter add up to the quarter.
  const goals = buckets.map((bucket) => monthGoal(agreement, bucket.label));
  const revenueGoal = goals.some((goal) => goal === null)
    ? null
    : goals.reduce<number>((sum, goal) => sum + (goal ?? 0), 0);
  const totalNeeded = neededFor(revenueGoal);
  const from = period.from.getTime();
  const to = period.to.getTime();
  const elapsedShare = Math.min(1, Math.max(0, (asOf - from) / (to - from)));
  return {
    report: 'goal-tree',
    ...reportMeta({ ...input, definitions: goalTreeDefinitions }),
    currency,
    averageDealSize,
    window: {
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      months: goalTreeWindowMonths,
      minimumEntries: goalTreeMinimumEntries,
    },
    rates,
    stages,
    months,
    total: {
      revenueGoal: round2(revenueGoal),
      revenueWon: revenueIn(from, to),
      elapsedShare: round(elapsedShare, 4) ?? 0,
      stages: stages.map((stage, index) => {
        const need = totalNeeded[index] ?? null;
        const toDate = need === null ? null : need * elapsedShare;
        const actual = periodCounts?.get(stage) ?? 0;
        return {
          stage,
          needed: round2(need),
          actual,
          neededToDate: round2(toDate),
          gap: toDate === null ? null : round2(actual - toDate),
          pace: toDate === null ? null : round(ratio(actual, toDate), 4),
          projected: elapsedShare === 0 ? null : round2(actual / elapsedShare),
        };
      }),
    },
  };
}

/** The stages the goal tree works through: the lead stage and the main stages after it. */
export function goalTreeStages(agreement: Agreement): string[] {
  const ids = agreement.stages.map((stage) => stage.id);
  return ids.slice(Math.max(0, ids.indexOf(leadStageOf(agreement))));
}

/** The ranges the goal tree counts entries in: the trailing window, the period, its months. */
export function goalTreeRanges(period: ReportPeriod, window: ReportPeriod): { from: Date; to: Date }[] {
  return [window, period, ...periodBuckets(period, 'month')];
}

/**
 * For each range, the people who entered each stage in it, as the funnel counts them (any order:
 * a person once per stage, at any entry in the range), up to asOf; one pass over the timelines.
 */
export function countEntries(
  timelines: readonly Timeline[],
  stages: readonly string[],
  ranges: readonly { from: Date; to: Date }[],
  asOf: number,
): Map<string, number>[] {
  const counts = ranges.map(() => new Map(stages.map((stage) => [stage, 0])));
  const bounds = ranges.map(
    (range) => [range.from.getTime(), Math.min(range.to.getTime(), asOf + 1)] as const,
  );
  for (const timeline of timelines) {
    const seen = ranges.map(() => new Set<string>());
    for (const entry of timeline.entries) {
      bounds.forEach(([from, to], index) => {
        const set = seen[index] as Set<string>;
        const count = counts[index] as Map<string, number>;
        if (entry.at < from || entry.at >= to || set.has(entry.stage) || !count.has(entry.stage)) return;
        set.add(entry.stage);
        count.set(entry.stage, (count.get(entry.stage) ?? 0) + 1);
      });
    }
  }
  return counts;
}

/** The trailing window: the whole local months before the month containing `asOf`. */
export function goalTreeWindow(asOf: Date, timezone: string): ReportPeriod {
  const local = localDay(asOf, timezone);
  const index = Number(local.slice(0, 4)) * 12 + Number(local.slice(5, 7)) - 1;
  const day = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`;
  return {
    from: zonedTimeToInstant(day(index - goalTreeWindowMonths), '00:00', timezone),
    to: zonedTimeToInstant(day(index), '00:00', timezone),
    timezone,
  };
}
