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
import type { ScoreModel, ScoreModelCache } from './score-model-cache.ts';

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
  upTo: number,
): Promise<{ histories: LeadHistory[]; steps: EngineStep[] }> {
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

/**
 * The last fact sequence number committed for the workspace (the engine's horizon): every fact a
 * read up to it sees is committed, and any new fact moves it.
 */
async function readWatermark(workspaceId: string, deps: InsightsDeps): Promise<number> {
  // The horizon takes the workspace's ingest lock: in a transaction of its own, as a replay does.
  return createRepositories(deps.database.db).engine.readHorizon(workspaceId);
}

/** The analysis of the workspace's stored history under its current agreement, as of now. */
export async function analyzeWorkspace(query: InsightsQuery, deps: InsightsDeps, keepSteps = false) {
  const current = await loadCurrentAgreement(query.workspaceId, deps);
  const watermark = await readWatermark(query.workspaceId, deps);
  return analyzeUpTo(query, deps, current, watermark, keepSteps);
}

async function analyzeUpTo(
  query: InsightsQuery,
  deps: InsightsDeps,
  current: Awaited<ReturnType<typeof loadCurrentAgreement>>,
  watermark: number,
  keepSteps: boolean,
) {
  const { histories, steps } = await readHistory(query.workspaceId, deps, keepSteps, watermark);
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

/**
 * The learned score of the workspace, fitted on its history, from `cache` while the agreement
 * version and the fact watermark are those it was fitted at (new facts or a new agreement refit it).
 */
export async function findOrFitScoreModel(
  query: InsightsQuery,
  deps: InsightsDeps,
  cache: ScoreModelCache,
): Promise<ScoreModel> {
  const current = await loadCurrentAgreement(query.workspaceId, deps);
  const watermark = await readWatermark(query.workspaceId, deps);
  const key = {
    workspaceId: query.workspaceId,
    agreementVersion: current.agreementVersion,
    watermark,
    horizonDays: query.horizonDays,
  };
  const cached = cache.find(key);
  if (cached !== undefined) return cached;
  const { histories, result } = await analyzeUpTo(query, deps, current, watermark, false);
  const model: ScoreModel = {
    agreementVersion: current.agreementVersion,
    result,
    byContact: new Map(histories.map((history) => [history.contactId, history])),
  };
  cache.save(key, model);
  return model;
}
