import {
  type Agreement,
  type ContactState,
  createMemoryStateStore,
  type EngineEffects,
  type EngineStep,
  type EngineWorld,
  emptyEffects,
  emptyRoutingState,
  nextDueAt,
  processStep,
} from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import type { EngineWrite } from '../../repositories/engine.repository.ts';
import { createRepositories } from '../../repositories/index.ts';
import { storedState } from './run-engine.ts';

type StoredState = ReturnType<typeof storedState>;

export type ReplayProgress = { steps: number; through: number; horizon: number };

export type ReplayResult = {
  agreementVersion: number;
  steps: number;
  contacts: number;
  transitions: number;
  assignments: number;
  clocks: number;
  alerts: number;
  /** States written with the chunk that finished them, before the end of the fold. */
  statesEarly: number;
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
    // The person timelines are refreshed here, each person once its transitions are all written,
    // rather than by the transitions' trigger after every chunk: starting with those erased.
    await repos.engine.deferTimelines();
    const staleTimelines = new Set(await repos.engine.eraseDerived(workspaceId));

    const owners = new Map<string, string>();
    const world: EngineWorld = {
      agreement: row.parsed as Agreement,
      routing: emptyRoutingState(),
      accountOwner: (accountId) => owners.get(accountId),
      ownerChanged: (accountId, repId) => owners.set(accountId, repId),
    };
    const store = createMemoryStateStore(world);
    const totals = { steps: 0, transitions: 0, assignments: 0, clocks: 0, alerts: 0, statesEarly: 0 };
    const clockIds = new Set<string>();
    const effectsWrite = (effects: EngineEffects, states: StoredState[]): EngineWrite => {
      for (const clock of effects.clocks) clockIds.add(clock.id);
      totals.transitions += effects.transitions.length;
      totals.assignments += effects.assignments.length;
      totals.alerts += effects.alerts.length;
      return { states, accountOwners: [], agreementVersion: row.version, ...effects };
    };
    // How many changes each state written early had when it was written (`store.changes`).
    const written = new Map<string, number>();
    const prepare = (state: ContactState) => {
      written.set(state.contactId, store.changes(state.contactId));
      return storedState(world, state, row.version);
    };
    const unwritten = (contactId: string) => written.get(contactId) !== store.changes(contactId);
    // The rows are serialised when a write is queued (the fold goes on changing the states).
    const write = (rows: EngineWrite) => {
      const statement = repos.engine.buildWrite(workspaceId, rows);
      return statement === undefined ? undefined : () => repos.engine.runWrite(statement);
    };
    const noEffects = { ...emptyEffects(), accountOwners: [], agreementVersion: row.version };
    // A pipeline: the database reads the next chunk and writes the rows of those before while the
    // engine folds this one. On PostgreSQL that overlaps the reading and writing with the fold;
    // PGlite runs them in turn.
    const queue = createStatementQueue(3);
    try {
      let reading = pending(queue.read(() => repos.engine.readSteps(workspaceId, 0, horizon, chunk)));
      // Read behind the first chunk, while it is folded: when each contact's last fact comes.
      const finals = settled(queue.read(() => repos.engine.readLastFacts(workspaceId, horizon)));
      let nextFinal = 0;
      for (;;) {
        const { steps, through } = await reading;
        if (through < horizon)
          reading = pending(queue.read(() => repos.engine.readSteps(workspaceId, through, horizon, chunk)));
        const effects = emptyEffects();
        for (let index = 0; index < steps.length; index++) {
          processStep(world, store, steps[index] as EngineStep, effects);
          // Now and then the database is let to answer and be handed its next statement.
          if (index % foldSlice === 0) await yieldToDatabase();
        }
        totals.steps += steps.length;
        for (const move of effects.transitions) staleTimelines.add(move.contactId);
        // The states this chunk finished go with its rows: a contact none of whose facts is left, with
        // no timer a later tick could fire (after the last tick, none can). A state that changes
        // after all (a contact merged into it later) is simply written again at the end. Their
        // persons' timelines are refreshed right after.
        const done: StoredState[] = [];
        const refresh: string[] = [];
        const last = finals.value;
        if (last !== undefined && through < horizon) {
          const ticksOver = through >= last.lastTick;
          for (; nextFinal < last.contacts.length; nextFinal++) {
            const { contactId, seq } = last.contacts[nextFinal] as { contactId: string; seq: number };
            if (seq > through) break;
            const state = store.get(contactId);
            if (state === undefined || !unwritten(contactId)) continue;
            if (!ticksOver && nextDueAt(world, state) !== undefined) continue;
            done.push(prepare(state));
            if (staleTimelines.delete(contactId)) refresh.push(contactId);
          }
        }
        totals.statesEarly += done.length;
        await queue.write(write(effectsWrite(effects, done)));
        if (refresh.length > 0) await queue.write(() => repos.engine.refreshTimelines(workspaceId, refresh));
        options.onProgress?.({ steps: totals.steps, through, horizon });
        if (through >= horizon) break;
      }
      await queue.drain();
      await finals.promise;

      // The states not written yet, a chunk at a time: the next chunk is prepared while the database
      // stores one. Then the timelines not refreshed yet, and the accounts' owners.
      totals.clocks = clockIds.size;
      const stateChunk = Math.min(chunk, 5_000);
      const rest = [...store.all()].filter((state) => unwritten(state.contactId));
      for (let start = 0; start < rest.length; start += stateChunk) {
        const states = rest.slice(start, start + stateChunk).map(prepare);
        await queue.write(write({ ...noEffects, states }));
      }
      const stale = [...staleTimelines];
      for (let start = 0; start < stale.length; start += stateChunk) {
        const contactIds = stale.slice(start, start + stateChunk);
        await queue.write(() => repos.engine.refreshTimelines(workspaceId, contactIds));
      }
      const accountOwners = [...owners].map(([accountId, repId]) => ({ accountId, repId }));
      await queue.write(write({ ...noEffects, states: [], accountOwners }));
      await queue.drain();
    } finally {
      await queue.stop();
    }
    await repos.engine.saveCursor(
      workspaceId,
      { cursor: horizon, routing: world.routing, agreementVersion: row.version },
      deps.clock(),
    );
    return { agreementVersion: row.version, contacts: store.size(), ...totals };
  });
}

/** A promise whose failure is reported where it is awaited, not as an unhandled rejection meanwhile. */
function pending<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** A promise whose value, once it has one, can be read without waiting. */
function settled<T>(promise: Promise<T>): { promise: Promise<T>; value: T | undefined } {
  const box: { promise: Promise<T>; value: T | undefined } = { promise: pending(promise), value: undefined };
  promise.then(
    (value) => {
      box.value = value;
    },
    () => undefined,
  );
  return box;
}

/**
 * Lets queued statements go out before a stretch of synchronous work: the drivers send a query
 * a few promise turns after it is asked for, so without this it would wait for the work to end.
 */
function yieldToDatabase(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How many facts the fold takes between two chances for the database to answer. */
const foldSlice = 2_000;

/**
 * The statements of one transaction, run one after another (its connection runs one at a time,
 * and node-postgres deprecates handing it the next before the last has answered): reads before
 * the writes waiting, since the fold waits for the reads. `read` and `write` queue a statement;
 * `write` first waits until fewer than `depth` writes are unanswered; `drain` waits for every
 * write and throws the first failure, which every statement queued after it also fails with; `stop` runs nothing more and waits for the statement
 * running, so that a failed transaction never ends (rolls back, frees its connection) while one
 * of its statements is still to go out.
 */
function createStatementQueue(depth: number) {
  type Job = {
    statement: () => Promise<unknown>;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  };
  const reads: Job[] = [];
  const waiting: Job[] = [];
  const writes: Promise<unknown>[] = [];
  let running: Promise<unknown> | undefined;
  let stopped = false;
  // After a statement fails the transaction is aborted: the statements after it fail with that
  // first error (not PostgreSQL's "current transaction is aborted"), so it is the one reported.
  let failure: { error: unknown } | undefined;
  const next = () => {
    if (running !== undefined) return;
    const job = reads.shift() ?? waiting.shift();
    if (job === undefined) return;
    const result =
      failure !== undefined
        ? Promise.reject(failure.error)
        : stopped
          ? Promise.reject(new Error('The replay stopped.'))
          : new Promise<unknown>((resolve) => resolve(job.statement()));
    const failed = (error: unknown) => {
      failure ??= { error };
      job.reject(error);
    };
    running = result.then(job.resolve, failed).finally(() => {
      running = undefined;
      next();
    });
  };
  const queue = <T>(jobs: Job[], statement: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      jobs.push({ statement, resolve: resolve as (value: unknown) => void, reject });
      next();
    });
  return {
    read: <T>(statement: () => Promise<T>): Promise<T> => queue(reads, statement),
    async write(statement: (() => Promise<unknown>) | undefined): Promise<void> {
      if (statement === undefined) return;
      while (writes.length >= depth) await writes.shift();
      writes.push(pending(queue(waiting, statement)));
      await yieldToDatabase();
    },
    async drain(): Promise<void> {
      while (writes.length > 0) await writes.shift();
    },
    async stop(): Promise<void> {
      stopped = true;
      while (running !== undefined) await running;
    },
  };
}
