import { buildFollowThrough, type FollowThroughReport } from '@smarketing/core';
import { openReport, type ReportDeps, type ReportQuery } from './report-context.ts';

/** Sales follow-through of a period's hand-overs: worked share, time to first touch, attempts, verdicts, by team and rep. */
export async function getFollowThroughReport(
  query: ReportQuery & { attemptDays?: number },
  deps: ReportDeps,
): Promise<FollowThroughReport> {
  const context = await openReport(query, deps);
  const facts = await deps.repos.salesReports.listFollowThroughFacts(query.workspaceId, {
    from: context.period.from,
    to: context.period.to,
    asOf: context.asOf,
    filters: context.filters,
  });
  return buildFollowThrough({
    ...context,
    ...(query.attemptDays === undefined ? {} : { attemptDays: query.attemptDays }),
    ...facts,
  });
}
