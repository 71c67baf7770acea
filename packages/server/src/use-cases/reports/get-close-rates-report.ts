import { type CloseRatesReport, closeRatesFromCounts, leadStageOf } from '@smarketing/core';
import { openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

/**
 * Lead → customer close rates by source, campaign, persona and quadrant; win rate, sales cycle and
 * stage velocity. The database counts (`closeRateCounts`, core's `countCloseRates` definitions);
 * core shapes the report.
 */
export async function getCloseRatesReport(query: ReportQuery, deps: ReportDeps): Promise<CloseRatesReport> {
  const context = await openReport(query, deps);
  const { period, agreement } = context;
  const counts = await deps.repos.salesReports.closeRateCounts(query.workspaceId, {
    from: period.from,
    to: period.to,
    asOf: context.asOf,
    filters: context.filters,
    timezone: agreement.timezone,
    currency: agreement.currency,
    stages: agreement.stages.map((stage) => stage.id),
    leadStage: leadStageOf(agreement),
  });
  return closeRatesFromCounts({ ...context, counts });
}
