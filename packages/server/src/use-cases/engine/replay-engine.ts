import {
  type Agreement,
  createMemoryStateStore,
  type EngineEffects,
  type EngineStep,
  type EngineWorld,
  emptyEffects,
  emptyRoutingState,
  processStep,
} from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import type { EngineWrite } from '../../repositories/engine.repository.ts';
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
  const horizon = await createRepositories(deps.database.db).engine.readHorizon(workspaceId);
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
    const clockIds = new Set<string>();
    const effectsWrite = (effects: EngineEffects): EngineWrite => {
      for (const clock of effects.clocks) clockIds.add(clock.id);
      totals.transitions += effects.transitions.length;
      totals.assignments += effects.assignments.length;
      totals.alerts += effects.alerts.length;
      return { states: [], accountOwners: [], agreementVersion: row.version, ...effects };
    };
    // A pipeline: the database reads the next chunk while the engine folds the second half of this
    // one, and writes this chunk's rows while it folds the first half of the next. On PostgreSQL
    // that overlaps most of the reading and writing with the fold; PGlite runs them in turn.
    const writes = createPipeline(2);
    let reading = pending(repos.engine.readSteps(workspaceId, 0, horizon, chunk));
    for (;;) {
      const { steps, through } = await reading;
      const half = steps.length >> 1;
      const effects = emptyEffects();
      for (let index = 0; index < half; index++)
        processStep(world, store, steps[index] as EngineStep, effects);
      await writes.drain();
      if (through < horizon) reading = pending(repos.engine.readSteps(workspaceId, through, horizon, chunk));
      await yieldToDatabase();
      for (let index = half; index < steps.length; index++)
        processStep(world, store, steps[index] as EngineStep, effects);
      totals.steps += steps.length;
      await writes.add(() => repos.engine.write(workspaceId, effectsWrite(effects)));
      options.onProgress?.({ steps: totals.steps, through, horizon });
      if (through >= horizon) break;
    }
    await writes.drain();

    // The states, a chunk at a time: the next chunk is prepared while the database stores one.
    const states = [...store.all()];
    totals.clocks = clockIds.size;
    const stateChunk = Math.min(chunk, 5_000);
    for (let start = 0; start < states.length; start += stateChunk) {
      const prepared = states
        .slice(start, start + stateChunk)
        .map((state) => storedState(world, state, row.version));
      await writes.add(() =>
        repos.engine.write(workspaceId, {
          states: prepared,
          ...emptyEffects(),
          accountOwners: [],
          agreementVersion: row.version,
        }),
      );
    }
    await writes.drain();
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

/** A promise whose failure is reported where it is awaited, not as an unhandled rejection meanwhile. */
function pending<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Lets queued statements go out before a stretch of synchronous work: the drivers send a query
 * a few promise turns after it is asked for, so without this it would wait for the work to end.
 */
function yieldToDatabase(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * At most `depth` writes in flight: `add` waits for room, starts the write and lets it go out;
 * `drain` waits for all and throws the first failure.
 */
function createPipeline(depth: number) {
  const inFlight: Promise<void>[] = [];
  return {
    async add(start: () => Promise<void>): Promise<void> {
      while (inFlight.length >= depth) await inFlight.shift();
      inFlight.push(pending(start()));
      await yieldToDatabase();
    },
    async drain(): Promise<void> {
      while (inFlight.length > 0) await inFlight.shift();
    },
  };
}
