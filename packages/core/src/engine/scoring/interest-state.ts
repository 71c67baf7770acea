import type { Agreement } from '../../agreement/agreement-schema.ts';
import { listConditions } from '../../agreement/condition.ts';

export const dayMs = 86_400_000;

/** One activity's history, summarised: `sum` is its points decayed to the state's `anchorAt`. */
export type ActivityTally = { sum: number; count: number; firstAt: number; lastAt: number };

/**
 * A contact's interest, kept incrementally and exactly. Decay is memoryless, so each activity's
 * points are one sum valued at a common instant, `anchorAt` (epoch ms, the latest activity
 * recorded): a point earned at `t` is worth `points × 0.5^((anchorAt − t) / halfLife)` there,
 * and moving the anchor later multiplies every sum by the same factor. `recent` keeps the latest
 * timestamps of each activity (sorted, oldest first), as many as the agreement's frequency rules
 * and activity conditions can ask for (see `computeRecentBound`). Plain JSON; store it as is.
 * A state belongs to one agreement version: replay the facts when the half-life or points change.
 */
export type InterestState = {
  anchorAt: number;
  activities: Record<string, ActivityTally>;
  recent: Record<string, number[]>;
};

export function emptyInterestState(): InterestState {
  return { anchorAt: 0, activities: {}, recent: {} };
}

/** `0.5^(elapsed / halfLife)`. */
export function decayFactor(agreement: Agreement, elapsedMs: number): number {
  return 0.5 ** (elapsedMs / (agreement.interest.halfLifeDays * dayMs));
}

const boundsCache = new WeakMap<Agreement, Map<string, number>>();

/**
 * How many of an activity's latest timestamps a state keeps: the largest `atLeast` of the
 * frequency rules and of the `{ activity, atLeast }` conditions (stage entries, fit and routing
 * rules, personas) that name the activity, and at least 1.
 */
export function computeRecentBound(agreement: Agreement, activityId: string): number {
  let bounds = boundsCache.get(agreement);
  if (bounds === undefined) {
    bounds = new Map();
    const raise = (id: string, atLeast: number) => bounds?.set(id, Math.max(bounds.get(id) ?? 1, atLeast));
    for (const rule of agreement.interest.frequency) raise(rule.activity, rule.atLeast);
    const roots = [
      ...agreement.stages.flatMap((stage) => (stage.entry === undefined ? [] : [stage.entry])),
      ...agreement.fit.rules.map((rule) => rule.when),
      ...agreement.routing.rules.map((rule) => rule.when),
      ...agreement.personas.map((persona) => persona.match),
    ];
    for (const root of roots) {
      for (const { condition } of listConditions(root)) {
        if ('activity' in condition) raise(condition.activity, condition.atLeast ?? 1);
      }
    }
    boundsCache.set(agreement, bounds);
  }
  return bounds.get(activityId) ?? 1;
}

/** The instant a state is read at: a summary cannot forget, so a moment before its anchor reads as the anchor. */
export function effectiveInstant(state: InterestState, at: number): number {
  return hasActivities(state) ? Math.max(at, state.anchorAt) : at;
}

/**
 * Whether the state holds any activity. A state's anchor moves only when an activity is recorded,
 * so one with an anchor other than 0 has some; only a 0 anchor (an empty state, or activities at
 * the epoch itself) needs its tallies looked at — the fold asks this for every fact.
 */
function hasActivities(state: InterestState): boolean {
  if (state.anchorAt !== 0) return true;
  for (const _ in state.activities) return true;
  return false;
}

/**
 * The state with one more activity at `at`; the given state is not changed. Timestamps may
 * arrive in any order: the result is the same (up to floating-point rounding) as recording
 * them sorted. The anchor moves to the latest instant seen, keeping every sum at most its
 * undecayed total. Ids the agreement does not define are ignored (the state is returned).
 */
export function recordInterestActivity(
  state: InterestState,
  agreement: Agreement,
  activityId: string,
  at: number,
): InterestState {
  if (!Number.isFinite(at)) throw new Error(`activity time must be finite epoch milliseconds; got ${at}`);
  if (findActivity(agreement, activityId) === undefined) return state;
  const activities: Record<string, ActivityTally> = {};
  for (const [id, tally] of Object.entries(state.activities)) activities[id] = { ...tally };
  // A copy that shares nothing with the given state, so updating it in place later leaves that one alone.
  const recent: Record<string, number[]> = {};
  for (const [id, times] of Object.entries(state.recent)) recent[id] = [...times];
  return recordInterestActivityInPlace(
    { anchorAt: state.anchorAt, activities, recent },
    agreement,
    activityId,
    at,
  );
}

/**
 * `recordInterestActivity` that updates the given state and returns it, with the same arithmetic
 * (so the same sums to the last bit): for the engine's fold, which owns its states and would
 * otherwise copy every tally and the timestamps list for each of millions of facts. Nothing else
 * may hold on to the state's tallies or timestamp lists.
 */
export function recordInterestActivityInPlace(
  state: InterestState,
  agreement: Agreement,
  activityId: string,
  at: number,
): InterestState {
  if (!Number.isFinite(at)) throw new Error(`activity time must be finite epoch milliseconds; got ${at}`);
  const activity = findActivity(agreement, activityId);
  if (activity === undefined) return state;

  const empty = !hasActivities(state);
  const anchorAt = empty ? at : Math.max(state.anchorAt, at);
  // 0.5^0 is exactly 1: most facts come in time order, and move the anchor to themselves.
  const shift = empty || anchorAt === state.anchorAt ? 1 : decayFactor(agreement, anchorAt - state.anchorAt);
  if (shift !== 1) {
    for (const id in state.activities) {
      const tally = state.activities[id] as ActivityTally;
      tally.sum = tally.sum * shift;
    }
  }
  const value = anchorAt === at ? activity.points : activity.points * decayFactor(agreement, anchorAt - at);
  const previous = state.activities[activityId];
  if (previous === undefined)
    state.activities[activityId] = { sum: value, count: 1, firstAt: at, lastAt: at };
  else {
    previous.sum = previous.sum + value;
    previous.count = previous.count + 1;
    previous.firstAt = Math.min(previous.firstAt, at);
    previous.lastAt = Math.max(previous.lastAt, at);
  }

  let times = state.recent[activityId];
  if (times === undefined) {
    times = [];
    state.recent[activityId] = times;
  }
  let index = times.length;
  while (index > 0 && (times[index - 1] ?? 0) > at) index -= 1;
  const bound = computeRecentBound(agreement, activityId);
  if (times.length === bound) {
    // Full: inserting at `index` then dropping the oldest is shifting the older ones down by one
    // (or nothing, when the new time is the oldest), without the lists `splice` would make.
    for (let slot = 1; slot < index; slot++) times[slot - 1] = times[slot] as number;
    if (index > 0) times[index - 1] = at;
  } else {
    times.splice(index, 0, at);
    if (times.length > bound) times.splice(0, times.length - bound);
  }
  state.anchorAt = anchorAt;
  return state;
}

const activityIndexes = new WeakMap<Agreement, Map<string, Agreement['interest']['activities'][number]>>();

/** The agreement's interest activity with this id, from an index built once per agreement. */
function findActivity(agreement: Agreement, activityId: string) {
  let index = activityIndexes.get(agreement);
  if (index === undefined) {
    index = new Map();
    // The first definition wins, as `Array.find` would.
    for (const activity of agreement.interest.activities)
      if (!index.has(activity.id)) index.set(activity.id, activity);
    activityIndexes.set(agreement, index);
  }
  return index.get(activityId);
}

/**
 * How many times the contact did an activity: all time, or within the `withinDays` days up to
 * `at` (both ends included). Within a window the count is exact up to the bound the agreement
 * needs (`computeRecentBound`) and stops there, which is all a rule or condition can ask.
 */
export function countActivity(
  state: InterestState,
  activityId: string,
  at: number,
  withinDays?: number,
): number {
  if (withinDays === undefined) return state.activities[activityId]?.count ?? 0;
  const until = effectiveInstant(state, at);
  const since = until - withinDays * dayMs;
  let count = 0;
  for (const time of state.recent[activityId] ?? []) if (time >= since && time <= until) count += 1;
  return count;
}
