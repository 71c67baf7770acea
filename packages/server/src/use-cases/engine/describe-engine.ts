import {
  type Agreement,
  describeDistribution,
  emptyRoutingState,
  type TeamDistribution,
} from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';

export type EngineStatus = {
  /** Facts stored but not processed yet by the engine. */
  pending: number;
  cursor: number;
  lastRunAt: Date | null;
  contacts: number;
  agreementVersion: number | null;
  routing: TeamDistribution[];
};

/**
 * How the engine stands in a workspace: how far behind the stored facts it is, and how leads have
 * been shared among each sales team's reps against their capacity (the fairness of routing).
 */
export async function describeEngine(
  options: { workspaceId: string },
  deps: Pick<Deps, 'repos' | 'clock'>,
): Promise<EngineStatus> {
  const latest = await deps.repos.agreementVersions.findLatest(options.workspaceId);
  if (latest === undefined)
    throw new AppError('NOT_FOUND', { message: 'The workspace has no agreement yet.' });
  const agreement = latest.parsed as Agreement;
  const cursor = await deps.repos.engine.findCursor(options.workspaceId);
  const progress = await deps.repos.engine.describeProgress(options.workspaceId);
  const pending = await deps.repos.engine.countPending(options.workspaceId, progress.cursor);
  const routing = cursor?.routing ?? emptyRoutingState();
  const now = deps.clock();
  return {
    pending,
    cursor: progress.cursor,
    lastRunAt: progress.updatedAt,
    contacts: progress.contacts,
    agreementVersion: cursor?.agreementVersion ?? null,
    routing: agreement.teams
      .filter((team) => team.kind === 'sales')
      .flatMap((team) => describeDistribution(agreement, routing, team.id, now) ?? []),
  };
}
