import type { Agreement } from '../../agreement/agreement-schema.ts';
import { type Contribution, formatPoints, roundPoints, sortContributions } from './contribution.ts';
import {
  type ActivityTally,
  computeRecentBound,
  countActivity,
  dayMs,
  decayFactor,
  effectiveInstant,
  type InterestState,
} from './interest-state.ts';

export type InterestResult = {
  /** The interest score at the moment asked, rounded to one decimal; never below 0. */
  score: number;
  /** The same score unrounded. */
  exactScore: number;
  /**
   * Largest absolute points first, points rounded to one decimal: each activity (after its own
   * cap), each frequency rule that holds, and the adjustments of group caps, the total cap and
   * the floor; unrounded they add up to the score. Lines that round to 0 are left out.
   */
  contributions: Contribution[];
};

/** The lowest interest score; negative activities cannot push a lead below it. */
export const interestFloor = 0;

/**
 * The interest score at `at` (epoch ms), from a state built by `recordInterestActivity`.
 *
 * 1. Each activity's points, decayed to `at` (half-life from the agreement). An activity with
 *    positive points is limited to its `cap` after decay: five pricing views at once count 30,
 *    not 50, and stay at 30 until decay brings them below.
 * 2. Positive activities of a group share the group's cap in `groupCaps`.
 * 3. Each frequency rule that holds at `at` (at least `atLeast` of its activity within the
 *    `withinDays` days up to `at`) adds its points in full: they do not decay, they stop when the
 *    window slides past the events. Frequency points are outside activity and group caps.
 * 4. The positive total is limited to `totalCap`.
 * 5. Negative points (an unsubscribe, careers pages, a negative frequency rule) decay like the
 *    others but no cap limits them, and they subtract after the caps, so a lead at the total cap
 *    still loses interest when it unsubscribes.
 * 6. The score never goes below `interestFloor` (0).
 *
 * A moment before the state's latest activity is read as that moment (see `effectiveInstant`).
 */
export function evaluateInterest(state: InterestState, agreement: Agreement, at: number): InterestResult {
  if (!Number.isFinite(at)) throw new Error(`evaluation time must be finite epoch milliseconds; got ${at}`);
  const { interest } = agreement;
  const until = effectiveInstant(state, at);
  const factor = decayFactor(agreement, until - state.anchorAt);
  const contributions: Contribution[] = [];
  const groups = new Map<string, { total: number; parts: string[] }>();
  let positive = 0;
  let negative = 0;

  for (const activity of interest.activities) {
    const tally = state.activities[activity.id];
    if (tally === undefined || tally.count === 0) continue;
    const decayed = tally.sum * factor;
    const capped = activity.cap !== undefined && decayed > activity.cap;
    const points = capped && activity.cap !== undefined ? activity.cap : decayed;
    const daysAgo = (until - tally.lastAt) / dayMs;
    const notes = [
      `${tally.count} × ${activity.points}, latest ${formatPoints(daysAgo)} days ago`,
      `decayed from ${formatPoints(tally.count * activity.points)} to ${formatPoints(decayed)}`,
    ];
    if (capped) notes.push(`capped at ${activity.cap}`);
    contributions.push({ id: activity.id, label: activity.label, points, detail: notes.join('; ') });
    if (points < 0) {
      negative += points;
      continue;
    }
    positive += points;
    if (activity.group !== undefined && interest.groupCaps[activity.group] !== undefined) {
      const group = groups.get(activity.group) ?? { total: 0, parts: [] };
      group.total += points;
      group.parts.push(`${activity.id} ${formatPoints(points)}`);
      groups.set(activity.group, group);
    }
  }

  for (const [id, group] of groups) {
    const cap = interest.groupCaps[id];
    if (cap === undefined || group.total <= cap) continue;
    positive -= group.total - cap;
    contributions.push({
      id: `group-cap:${id}`,
      label: `Group cap "${id}" (${cap})`,
      points: cap - group.total,
      detail: `${group.parts.join(' + ')} = ${formatPoints(group.total)}, capped at ${cap}`,
    });
  }

  for (const rule of interest.frequency) {
    const count = countActivity(state, rule.activity, until, rule.withinDays);
    if (count < rule.atLeast) continue;
    const saturated =
      count >= computeRecentBound(agreement, rule.activity) &&
      (state.activities[rule.activity]?.count ?? 0) > count;
    contributions.push({
      id: rule.id,
      label: rule.label ?? `${rule.atLeast} or more ${rule.activity} in ${rule.withinDays} days`,
      points: rule.points,
      detail: `${saturated ? 'at least ' : ''}${count} × ${rule.activity} in the last ${rule.withinDays} days (needs ${rule.atLeast}); not decayed`,
    });
    if (rule.points < 0) negative += rule.points;
    else positive += rule.points;
  }

  if (interest.totalCap !== undefined && positive > interest.totalCap) {
    contributions.push({
      id: 'total-cap',
      label: `Total cap (${interest.totalCap})`,
      points: interest.totalCap - positive,
      detail: `positive points ${formatPoints(positive)}, capped at ${interest.totalCap}`,
    });
    positive = interest.totalCap;
  }

  let exactScore = positive + negative;
  if (exactScore < interestFloor) {
    contributions.push({
      id: 'floor',
      label: `Floor (${interestFloor})`,
      points: interestFloor - exactScore,
      detail: `negative points ${formatPoints(negative)} outweigh positive points ${formatPoints(positive)}`,
    });
    exactScore = interestFloor;
  }

  return {
    score: roundPoints(exactScore),
    exactScore,
    contributions: sortContributions(
      contributions
        .map((contribution) => ({ ...contribution, points: roundPoints(contribution.points) }))
        .filter((contribution) => contribution.points !== 0),
    ),
  };
}

const groupIds: string[] = [];
const groupTotals: number[] = [];
const talliesInOrder: (ActivityTally | undefined)[] = [];

const positionsCache = new WeakMap<Agreement, Map<string, number> | null>();

/**
 * Where each of the agreement's interest activities sits in its list, when a state's tallies can
 * be placed by walking them: not when an id is listed twice (it counts twice), nor when an id is
 * also a name every object has (a lookup would find that).
 */
function tallyPositions(agreement: Agreement): Map<string, number> | undefined {
  let positions = positionsCache.get(agreement);
  if (positions === undefined) {
    const map = new Map<string, number>();
    for (const [position, activity] of agreement.interest.activities.entries()) {
      if (map.has(activity.id) || activity.id in Object.prototype) {
        positionsCache.set(agreement, null);
        return undefined;
      }
      map.set(activity.id, position);
    }
    positions = map;
    positionsCache.set(agreement, positions);
  }
  return positions ?? undefined;
}

/**
 * `evaluateInterest(…).score` without the explanation: the same arithmetic, for the engine's
 * per-fact decisions (quadrant, rules), where building the contributions would cost more than
 * the score. A test keeps the two equal.
 */
export function interestScoreAt(state: InterestState, agreement: Agreement, at: number): number {
  const { interest } = agreement;
  const until = effectiveInstant(state, at);
  const factor = decayFactor(agreement, until - state.anchorAt);
  let positive = 0;
  let negative = 0;
  // Group totals in the order the groups are first met (the order of the subtractions below),
  // in arrays reused from call to call: this runs on every fact.
  let groupCount = 0;
  // The state's tallies in the agreement's order, found by walking the few the state has rather
  // than looking up every activity of the agreement (most are absent, and each miss is slow).
  const positions = tallyPositions(agreement);
  if (positions !== undefined) {
    for (const id in state.activities) {
      const position = positions.get(id);
      if (position !== undefined) talliesInOrder[position] = state.activities[id];
    }
  }
  for (let position = 0; position < interest.activities.length; position++) {
    const activity = interest.activities[position] as (typeof interest.activities)[number];
    let tally: ActivityTally | undefined;
    if (positions === undefined) tally = state.activities[activity.id];
    else {
      tally = talliesInOrder[position];
      talliesInOrder[position] = undefined;
    }
    if (tally === undefined || tally.count === 0) continue;
    const decayed = tally.sum * factor;
    const points = activity.cap !== undefined && decayed > activity.cap ? activity.cap : decayed;
    if (points < 0) {
      negative += points;
      continue;
    }
    positive += points;
    if (activity.group !== undefined && interest.groupCaps[activity.group] !== undefined) {
      let index = 0;
      while (index < groupCount && groupIds[index] !== activity.group) index += 1;
      if (index === groupCount) {
        groupIds[index] = activity.group;
        groupTotals[index] = 0;
        groupCount += 1;
      }
      groupTotals[index] = (groupTotals[index] as number) + points;
    }
  }
  for (let index = 0; index < groupCount; index++) {
    const cap = interest.groupCaps[groupIds[index] as string];
    const total = groupTotals[index] as number;
    if (cap !== undefined && total > cap) positive -= total - cap;
  }
  for (const rule of interest.frequency) {
    if (countActivity(state, rule.activity, until, rule.withinDays) < rule.atLeast) continue;
    if (rule.points < 0) negative += rule.points;
    else positive += rule.points;
  }
  if (interest.totalCap !== undefined && positive > interest.totalCap) positive = interest.totalCap;
  const exact = positive + negative;
  return roundPoints(Math.max(interestFloor, exact));
}
