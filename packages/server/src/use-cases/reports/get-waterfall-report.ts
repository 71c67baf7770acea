import {
  balanceStages,
  cohortOffsets,
  followedStages,
  leadStageOf,
  periodBuckets,
  type WaterfallReport,
  waterfallFromCounts,
} from '@smarketing/core';
import { openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

/**
 * Monthly (or weekly) cohorts of new leads and how far each got; stage balances per month. The
 * database counts (`waterfallCounts`, core's `countWaterfall` definitions in one statement); core
 * shapes the report.
 */
export async function getWaterfallReport(query: ReportQuery, deps: ReportDeps): Promise<WaterfallReport> {
  const context = await openReport(query, deps);
  const unit = query.unit ?? 'month';
  const { agreement, period, asOf } = context;
  const counts = await deps.repos.reports.waterfallCounts(
    query.workspaceId,
    // Everyone who was in the funnel before the period ended: balances need where each one stood.
    { to: period.to, filters: context.filters, asOf },
    {
      stages: agreement.stages.map((stage) => stage.id),
      leadStage: leadStageOf(agreement),
      followed: followedStages(agreement),
      balanceStages: balanceStages(agreement),
      rows: periodBuckets(period, unit).map((bucket) => ({
        from: bucket.from.getTime(),
        to: bucket.to.getTime(),
        untils: cohortOffsets(bucket, unit, period.timezone, asOf),
      })),
    },
  );
  return waterfallFromCounts({ ...context, unit, counts });
}
