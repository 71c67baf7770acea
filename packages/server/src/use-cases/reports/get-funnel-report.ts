import { buildFunnel, type FunnelReport } from '@smarketing/core';
import { loadTimelines, openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

/** The funnel of a period and segment: entries per stage, conversion and time in stage, in both views. */
export async function getFunnelReport(query: ReportQuery, deps: ReportDeps): Promise<FunnelReport> {
  const context = await openReport(query, deps);
  const timelines = await loadTimelines(
    query.workspaceId,
    { from: context.period.from, to: context.period.to, filters: context.filters, asOf: context.asOf },
    deps,
  );
  return buildFunnel({ ...context, timelines });
}
