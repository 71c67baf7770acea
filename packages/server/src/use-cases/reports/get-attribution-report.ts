import { type AttributionReport, buildAttribution, leadStageOf, localDay } from '@smarketing/core';
import { openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

/** Revenue won in a period credited to sources and campaigns under six attribution models, and ROI on imported spend. */
export async function getAttributionReport(
  query: ReportQuery & { halfLifeDays?: number },
  deps: ReportDeps,
): Promise<AttributionReport> {
  const context = await openReport(query, deps);
  const { agreement, period, filters, asOf } = context;
  const ids = agreement.stages.map((stage) => stage.id);
  // The facts and the spend are independent reads: on PostgreSQL they run side by side.
  const [facts, spend] = await Promise.all([
    deps.repos.salesReports.listAttributionFacts(query.workspaceId, {
      from: period.from,
      to: period.to,
      asOf,
      filters,
      timezone: agreement.timezone,
      leadStages: ids.slice(Math.max(0, ids.indexOf(leadStageOf(agreement)))),
    }),
    deps.repos.salesReports.listSpend(
      query.workspaceId,
      localDay(period.from, period.timezone),
      localDay(period.to, period.timezone),
    ),
  ]);
  return buildAttribution({
    ...context,
    ...(query.halfLifeDays === undefined ? {} : { halfLifeDays: query.halfLifeDays }),
    ...facts,
    spend,
  });
}
