import { buildLeadFlow, invalidReasons, type LeadFlowReport, previousBucket } from '@smarketing/core';
import {
  loadTimelines,
  loadValueBasis,
  openReport,
  type ReportDeps,
  type ReportQuery,
} from './report-context.ts';

/** Leads and MQLs per month (or week) of a period, their change and their quality. */
export async function getLeadFlowReport(query: ReportQuery, deps: ReportDeps): Promise<LeadFlowReport> {
  const context = await openReport(query, deps);
  const unit = query.unit ?? 'month';
  // From the month (or week) before the period, for the first row's change.
  const selection = {
    from: previousBucket(context.period.from, unit, context.period.timezone).from,
    to: context.period.to,
    filters: context.filters,
    asOf: context.asOf,
  };
  const timelines = await loadTimelines(query.workspaceId, selection, deps);
  const persons = await deps.repos.reports.listPersonFacts(
    query.workspaceId,
    selection,
    invalidReasons(context.agreement),
  );
  const basis = await loadValueBasis(query.workspaceId, context.agreement, context.asOf, deps);
  return buildLeadFlow({ ...context, unit, timelines, persons, basis });
}
