import {
  type Agreement,
  createMemoryStateStore,
  type EngineEffects,
  type EngineWorld,
  emptyEffects,
  emptyRoutingState,
  processStep,
} from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createRepositories } from '../../repositories/index.ts';
import { storedState } from './run-engine.ts';

export type ReplayProgress = { steps: number; through: number; horizon: number };

export type ReplayResult = {
  agreementVersion: number;
  steps: number;
  contacts: number;
  transitions: number;
  assignments: number;
  clocks: number;
  alerts: number;
};

/**
 * Rebuilds everything the engine derives for a workspace (contact states, scores, the engine's
 * stage transitions, assignments, SLA clocks, alerts, account owners) from the stored facts, in
 * the order they were stored, under the current or a given agreement version: the same fold live
 * processing runs, so with the same version it produces the same rows. One transaction: readers
 * see the old rows until the new ones are complete, and a crash leaves the old ones. Sends no
 * notification. Facts that arrive meanwhile are left to live processing, which resumes after it.
 */
export async function replayEngine(
  deps: Pick<Deps, 'database' | 'clock'>,
  options: {
    workspaceId: string;
    agreementVersion?: number;
    chunk?: number;
    onProgress?: (progress: ReplayProgress) => void;
  },
): Promise<ReplayResult> {
  const { workspaceId } = options;
  const chunk = options.chunk ?? 20_000;
  const horizon = await deps.database.db.transaction((tx) =>
    createRepositories(tx).engine.readHorizon(workspaceId),
  );
  return deps.database.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    await repos.engine.lockEngine(workspaceId);
    const row =
      options.agreementVersion === undefined
        ? await repos.agreementVersions.findLatest(workspaceId)
        : await repos.agreementVersions.find(workspaceId, options.agreementVersion);
    if (row === undefined) {
      throw new AppError('NOT_FOUND', {
        message:
          options.agreementVersion === undefined
            ? 'No agreement has been applied to this workspace; there is nothing to replay under.'
            : `The workspace has no agreement version ${options.agreementVersion}.`,
      });
    }
    await repos.engine.eraseDerived(workspaceId);

    const owners = new Map<string, string>();
    const world: EngineWorld = {
      agreement: row.parsed as Agreement,
      routing: emptyRoutingState(),
      accountOwner: (accountId) => owners.get(accountId),
      ownerChanged: (accountId, repId) => owners.set(accountId, repId),
    };
    const store = createMemoryStateStore(world);
    const totals = { steps: 0, transitions: 0, assignments: 0, clocks: 0, alerts: 0 };
    let after = 0;
    let effects: EngineEffects = emptyEffects();
    const clockIds = new Set<string>();
    const flush = async () => {
      for (const clock of effects.clocks) clockIds.add(clock.id);
      totals.transitions += effects.transitions.length;
      totals.assignments += effects.assignments.length;
      totals.alerts += effects.alerts.length;
      await repos.engine.write(workspaceId, {
        states: [],
        accountOwners: [],
        agreementVersion: row.version,
        ...effects,
      });
      effects = emptyEffects();
    };
    for (;;) {
      const { steps, through } = await repos.engine.readSteps(workspaceId, after, horizon, chunk);
      for (const step of steps) processStep(world, store, step, effects);
      totals.steps += steps.length;
      after = through;
      await flush();
      options.onProgress?.({ steps: totals.steps, through, horizon });
      if (through >= horizon) break;
    }

    const states = [...store.all()];
    totals.clocks = clockIds.size;
    for (let start = 0; start < states.length; start += chunk) {
      await repos.engine.write(workspaceId, {
        states: states.slice(start, start + chunk).map((state) => storedState(world, state, row.version)),
        ...emptyEffects(),
        accountOwners: [],
        agreementVersion: row.version,
      });
    }
    await repos.engine.write(workspaceId, {
      states: [],
      ...emptyEffects(),
      accountOwners: [...owners].map(([accountId, repId]) => ({ accountId, repId })),
      agreementVersion: row.version,
    });
    await repos.engine.saveCursor(
      workspaceId,
      { cursor: horizon, routing: world.routing, agreementVersion: row.version },
      deps.clock(),
    );
    return { agreementVersion: row.version, contacts: states.length, ...totals };
  });
}
