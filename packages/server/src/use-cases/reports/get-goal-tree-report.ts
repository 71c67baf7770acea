import {
  buildGoalTree,
  type GoalTreeReport,
  goalTreeRanges,
  goalTreeStages,
  goalTreeWindow,
  localDay,
  resolveGoalPeriod,
  type SegmentFilters,
} from '@smarketing/core';
import { loadAgreement, type ReportDeps, unwrapPeriod } from './report-context.ts';

export type GoalTreeQuery = {
  workspaceId: string;
  /** `2027`, `2027-Q2` or `2027-03`; default: the year running now (agreement time zone). */
  period?: string;
  filters?: SegmentFilters;
};

/** From the revenue goal down to the deals, opportunities, SQLs, MQLs and leads needed per month, and the gap. */
export async function getGoalTreeReport(query: GoalTreeQuery, deps: ReportDeps): Promise<GoalTreeReport> {
  const { agreement, agreementVersion } = await loadAgreement(query.workspaceId, deps);
  const asOf = deps.clock();
  const label = query.period ?? localDay(asOf, agreement.timezone).slice(0, 4);
  const period = unwrapPeriod(resolveGoalPeriod(label, agreement.timezone));
  const window = goalTreeWindow(asOf, agreement.timezone);
  const filters = query.filters ?? {};
  const from = new Date(Math.min(period.from.getTime(), window.from.getTime()));
  const to = new Date(Math.max(period.to.getTime(), window.to.getTime()));
  // Counted in the database over the rollup: the window's entries, then the period's and its months'.
  const stages = goalTreeStages(agreement);
  const [windowRange, periodRange, ...months] = goalTreeRanges(period, window);
  // Early in a year the trailing window is the year just asked for: its counts are the period's.
  const sameSpan =
    windowRange !== undefined &&
    periodRange !== undefined &&
    windowRange.from.getTime() === periodRange.from.getTime() &&
    windowRange.to.getTime() === periodRange.to.getTime();
  // Independent reads: on PostgreSQL they run side by side. The period's and the window's entries
  // (a year each, mostly the same) are counted in one pass.
  const [entries, deals] = await Promise.all([
    deps.repos.reports.countStageEntries(query.workspaceId, {
      spans: sameSpan ? [periodRange ?? period] : [periodRange ?? period, windowRange ?? window],
      rows: months,
      stages,
      filters,
      asOf,
    }),
    deps.repos.salesReports.listDeals(query.workspaceId, {
      from,
      to,
      asOf,
      filters,
      timezone: agreement.timezone,
      // The tree reads won deals only (their amounts and close dates): the rest are not sent.
      wonOnly: true,
    }),
  ]);
  const [inPeriod = new Map<string, number>(), inWindow = inPeriod] = entries.spans;
  return buildGoalTree({
    agreement,
    agreementVersion,
    period,
    window,
    asOf,
    filters,
    entryCounts: [inWindow, inPeriod, ...entries.rows],
    deals,
  });
}
