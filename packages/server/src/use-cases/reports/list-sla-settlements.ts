import { type SlaSettlement, toSettlement } from './close-sla-period.ts';
import type { ReportDeps } from './report-context.ts';

/** The closed SLA periods of a workspace, oldest first. */
export async function listSlaSettlements(
  options: { workspaceId: string },
  deps: Pick<ReportDeps, 'repos'>,
): Promise<SlaSettlement[]> {
  return (await deps.repos.reports.listSettlements(options.workspaceId)).map(toSettlement);
}
