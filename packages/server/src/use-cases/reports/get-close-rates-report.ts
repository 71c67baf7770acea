import { becameLeadAt, buildCloseRates, type CloseRatesReport } from '@smarketing/core';
import { loadTimelines, openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

/** Lead → customer close rates by source, campaign, persona and quadrant; win rate, sales cycle and stage velocity. */
export async function getCloseRatesReport(query: ReportQuery, deps: ReportDeps): Promise<CloseRatesReport> {
  const context = await openReport(query, deps);
  const { period, filters, asOf, agreement } = context;
  const timelines = await loadTimelines(
    query.workspaceId,
    { from: period.from, to: period.to, filters, asOf },
    deps,
  );
  // Only the period's cohort (who became a lead in it) is broken down by segment: their segments
  // alone are read (a person's first campaign scans its activities).
  const from = period.from.getTime();
  const to = period.to.getTime();
  const cohort = timelines.flatMap((timeline) => {
    const at = becameLeadAt(timeline, agreement);
    return at !== undefined && at >= from && at < to ? [timeline.personId] : [];
  });
  const segments = await deps.repos.salesReports.listPersonSegments(query.workspaceId, cohort, asOf);
  const deals = await deps.repos.salesReports.listDeals(query.workspaceId, {
    from: period.from,
    to: period.to,
    asOf,
    filters,
    timezone: agreement.timezone,
  });
  return buildCloseRates({ ...context, timelines, segments, deals });
}
