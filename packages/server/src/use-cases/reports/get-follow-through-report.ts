import { defaultAttemptDays, type FollowThroughReport, followThroughFromOutcomes } from '@smarketing/core';
import { openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

/**
 * Sales follow-through of a period's hand-overs: worked share, time to first touch, attempts,
 * verdicts, by team and rep. The database works out each hand-over's outcome
 * (`followThroughOutcomes`, core's `handOverOutcomes` definitions); core figures the report.
 */
export async function getFollowThroughReport(
  query: ReportQuery & { attemptDays?: number },
  deps: ReportDeps,
): Promise<FollowThroughReport> {
  const context = await openReport(query, deps);
  const attemptDays = query.attemptDays ?? defaultAttemptDays;
  const outcomes = await deps.repos.salesReports.followThroughOutcomes(query.workspaceId, {
    from: context.period.from,
    to: context.period.to,
    asOf: context.asOf,
    filters: context.filters,
    attemptDays,
    qualifyingTouches: context.agreement.sla.sales.qualifyingTouches,
  });
  return followThroughFromOutcomes({ ...context, attemptDays, outcomes });
}
