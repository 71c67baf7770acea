import { buildCloseRates, type CloseRatesReport } from '@smarketing/core';
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
  const segments = await deps.repos.salesReports.listPersonSegments(
    query.workspaceId,
    timelines.map((timeline) => timeline.personId),
    asOf,
  );
  const deals = await deps.repos.salesReports.listDeals(query.workspaceId, {
    from: period.from,
    to: period.to,
    asOf,
    filters,
    timezone: agreement.timezone,
  });
  return buildCloseRates({ ...context, timelines, segments, deals });
}
