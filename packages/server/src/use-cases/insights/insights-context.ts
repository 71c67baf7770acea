import {
  type Agreement,
  analyzeInsights,
  createHistoryCollector,
  type EngineStep,
  type InsightsResult,
  type LeadHistory,
} from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createRepositories } from '../../repositories/index.ts';

export type InsightsDeps = Pick<Deps, 'database' | 'repos' | 'clock'>;

/** What an analysis is asked: the horizon of a win and the smallest sample worth a row. */
export type InsightsQuery = { workspaceId: string; horizonDays?: number; minLeads?: number };

const chunk = 20_000;

/** The workspace's current agreement (parsed and as written), or NOT_FOUND. */
async function loadCurrentAgreement(workspaceId: string, deps: InsightsDeps) {
  const latest = await deps.repos.agreementVersions.findLatest(workspaceId);
  if (latest === undefined)
    throw new AppError('NOT_FOUND', { message: 'The workspace has no agreement yet.' });
  return {
    agreement: latest.parsed as Agreement,
    agreementVersion: latest.version,
    document: latest.document,
  };
}

/**
 * Every stored fact of the workspace in the engine's order, up to the committed horizon, read in
 * chunks (the same reads as a replay); nothing is written. `keep` keeps the steps for a second
 * pass (a backtest replays them twice).
 */
async function readHistory(
  workspaceId: string,
  deps: InsightsDeps,
  keep: boolean,
): Promise<{ histories: LeadHistory[]; steps: EngineStep[] }> {
  // The horizon takes the workspace's ingest lock: in a transaction of its own, as a replay does.
  const upTo = await deps.database.db.transaction((tx) =>
    createRepositories(tx).engine.readHorizon(workspaceId),
  );
  const collector = createHistoryCollector();
  const steps: EngineStep[] = [];
  let after = 0;
  while (after < upTo) {
    const read = await deps.repos.engine.readSteps(workspaceId, after, upTo, chunk);
    for (const step of read.steps) {
      collector.add(step);
      if (keep) steps.push(step);
    }
    after = read.through;
  }
  for (const origin of await deps.repos.insights.listOrigins(workspaceId)) {
    collector.setOrigin(origin.contactId, origin);
  }
  return { histories: collector.finish(), steps };
}

/** The analysis of the workspace's stored history under its current agreement, as of now. */
export async function analyzeWorkspace(query: InsightsQuery, deps: InsightsDeps, keepSteps = false) {
  const current = await loadCurrentAgreement(query.workspaceId, deps);
  const { histories, steps } = await readHistory(query.workspaceId, deps, keepSteps);
  let result: InsightsResult;
  try {
    result = analyzeInsights(current.agreement, histories, {
      asOf: deps.clock().getTime(),
      ...(query.horizonDays === undefined ? {} : { horizonDays: query.horizonDays }),
      ...(query.minLeads === undefined ? {} : { minLeads: query.minLeads }),
    });
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', { message: (error as Error).message });
  }
  return { ...current, histories, steps, result };
}
