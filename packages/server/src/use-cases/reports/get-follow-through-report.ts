import { defaultAttemptDays, type FollowThroughReport, followThroughFromOutcomes } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import { openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

/** The most days attempts are counted over (the API's bound; the CLI's too, through here). */
const maxAttemptDays = 90;

/**
 * Sales follow-through of a period's hand-overs: worked share, time to first touch, attempts,
 * verdicts, by team and rep. The database works out each hand-over's outcome
 * (`followThroughOutcomes`, core's `handOverOutcomes` definitions); core figures the report.
 */
export async function getFollowThroughReport(
  query: ReportQuery & { attemptDays?: number },
  deps: ReportDeps,
): Promise<FollowThroughReport> {
  const attemptDays = query.attemptDays ?? defaultAttemptDays;
  if (!Number.isInteger(attemptDays) || attemptDays < 1 || attemptDays > maxAttemptDays)
    throw new AppError('VALIDATION_FAILED', {
      message: `attemptDays: a whole number from 1 to ${maxAttemptDays}, got ${attemptDays}`,
      details: { field: 'attemptDays' },
    });
  const context = await openReport(query, deps);
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
