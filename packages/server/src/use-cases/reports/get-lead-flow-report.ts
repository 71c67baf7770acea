import {
  flowRows,
  invalidReasons,
  type LeadFlowReport,
  leadFlowFromCounts,
  leadStageOf,
} from '@smarketing/core';
import { loadValueBasis, openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

/**
 * Leads and MQLs per month (or week) of a period, their change and their quality. The database
 * counts (`leadFlowCounts`, core's `countLeadFlow` definitions in one statement); core shapes the
 * report.
 */
export async function getLeadFlowReport(query: ReportQuery, deps: ReportDeps): Promise<LeadFlowReport> {
  const context = await openReport(query, deps);
  const unit = query.unit ?? 'month';
  const { agreement, period } = context;
  // From the month (or week) before the period, for the first row's change.
  const rows = flowRows(period, unit);
  // The counts and the value basis are independent reads: on PostgreSQL they run side by side.
  const [counts, basis] = await Promise.all([
    deps.repos.reports.leadFlowCounts(
      query.workspaceId,
      { from: rows[0]?.from ?? period.from, to: period.to, filters: context.filters, asOf: context.asOf },
      {
        stages: agreement.stages.map((stage) => stage.id),
        leadStage: leadStageOf(agreement),
        mqlStage: agreement.sla.marketing.stage,
        invalidReasons: invalidReasons(agreement),
        rows,
        total: period,
      },
    ),
    loadValueBasis(query.workspaceId, agreement, context.asOf, deps),
  ]);
  return leadFlowFromCounts({ ...context, unit, basis, counts });
}
