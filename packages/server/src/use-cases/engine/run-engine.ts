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
} from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import type { EngineWrite } from '../../repositories/engine.repository.ts';
import { createRepositories, type Repositories } from '../../repositories/index.ts';

/** Notifications about things older than this are not sent: nobody can act on them any more (history loads). */
const notifyWithinMs = 24 * 3_600_000;

export type EngineRunResult = {
  /** Facts and ticks processed. */
  steps: number;
  /** True when every committed fact has been processed. */
  caughtUp: boolean;
  notifications: number;
};

/**
 * Processes the next facts of a workspace that the engine has not seen, in the order they were
 * stored, in one transaction: load the contact states they touch, fold the facts in (core), save
 * states, transitions, assignments, clocks, alerts and the notifications to send, and move the
 * cursor. Crash-safe: the cursor moves in the same transaction as the rows it accounts for.
 */
export async function runEngine(
  deps: Pick<Deps, 'database' | 'clock'>,
  options: { workspaceId: string; maxSteps?: number },
): Promise<EngineRunResult> {
  const { workspaceId } = options;
  const limit = options.maxSteps ?? 2_000;
  const horizon = await deps.database.db.transaction((tx) =>
    createRepositories(tx).engine.readHorizon(workspaceId),
  );
  return deps.database.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    await repos.engine.lockEngine(workspaceId);
    const latest = await repos.agreementVersions.findLatest(workspaceId);
    if (latest === undefined) return { steps: 0, caughtUp: true, notifications: 0 };
    const agreement = latest.parsed as Agreement;
    const cursor = (await repos.engine.findCursor(workspaceId)) ?? {
      cursor: 0,
      routing: emptyRoutingState(),
      agreementVersion: latest.version,
    };
    if (cursor.cursor >= horizon) return { steps: 0, caughtUp: true, notifications: 0 };

    const { steps, through } = await repos.engine.readSteps(workspaceId, cursor.cursor, horizon, limit);
    const store = await loadStore(repos, workspaceId, agreement, steps, cursor.routing);
    const world = store.world;
    const effects: EngineEffects = emptyEffects();
    const touched = new Set<string>();
    for (const step of steps) {
      for (const contactId of processStep(world, store, step, effects)) touched.add(contactId);
    }
    const now = deps.clock();
    const write: EngineWrite = {
      states: [...touched].flatMap((contactId) => {
        const state = store.get(contactId);
        return state === undefined ? [] : [storedState(world, state, latest.version)];
      }),
      ...effects,
      accountOwners: [...store.changedOwners].map(([accountId, repId]) => ({ accountId, repId })),
      agreementVersion: latest.version,
    };
    await repos.engine.write(workspaceId, write);
    const fresh = effects.notifications.filter((note) => now.getTime() - note.at <= notifyWithinMs);
    await repos.notifications.enqueue(
      workspaceId,
      fresh.map((note) => ({
        id: note.id,
        kind: note.kind,
        contactId: note.contactId,
        payload: { ...note.payload, occurredAt: new Date(note.at).toISOString() },
        createdAt: now,
      })),
    );
    await repos.engine.saveCursor(
      workspaceId,
      { cursor: through, routing: world.routing, agreementVersion: latest.version },
      now,
    );
    return { steps: steps.length, caughtUp: through >= horizon, notifications: fresh.length };
  });
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
  deps: Pick<Deps, 'database' | 'clock'>,
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

type LiveStore = ContactStateStore & { world: EngineWorld; changedOwners: Map<string, string> };

/**
 * The states a batch needs, in memory: the contacts its facts name, the contacts they were
 * merged into, and, for its ticks, every contact with a timer due by the last tick.
 */
async function loadStore(
  repos: Repositories,
  workspaceId: string,
  agreement: Agreement,
  steps: Awaited<ReturnType<Repositories['engine']['readSteps']>>['steps'],
  routing: EngineWorld['routing'],
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
  if (lastTick !== undefined) {
    for (const contactId of await repos.engine.findDueContactIds(workspaceId, new Date(lastTick)))
      wanted.add(contactId);
  }
  const states = new Map<string, ContactState>();
  let missing = [...wanted];
  while (missing.length > 0) {
    const loaded = await repos.engine.loadStates(workspaceId, missing);
    const next: string[] = [];
    for (const state of loaded) {
      states.set(state.contactId, state);
      if (state.accountId !== null) accountIds.add(state.accountId);
      if (state.mergedIntoId !== undefined && !states.has(state.mergedIntoId)) next.push(state.mergedIntoId);
    }
    missing = next.filter((id) => !wanted.has(id));
    for (const id of missing) wanted.add(id);
  }
  const owners = await repos.engine.findAccountOwners(workspaceId, [...accountIds]);
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
