import {
  advanceState,
  applyInput,
  type ContactState,
  type EngineEffects,
  type EngineInput,
  type EngineWorld,
  mergeStates,
  newContactState,
  nextDueAt,
} from './contact-engine.ts';

/** A scheduler tick: timers due by `at` fire here in the order. */
export type EngineTick = { kind: 'tick'; seq: number; at: number };
export type EngineStep = EngineInput | EngineTick;

/**
 * Where the engine keeps contact states while it works. Live processing loads the states a batch
 * needs into a map; a replay keeps every state in memory.
 */
export type ContactStateStore = {
  get(contactId: string): ContactState | undefined;
  set(state: ContactState): void;
  /** Contacts with a timer due by `at`, in any order. */
  dueBy(at: number): string[];
};

/** Applies one step (a fact or a tick); answers the ids of the contacts whose state changed. */
export function processStep(
  world: EngineWorld,
  store: ContactStateStore,
  step: EngineStep,
  effects: EngineEffects,
): string[] {
  if (step.kind === 'tick') {
    const due = store.dueBy(step.at).sort();
    for (const contactId of due) {
      const state = store.get(contactId);
      if (state !== undefined) store.set(advanceState(world, state, step.at, effects));
    }
    return due;
  }
  let state = store.get(step.contactId);
  // Facts still keyed by a contact that was merged away belong to the one it was merged into;
  // a reassignment names the contact a person chose, so a merged one ignores it.
  const follows = step.kind !== 'contact' && step.kind !== 'reassign';
  for (let hops = 0; state?.mergedIntoId !== undefined && follows && hops < 16; hops++) {
    state = store.get(state.mergedIntoId) ?? state;
    if (state.mergedIntoId !== undefined && store.get(state.mergedIntoId) === undefined) break;
  }
  state ??= newContactState(world.agreement, step.contactId);
  const wasMerged = state.mergedIntoId !== undefined;
  state = applyInput(world, state, step, effects);
  store.set(state);
  const touched = [state.contactId];
  if (!wasMerged && state.mergedIntoId !== undefined) {
    const survivor = store.get(state.mergedIntoId);
    if (survivor !== undefined) {
      store.set(mergeStates(world, survivor, state, effects));
      touched.push(survivor.contactId);
    }
  }
  return touched;
}

/**
 * A store that keeps every state in memory with a min-heap of due times, for replay and tests.
 * Heap entries are checked against the state when popped, so stale ones cost nothing. `changes`
 * counts the times a contact's state was set, so a caller can tell whether it changed since.
 */
export function createMemoryStateStore(
  world: EngineWorld,
  initial: Iterable<ContactState> = [],
): ContactStateStore & {
  all(): IterableIterator<ContactState>;
  size(): number;
  changes(contactId: string): number;
} {
  type Entry = { state: ContactState; changes: number; dirty: boolean };
  const entries = new Map<string, Entry>();
  const heap: { at: number; contactId: string }[] = [];
  const push = (at: number, contactId: string) => {
    heap.push({ at, contactId });
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((heap[parent] as { at: number }).at <= at) break;
      [heap[parent], heap[index]] = [
        heap[index] as (typeof heap)[number],
        heap[parent] as (typeof heap)[number],
      ];
      index = parent;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && (heap[left] as { at: number }).at < (heap[smallest] as { at: number }).at)
          smallest = left;
        if (right < heap.length && (heap[right] as { at: number }).at < (heap[smallest] as { at: number }).at)
          smallest = right;
        if (smallest === index) break;
        [heap[smallest], heap[index]] = [
          heap[index] as (typeof heap)[number],
          heap[smallest] as (typeof heap)[number],
        ];
        index = smallest;
      }
    }
    return top;
  };
  // When a state is next due is worked out lazily, at the next tick, once however many facts
  // changed the contact meanwhile (a replay folds millions of facts and few ticks).
  const dirty: Entry[] = [];
  // The entry `get` found last: a fold sets the state it has just got, without a second lookup.
  let found: Entry | undefined;
  const set = (state: ContactState) => {
    let entry =
      found !== undefined && found.state.contactId === state.contactId ? found : entries.get(state.contactId);
    if (entry === undefined) {
      entry = { state, changes: 0, dirty: false };
      entries.set(state.contactId, entry);
    }
    entry.state = state;
    entry.changes += 1;
    if (!entry.dirty) {
      entry.dirty = true;
      dirty.push(entry);
    }
    found = entry;
  };
  const flush = () => {
    for (const entry of dirty) {
      entry.dirty = false;
      const due = nextDueAt(world, entry.state);
      if (due !== undefined) push(due, entry.state.contactId);
    }
    dirty.length = 0;
  };
  for (const state of initial) set(state);
  return {
    get(contactId) {
      const entry = entries.get(contactId);
      if (entry !== undefined) found = entry;
      return entry?.state;
    },
    set,
    dueBy(at) {
      flush();
      const due = new Set<string>();
      while (heap.length > 0 && (heap[0] as { at: number }).at <= at) {
        const entry = pop();
        if (entry === undefined) break;
        const state = entries.get(entry.contactId)?.state;
        const current = state === undefined ? undefined : nextDueAt(world, state);
        if (current !== undefined && current <= at) due.add(entry.contactId);
      }
      return [...due];
    },
    *all() {
      for (const entry of entries.values()) yield entry.state;
    },
    size: () => entries.size,
    changes: (contactId) => entries.get(contactId)?.changes ?? 0,
  };
}
