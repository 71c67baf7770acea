import type { InsightsResult, LeadHistory } from '@smarketing/core';

/** A learned score fitted on a workspace's history, with the histories it scores leads from. */
export type ScoreModel = {
  agreementVersion: number;
  result: InsightsResult;
  byContact: ReadonlyMap<string, LeadHistory>;
};

/** What a fitted score depends on: the workspace, its agreement version, the last fact read and the horizon. */
type ScoreModelKey = {
  workspaceId: string;
  agreementVersion: number;
  watermark: number;
  horizonDays: number | undefined;
};

export type ScoreModelCache = {
  find(key: ScoreModelKey): ScoreModel | undefined;
  save(key: ScoreModelKey, model: ScoreModel): void;
  /** How many models were fitted and saved (a miss each), for tests and metrics. */
  readonly saved: number;
};

/**
 * The fitted score per workspace, kept while neither the agreement version nor the fact
 * watermark (the engine's horizon: any new fact moves it) changes. One entry per workspace; the
 * least recently used workspace goes beyond `capacity`.
 */
export function createScoreModelCache(capacity = 4): ScoreModelCache {
  const entries = new Map<string, { key: string; model: ScoreModel }>();
  let saved = 0;
  const keyOf = (key: ScoreModelKey) =>
    `${key.agreementVersion}|${key.watermark}|${key.horizonDays ?? 'default'}`;
  return {
    find(key) {
      const entry = entries.get(key.workspaceId);
      if (entry === undefined || entry.key !== keyOf(key)) return undefined;
      entries.delete(key.workspaceId);
      entries.set(key.workspaceId, entry);
      return entry.model;
    },
    save(key, model) {
      entries.delete(key.workspaceId);
      entries.set(key.workspaceId, { key: keyOf(key), model });
      saved++;
      while (entries.size > capacity) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    get saved() {
      return saved;
    },
  };
}
