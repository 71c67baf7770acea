import { buildWaterfall, type WaterfallReport } from '@smarketing/core';
import { loadTimelines, openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

/** Monthly (or weekly) cohorts of new leads and how far each got; stage balances per month. */
export async function getWaterfallReport(query: ReportQuery, deps: ReportDeps): Promise<WaterfallReport> {
  const context = await openReport(query, deps);
  // Everyone who was in the funnel before the period ended: balances need where each one stood.
  const timelines = await loadTimelines(
    query.workspaceId,
    { to: context.period.to, filters: context.filters, asOf: context.asOf },
    deps,
  );
  return buildWaterfall({ ...context, unit: query.unit ?? 'month', timelines });
}
