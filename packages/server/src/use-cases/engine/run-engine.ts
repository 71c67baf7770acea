import {
  type Agreement,
  type ContactState,
  type ContactStateStore,
  type EngineEffects,
  type EngineWorld,
  emptyEffects,
  emptyRoutingState,
  evaluateInterest,
  nextDueAt,
  processStep,
  type RoutingState,
} from '@smarketing/core';
import type { SQL } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import { createRepositories, type Repositories } from '../../repositories/index.ts';
import type { NewNotification } from '../../repositories/notification.repository.ts';

/** Notifications about things older than this are not sent: nobody can act on them any more (history loads). */
const notifyWithinMs = 24 * 3_600_000;

/** Conflicts in a row before a round gives up (another engine committing every time we try). */
const maxConflicts = 100;

export type EngineRunResult = {
  /** Facts and ticks processed. */
  steps: number;
  /** True when every committed fact has been processed. */
  caughtUp: boolean;
  notifications: number;
};

type EngineDeps = Pick<Deps, 'database' | 'clock'>;

/**
 * What a round leaves for the next one to build on before it has committed: where its cursor
 * ends, the routing state, and the states and account owners it wrote.
 */
type RoundOutcome = {
  through: number;
  routing: RoutingState;
  states: ReadonlyMap<string, ContactState>;
  owners: ReadonlyMap<string, string>;
};

/**
 * The states the engine last wrote for a workspace, kept between rounds by the worker so that a
 * contact active again soon is not read back from the database. Valid while the cursor row is at
 * `version` (nothing but this worker wrote since): a round that finds it elsewhere, or a refused
 * or failed commit, empties it. Oldest first; at most `capacity` states.
 */
export type EngineStateCache = {
  version: string | null | undefined;
  states: Map<string, ContactState>;
  capacity: number;
};

export function createEngineStateCache(capacity: number): EngineStateCache {
  return { version: undefined, states: new Map(), capacity };
}

/** A round folded in memory, its rows serialised, ready to commit. */
type PreparedRound = RoundOutcome & {
  steps: number;
  caughtUp: boolean;
  agreementVersion: number;
  /** The cursor row's version the round read, when it did not build on a round in flight. */
  basedOn: string | null | undefined;
  /** The round's rows and its new cursor, as one statement. */
  write: SQL;
  notifications: NewNotification[];
};

/**
 * A round of the engine is prepared outside any transaction — read the horizon and the next
 * facts, load the states they touch, fold them in (core), serialise the rows — and committed in
 * a short transaction that takes the engine's lock, checks that the cursor row is still the one
 * the round was built on (its `xmin`), and writes states, transitions, assignments, clocks,
 * alerts, notifications and the new cursor together. Crash-safe: the cursor moves in the same
 * transaction as the rows it accounts for; a round whose base changed (another engine, a replay,
 * an erasure) is refused and prepared again.
 *
 * Because the preparation needs no lock, the worker prepares the next round while the database
 * commits this one (`runEnginePipelined`): the next round builds on this one's states in memory
 * and commits only after it.
 */
async function prepareRound(
  deps: EngineDeps,
  workspaceId: string,
  limit: number,
  after: RoundOutcome | undefined,
  horizonPast: HorizonSource,
  cache?: EngineStateCache,
): Promise<PreparedRound | undefined> {
  const repos = createRepositories(deps.database.db);
  const latest = await findAgreement(repos, workspaceId);
  if (latest === undefined) return undefined;
  const base =
    after === undefined
      ? await repos.engine.findCursor(workspaceId)
      : { cursor: after.through, routing: after.routing, version: undefined };
  const cursor = base?.cursor ?? 0;
  if (cache !== undefined && after === undefined && cache.version !== (base?.version ?? null)) {
    cache.states.clear();
    cache.version = base?.version ?? null;
  }
  const horizon = await horizonPast(cursor);
  if (cursor >= horizon) return undefined;
  const { steps, through } = await repos.engine.readSteps(workspaceId, cursor, horizon, limit);
  const store = await loadStore(
    repos,
    workspaceId,
    latest.agreement,
    steps,
    structuredClone(base?.routing ?? emptyRoutingState()),
    after,
    cache,
  );
  const world = store.world;
  const effects: EngineEffects = emptyEffects();
  const touched = new Set<string>();
  for (const step of steps) {
    for (const contactId of processStep(world, store, step, effects)) touched.add(contactId);
  }
  const at = deps.clock();
  const states = new Map<string, ContactState>();
  for (const contactId of touched) {
    const state = store.get(contactId);
    if (state === undefined) continue;
    states.set(contactId, state);
    if (cache !== undefined) {
      cache.states.delete(contactId);
      cache.states.set(contactId, state);
    }
  }
  if (cache !== undefined) {
    for (const contactId of cache.states.keys()) {
      if (cache.states.size <= cache.capacity) break;
      cache.states.delete(contactId);
    }
  }
  // With the cursor saved by the same statement, which answers the cursor row's new version.
  const write = repos.engine.buildWrite(
    workspaceId,
    {
      states: [...states.values()].map((state) => storedState(world, state, latest.version)),
      ...effects,
      accountOwners: [...store.changedOwners].map(([accountId, repId]) => ({ accountId, repId })),
      agreementVersion: latest.version,
    },
    { cursor: { cursor: through, routing: world.routing, agreementVersion: latest.version }, at },
  );
  const notifications = effects.notifications
    .filter((note) => at.getTime() - note.at <= notifyWithinMs)
    .map((note) => ({
      id: note.id,
      kind: note.kind,
      contactId: note.contactId,
      // A copy: the next round may change the states the payload was made from before this commits.
      payload: structuredClone({ ...note.payload, occurredAt: new Date(note.at).toISOString() }),
      createdAt: at,
    }));
  return {
    steps: steps.length,
    caughtUp: through >= horizon,
    through,
    routing: world.routing,
    states,
    owners: store.changedOwners,
    agreementVersion: latest.version,
    basedOn: after === undefined ? (base === undefined ? null : (base.version ?? null)) : undefined,
    write,
    notifications,
  };
}

/**
 * Commits a prepared round if the cursor row is still at `expected` (its version when the round
 * was built, or the version the round before it committed) and the agreement has not changed.
 * Answers the cursor row's new version, or undefined when the round was refused.
 */
/**
 * The horizon (see `readHorizon`) for a round whose cursor is at `cursor`: a horizon past it if
 * one is known, else a fresh one.
 */
type HorizonSource = (cursor: number) => Promise<number>;

function readHorizon(deps: EngineDeps, workspaceId: string): Promise<number> {
  return createRepositories(deps.database.db).engine.readHorizon(workspaceId);
}

/**
 * Horizons read ahead, for a run of rounds: reading one waits for the ingest writer's transaction
 * in progress, so every call starts a read (unless one is under way) and answers at once with
 * the latest horizon known if it is past the cursor, waiting only when nothing past it is known.
 */
function horizonsAhead(deps: EngineDeps, workspaceId: string): HorizonSource {
  let known = 0;
  let reading: Promise<number> | undefined;
  return async (cursor) => {
    if (reading === undefined) {
      const started = readHorizon(deps, workspaceId).then((horizon) => {
        known = Math.max(known, horizon);
        return horizon;
      });
      reading = started.finally(() => {
        reading = undefined;
      });
      // Awaited below, or by a later round; a failure meanwhile is not an unhandled one.
      reading.catch(() => undefined);
    }
    return known > cursor ? known : reading;
  };
}

async function commitRound(
  deps: EngineDeps,
  workspaceId: string,
  round: PreparedRound,
  expected: string | null,
): Promise<string | undefined> {
  return deps.database.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    await repos.engine.lockEngine(workspaceId);
    const base = await repos.engine.readBase(workspaceId);
    if (base.version !== expected || base.agreementVersion !== round.agreementVersion) return undefined;
    await repos.notifications.enqueue(workspaceId, round.notifications);
    return (await repos.engine.runWrite(round.write)) ?? '';
  });
}

/**
 * Processes the next facts of a workspace that the engine has not seen (at most `maxSteps`), in
 * the order they were stored, as one committed round.
 */
export async function runEngine(
  deps: EngineDeps,
  options: { workspaceId: string; maxSteps?: number },
): Promise<EngineRunResult> {
  const { workspaceId } = options;
  const limit = options.maxSteps ?? 2_000;
  for (let conflicts = 0; ; conflicts++) {
    const round = await prepareRound(deps, workspaceId, limit, undefined, () =>
      readHorizon(deps, workspaceId),
    );
    if (round === undefined) return { steps: 0, caughtUp: true, notifications: 0 };
    const committed = await commitRound(deps, workspaceId, round, round.basedOn ?? null);
    if (committed !== undefined)
      return { steps: round.steps, caughtUp: round.caughtUp, notifications: round.notifications.length };
    if (conflicts >= maxConflicts) throw new Error(`engine round refused ${maxConflicts} times in a row`);
  }
}

/**
 * Runs the engine of a workspace until it has processed every committed fact, preparing each
 * round while the database commits the one before (the database's work and Node's overlap). A
 * refused commit drops the round prepared on top of it and starts again from the database.
 * `onCommitted` hears of every committed round; `shouldStop` is asked between rounds.
 */
export async function runEnginePipelined(
  deps: EngineDeps,
  options: {
    workspaceId: string;
    maxSteps?: number;
    onCommitted?: (result: EngineRunResult) => void | Promise<void>;
    shouldStop?: () => boolean;
    /** Between rounds, e.g. to let requests that arrived meanwhile run (one Node thread serves both). */
    between?: () => Promise<void>;
    /** States kept from earlier rounds and calls (the worker keeps one per workspace). */
    cache?: EngineStateCache;
  },
): Promise<EngineRunResult & { refused: number }> {
  const { workspaceId } = options;
  const limit = options.maxSteps ?? 2_000;
  const total = { steps: 0, caughtUp: false, notifications: 0, refused: 0 };
  let inFlight: { round: PreparedRound; commit: Promise<string | undefined> } | undefined;
  let lastVersion: string | undefined;
  let conflicts = 0;
  const horizonPast = horizonsAhead(deps, workspaceId);
  const { cache } = options;
  /** The cache holds states of rounds that did not commit: drop them. */
  const forget = () => {
    if (cache === undefined) return;
    cache.states.clear();
    cache.version = undefined;
  };
  for (;;) {
    let next: PreparedRound | undefined;
    try {
      next = await prepareRound(deps, workspaceId, limit, inFlight?.round, horizonPast, cache);
    } catch (error) {
      forget();
      await inFlight?.commit.catch(() => undefined);
      throw error;
    }
    if (inFlight !== undefined) {
      const version = await inFlight.commit.catch((error: unknown) => {
        forget();
        throw error;
      });
      const { round } = inFlight;
      inFlight = undefined;
      if (version === undefined) {
        forget();
        total.refused++;
        if (++conflicts >= maxConflicts)
          throw new Error(`engine round refused ${maxConflicts} times in a row`);
        lastVersion = undefined;
        continue;
      }
      conflicts = 0;
      lastVersion = version;
      if (cache !== undefined) cache.version = version;
      const result = {
        steps: round.steps,
        caughtUp: round.caughtUp,
        notifications: round.notifications.length,
      };
      total.steps += result.steps;
      total.notifications += result.notifications;
      await options.onCommitted?.(result);
    }
    if (next === undefined) return { ...total, caughtUp: true };
    const expected = next.basedOn !== undefined ? next.basedOn : (lastVersion ?? null);
    const commit = commitRound(deps, workspaceId, next, expected);
    // Handled when awaited; until then a failure must not count as unhandled.
    commit.catch(() => undefined);
    inFlight = { round: next, commit };
    if (options.shouldStop?.()) {
      const version = await inFlight.commit.catch((error: unknown) => {
        forget();
        throw error;
      });
      if (version === undefined) forget();
      else {
        if (cache !== undefined) cache.version = version;
        total.steps += next.steps;
        total.notifications += next.notifications.length;
        await options.onCommitted?.({
          steps: next.steps,
          caughtUp: next.caughtUp,
          notifications: next.notifications.length,
        });
      }
      return total;
    }
    await options.between?.();
  }
}

/** A contact's state as stored, with when it is next due and its interest explanation. */
export function storedState(world: EngineWorld, state: ContactState, agreementVersion: number) {
  return {
    state,
    nextDueAt: nextDueAt(world, state),
    agreementVersion,
    interestExplanation: evaluateInterest(state.interest, world.agreement, state.now).contributions,
  };
}

/** Runs the engine until it has processed every committed fact of the workspace. */
export async function runEngineUntilCaughtUp(
  deps: EngineDeps,
  options: { workspaceId: string; maxSteps?: number },
): Promise<EngineRunResult> {
  const total: EngineRunResult = { steps: 0, caughtUp: false, notifications: 0 };
  for (;;) {
    const result = await runEngine(deps, options);
    total.steps += result.steps;
    total.notifications += result.notifications;
    if (result.caughtUp) return { ...total, caughtUp: true };
  }
}

/**
 * Parsed agreements by workspace and version. Versions never change once stored, and the engine
 * keeps what it works out from an agreement (rule targets, activity indexes) per parsed object,
 * so the same object is handed out for as long as the version is the latest.
 */
const agreements = new Map<string, { version: number; checksum: string; agreement: Agreement }>();

async function findAgreement(
  repos: Repositories,
  workspaceId: string,
): Promise<{ version: number; agreement: Agreement } | undefined> {
  const latest = await repos.agreementVersions.findLatestVersion(workspaceId);
  if (latest === undefined) return undefined;
  // The checksum too: a restored backup may bring other documents under the same numbers.
  const known = agreements.get(workspaceId);
  if (known?.version === latest.version && known.checksum === latest.checksum) return known;
  const row = await repos.agreementVersions.findLatest(workspaceId);
  if (row === undefined) return undefined;
  const found = { version: row.version, checksum: row.checksum, agreement: row.parsed as Agreement };
  if (agreements.size >= 1_000) agreements.clear();
  agreements.set(workspaceId, found);
  return found;
}

type LiveStore = ContactStateStore & { world: EngineWorld; changedOwners: Map<string, string> };

/**
 * The states a batch needs, in memory: the contacts its facts name, the contacts they were
 * merged into, and, for its ticks, every contact with a timer due by the last tick. States and
 * account owners the round before wrote (`after`, maybe not committed yet) are taken from it,
 * then from the cache, the rest from the database.
 */
async function loadStore(
  repos: Repositories,
  workspaceId: string,
  agreement: Agreement,
  steps: Awaited<ReturnType<Repositories['engine']['readSteps']>>['steps'],
  routing: EngineWorld['routing'],
  after: RoundOutcome | undefined,
  cache: EngineStateCache | undefined,
): Promise<LiveStore> {
  const wanted = new Set<string>();
  const accountIds = new Set<string>();
  let lastTick: number | undefined;
  for (const step of steps) {
    if (step.kind === 'tick') {
      lastTick = Math.max(lastTick ?? step.at, step.at);
      continue;
    }
    wanted.add(step.contactId);
    if (step.kind === 'contact') {
      if (step.mergedIntoId !== null) wanted.add(step.mergedIntoId);
      if (step.accountId !== null) accountIds.add(step.accountId);
    }
  }
  const owners = new Map<string, string>();
  const changedOwners = new Map<string, string>();
  const world: EngineWorld = {
    agreement,
    routing,
    accountOwner: (accountId) => owners.get(accountId),
    ownerChanged: (accountId, repId) => {
      owners.set(accountId, repId);
      changedOwners.set(accountId, repId);
    },
  };
  if (lastTick !== undefined) {
    for (const contactId of await repos.engine.findDueContactIds(workspaceId, new Date(lastTick)))
      wanted.add(contactId);
    // The round before may have set timers the database does not hold yet.
    for (const state of after?.states.values() ?? []) {
      const due = nextDueAt(world, state);
      if (due !== undefined && due <= lastTick) wanted.add(state.contactId);
    }
  }
  const states = new Map<string, ContactState>();
  let missing = [...wanted];
  while (missing.length > 0) {
    const fromDatabase: string[] = [];
    const loaded: ContactState[] = [];
    for (const contactId of missing) {
      const carried = after?.states.get(contactId) ?? cache?.states.get(contactId);
      if (carried === undefined) fromDatabase.push(contactId);
      else loaded.push(carried);
    }
    loaded.push(...(await repos.engine.loadStates(workspaceId, fromDatabase)));
    const next: string[] = [];
    for (const state of loaded) {
      states.set(state.contactId, state);
      if (state.accountId !== null) accountIds.add(state.accountId);
      if (state.mergedIntoId !== undefined && !states.has(state.mergedIntoId)) next.push(state.mergedIntoId);
    }
    missing = next.filter((id) => !wanted.has(id));
    for (const id of missing) wanted.add(id);
  }
  const stored = await repos.engine.findAccountOwners(
    workspaceId,
    [...accountIds].filter((accountId) => !after?.owners.has(accountId)),
  );
  for (const accountId of accountIds) {
    const owner = after?.owners.get(accountId) ?? stored.get(accountId);
    if (owner !== undefined) owners.set(accountId, owner);
  }
  return {
    world,
    changedOwners,
    get: (contactId) => states.get(contactId),
    set: (state) => {
      states.set(state.contactId, state);
    },
    dueBy: (at) =>
      [...states.values()]
        .filter((state) => {
          const due = nextDueAt(world, state);
          return due !== undefined && due <= at;
        })
        .map((state) => state.contactId),
  };
}
