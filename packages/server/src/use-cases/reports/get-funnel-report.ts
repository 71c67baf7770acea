import { type FunnelReport, funnelFromCounts } from '@smarketing/core';
import { openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

/**
 * The funnel of a period and segment: entries per stage, conversion and time in stage, in both
 * views. The database counts (`funnelCounts`, core's `countFunnel` definitions in one statement);
 * core shapes the report.
 */
export async function getFunnelReport(query: ReportQuery, deps: ReportDeps): Promise<FunnelReport> {
  const context = await openReport(query, deps);
  const counts = await deps.repos.reports.funnelCounts(
    query.workspaceId,
    { from: context.period.from, to: context.period.to, filters: context.filters, asOf: context.asOf },
    {
      stages: context.agreement.stages.map((stage) => stage.id),
      detours: context.agreement.detours.map((detour) => detour.id),
    },
  );
  return funnelFromCounts({ ...context, counts });
}
