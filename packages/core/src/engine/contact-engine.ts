import {
  type Agreement,
  type QuadrantId,
  type Stage,
  salesActions,
  type TouchKind,
} from '../agreement/agreement-schema.ts';
import type { FeedbackKind } from '../agreement/condition.ts';
import type { DealEventKind, Traits } from '../ingest/records.ts';
import { escalationAt, escalationSteps, localDay, slaDeadline } from './calendar/index.ts';
import { digestHex } from './digest.ts';
import { type RoutingState, routeLead } from './routing/index.ts';
import { quadrantOf } from './scoring/classify-quadrant.ts';
import {
  type ConditionContext,
  classifyQuadrant,
  computeFit,
  conditionTest,
  countActivity,
  deriveTraits,
  emptyInterestState,
  evaluateCondition,
  evaluateInterest,
  type FitResult,
  type InterestState,
  interestScoreAt,
} from './scoring/index.ts';
import { dayMs, recordInterestActivityInPlace } from './scoring/interest-state.ts';
import {
  detourFor,
  enterStage,
  type FunnelPosition,
  findDetour,
  findStage,
  planManualMove,
  planRuleMove,
  reasonList,
  returnFromDetour,
  type StageMove,
  stageRank,
  startPosition,
  takeDetour,
} from './stage-machine.ts';

/**
 * The engine: one deterministic fold of a workspace's facts, taken in the order they were stored
 * (`seq`), into each contact's scores, funnel position, owner and SLA clock. Live processing and
 * replay run this same code over the same order, so they produce the same rows. Time inside the
 * engine is the facts' own time (when a thing happened), never the wall clock; the scheduler's
 * ticks are facts too, so timers (deadlines, escalations, returns from a detour, decay) fire at
 * the same place in the order in a replay as they did live.
 */

/** One fact as the engine reads it. `at` is epoch ms. */
export type EngineInput =
  | {
      kind: 'contact';
      seq: number;
      at: number;
      contactId: string;
      email: string | null;
      accountId: string | null;
      traits: Traits;
      /** Traits of the contact's account; the contact's own traits win. */
      accountTraits?: Traits;
      mergedIntoId: string | null;
    }
  | { kind: 'activity'; seq: number; at: number; contactId: string; activityType: string | null }
  | { kind: 'touch'; seq: number; at: number; contactId: string; repId: string; touchKind: TouchKind }
  | {
      kind: 'feedback';
      seq: number;
      at: number;
      contactId: string;
      repId: string;
      verdict: FeedbackKind;
      reason: string | null;
    }
  | { kind: 'deal'; seq: number; at: number; contactId: string; event: DealEventKind; reason: string | null }
  /** A person gave the lead to a rep by hand (a manager's reassignment). */
  | {
      kind: 'reassign';
      seq: number;
      at: number;
      contactId: string;
      repId: string;
      actor: string;
      reason: string | null;
    }
  | {
      kind: 'stage';
      seq: number;
      at: number;
      contactId: string;
      to: string;
      cause: 'person' | 'import';
      actor: string | null;
      reason: string | null;
    };

export type ClockStatus = 'open' | 'worked' | 'breached' | 'cancelled';

export type SlaClock = {
  id: string;
  repId: string | null;
  teamId: string | null;
  quadrant: QuadrantId;
  startedAt: number;
  deadlineAt: number;
  businessHours: boolean;
  status: ClockStatus;
  /** When an at-risk warning is due (three quarters of the way to the deadline). */
  atRiskAt: number;
  atRiskSent: boolean;
  /** How many escalation steps have fired. */
  escalated: number;
  stoppedAt?: number;
  stopCause?: string;
  breachedAt?: number;
};

/** Everything the engine keeps about one contact: plain JSON, stored as is between facts. */
export type ContactState = {
  contactId: string;
  /** False until the first fact with a time (an activity, touch, deal…): the contact enters the funnel then. */
  started: boolean;
  /** The latest instant the contact's facts and timers have reached. */
  now: number;
  email: string | null;
  accountId: string | null;
  traits: Traits;
  mergedIntoId?: string;
  fit: FitResult;
  interest: InterestState;
  /** Interest as of `now` (its explanation is computed when read: see `scoresAt`). */
  interestScore: number;
  quadrant: QuadrantId;
  position: FunnelPosition;
  /** Facts of the current episode (since creation or the last return from a detour). */
  episode: { feedback?: FeedbackKind; deals: { created: boolean; won: boolean; lost: boolean } };
  owner?: { repId: string | null; teamId: string | null; since: number };
  /** When this episode was handed to sales. */
  handedAt?: number;
  clock?: SlaClock;
  /** The account's traits as last seen (the contact's own win), for fit and conditions. */
  accountTraits?: Traits;
  /** Counter behind the ids of the rows this contact's processing creates. */
  serial: number;
};

export type Assignment = {
  id: string;
  contactId: string;
  repId: string | null;
  teamId: string | null;
  reasonKind: string;
  reason: string;
  at: number;
};

export type EngineAlert = {
  id: string;
  contactId: string;
  kind: string;
  at: number;
  detail: Record<string, unknown>;
};

export type EngineNotification = {
  id: string;
  kind:
    | 'hot-lead-routed'
    | 'lead-routed'
    | 'sla-at-risk'
    | 'sla-breached'
    | 'sla-escalated'
    | 'lead-recycled';
  contactId: string;
  at: number;
  payload: Record<string, unknown>;
};

export type EngineTransition = StageMove & { id: string; contactId: string };

/** What processing produced, to be stored. Clocks are the latest version of each clock touched. */
export type EngineEffects = {
  transitions: EngineTransition[];
  assignments: Assignment[];
  clocks: (SlaClock & { contactId: string })[];
  alerts: EngineAlert[];
  notifications: EngineNotification[];
};

/** What the engine needs beyond one contact: the agreement, the team rotation, account owners. */
export type EngineWorld = {
  agreement: Agreement;
  /** Shared by every contact of the workspace; replaced as leads are routed. */
  routing: RoutingState;
  /** The rep who owns the account (the latest owner of one of its contacts), if any. */
  accountOwner: (accountId: string) => string | undefined;
  /** Called when a contact gets an owner, so `accountOwner` can answer for its account. */
  ownerChanged?: (accountId: string, repId: string) => void;
  repOverrides?: Record<string, { away?: boolean }>;
};

export function emptyEffects(): EngineEffects {
  return { transitions: [], assignments: [], clocks: [], alerts: [], notifications: [] };
}

/** A contact as the engine first sees it: in the first stage (from its first timed fact on), with no scores. */
export function newContactState(agreement: Agreement, contactId: string): ContactState {
  const fit = blankFit(agreement);
  const quadrant = quadrantOf(agreement, fit.score, 0);
  return {
    contactId,
    now: 0,
    email: null,
    accountId: null,
    traits: {},
    fit,
    interest: emptyInterestState(),
    interestScore: 0,
    quadrant,
    position: { ...startPosition(agreement, 0), episodeStart: 0 },
    started: false,
    episode: { deals: { created: false, won: false, lost: false } },
    serial: 0,
  };
}

const blankFits = new WeakMap<Agreement, FitResult>();

/** The fit of a contact with no traits yet: worked out once per agreement, a fresh copy for each state. */
function blankFit(agreement: Agreement): FitResult {
  let fit = blankFits.get(agreement);
  if (fit === undefined) {
    fit = computeFit(agreement, deriveTraits({}));
    blankFits.set(agreement, fit);
  }
  return {
    ...fit,
    personas: [...fit.personas],
    contributions: fit.contributions.map((contribution) => ({ ...contribution })),
  };
}

/** The first stage's transition, when a contact's first timed fact arrives. */
function startTransition(state: ContactState): EngineTransition {
  return {
    id: nextId(state),
    contactId: state.contactId,
    from: null,
    to: state.position.stage,
    at: state.position.since,
    cause: 'system',
    ruleId: 'start',
  };
}

/**
 * Applies one fact to its contact's state: first the contact's timers due by the fact's time,
 * then the fact, then scores, stage rules and hand-over to sales. The state is updated in place
 * (a replay folds millions of facts) and returned; the effects are appended to `effects`.
 */
export function applyInput(
  world: EngineWorld,
  state: ContactState,
  input: EngineInput,
  effects: EngineEffects,
): ContactState {
  const next = cloneState(state);
  if (next.mergedIntoId !== undefined && input.kind !== 'contact') return next;
  const { agreement } = world;
  // A change of the contact record carries no time of its own (it is when we learnt it, not when
  // anything happened): it updates traits and fit, and the contact's clock stays where it is.
  if (input.kind !== 'contact') {
    if (!next.started) {
      next.started = true;
      next.now = input.at;
      next.position = { ...next.position, since: input.at };
      effects.transitions.push(startTransition(next));
    }
    advanceTo(world, next, input.at, effects);
    next.now = Math.max(next.now, input.at);
  }

  switch (input.kind) {
    case 'contact': {
      next.email = input.email;
      next.accountId = input.accountId;
      next.traits = input.traits;
      if (input.accountTraits === undefined) delete next.accountTraits;
      else next.accountTraits = input.accountTraits;
      next.fit = computeFit(agreement, profileOf(next));
      if (input.mergedIntoId !== null && next.mergedIntoId === undefined) {
        next.mergedIntoId = input.mergedIntoId;
        stopClock(next, input.at, 'cancelled', 'merged', effects);
        return next;
      }
      break;
    }
    case 'activity':
      if (input.activityType !== null) {
        // In place: the state is the fold's own (see `applyInput`), and a copy per fact is most of its cost.
        next.interest = recordInterestActivityInPlace(next.interest, agreement, input.activityType, input.at);
      }
      break;
    case 'touch':
      if (next.clock !== undefined && agreement.sla.sales.qualifyingTouches.includes(input.touchKind)) {
        if (input.at >= next.clock.startedAt)
          stopClock(next, input.at, 'worked', `touch:${input.touchKind}`, effects);
      }
      break;
    case 'feedback':
      applyFeedback(world, next, input, effects);
      break;
    case 'deal':
      applyDeal(world, next, input, effects);
      break;
    case 'stage':
      applyStageFact(world, next, input);
      break;
    case 'reassign':
      applyReassign(world, next, input, effects);
      break;
  }
  if (next.started) settle(world, next, effects);
  else {
    // Not in the funnel yet: keep its quadrant true to its fit, dated when we learnt of it.
    if (input.kind === 'contact') next.now = Math.max(next.now, input.at);
    rescore(world, next, next.now);
  }
  return next;
}

/** Fires the contact's timers due by `at` (a scheduler tick) and settles it. */
export function advanceState(
  world: EngineWorld,
  state: ContactState,
  at: number,
  effects: EngineEffects,
): ContactState {
  const next = cloneState(state);
  if (next.mergedIntoId !== undefined || !next.started) return next;
  advanceTo(world, next, at, effects);
  next.now = Math.max(next.now, at);
  settle(world, next, effects);
  return next;
}

/**
 * Folds a merged contact into the one it was merged into: interest, episode facts and the
 * furthest stage carry over; the survivor keeps its own stage and owner unless it had none.
 */
export function mergeStates(
  world: EngineWorld,
  survivor: ContactState,
  merged: ContactState,
  effects: EngineEffects,
): ContactState {
  const next = cloneState(survivor);
  if (next.started) advanceTo(world, next, merged.now, effects);
  else if (merged.started) {
    next.started = true;
    next.position = { ...next.position, since: merged.position.since };
    effects.transitions.push(startTransition(next));
  }
  next.now = Math.max(next.now, merged.now);
  next.interest = mergeInterest(world.agreement, next.interest, merged.interest);
  const feedback = next.episode.feedback ?? merged.episode.feedback;
  next.episode = {
    ...(feedback === undefined ? {} : { feedback }),
    deals: {
      created: next.episode.deals.created || merged.episode.deals.created,
      won: next.episode.deals.won || merged.episode.deals.won,
      lost: next.episode.deals.lost || merged.episode.deals.lost,
    },
  };
  if (
    stageRank(world.agreement, merged.position.furthest) > stageRank(world.agreement, next.position.furthest)
  ) {
    next.position = { ...next.position, furthest: merged.position.furthest };
  }
  if (next.owner === undefined && merged.owner !== undefined) next.owner = merged.owner;
  if (next.started) settle(world, next, effects);
  return next;
}

/** The earliest timer of the contact (SLA warning or deadline, escalation, return from a detour). */
function nextTimerAt(world: EngineWorld, state: ContactState): number | undefined {
  if (state.mergedIntoId !== undefined) return undefined;
  // The earliest of at most three instants, without a list: this runs for every fact.
  let due: number | undefined;
  const clock = state.clock;
  if (clock?.status === 'open')
    due = clock.atRiskSent ? clock.deadlineAt : Math.min(clock.atRiskAt, clock.deadlineAt);
  if (clock?.status === 'breached' && clock.stoppedAt === undefined) {
    const step = escalationAt(world.agreement, clock.deadlineAt, clock.escalated);
    if (step !== undefined) due = earlier(due, step);
  }
  const returnAt = state.position.detour?.returnAt;
  if (returnAt !== undefined) due = earlier(due, returnAt);
  return due;
}

function earlier(a: number | undefined, b: number): number {
  return a === undefined ? b : Math.min(a, b);
}

/**
 * The earliest instant something is due for the contact: a timer, or decay moving it to another
 * quadrant (when the stored quadrant must be refreshed and rules that name a quadrant may hold).
 * What the scheduler waits for; a pure function of the state.
 */
export function nextDueAt(world: EngineWorld, state: ContactState): number | undefined {
  const timer = nextTimerAt(world, state);
  const change =
    state.mergedIntoId === undefined && state.started ? quadrantChangeAt(world, state) : undefined;
  if (timer === undefined) return change;
  return change === undefined ? timer : Math.min(timer, change);
}

/** The scores as of `at` (decay applied), for reading: what the contact's view shows. */
export function scoresAt(world: EngineWorld, state: ContactState, at: number) {
  const interest = evaluateInterest(state.interest, world.agreement, Math.max(at, state.now));
  const quadrant = classifyQuadrant(world.agreement, state.fit.score, interest.score);
  return { fit: state.fit, interest, quadrant };
}

// ---------------------------------------------------------------------------------------------

function advanceTo(world: EngineWorld, state: ContactState, at: number, effects: EngineEffects): void {
  // Timers fire in time order; each may schedule another (an escalation after a breach).
  for (let guard = 0; guard < 100; guard++) {
    const due = nextTimerAt(world, state);
    if (due === undefined || due > at) return;
    state.now = Math.max(state.now, due);
    fireTimer(world, state, due, effects);
  }
}

function fireTimer(world: EngineWorld, state: ContactState, due: number, effects: EngineEffects): void {
  const { agreement } = world;
  const clock = state.clock;
  if (
    clock?.status === 'open' &&
    !clock.atRiskSent &&
    clock.atRiskAt <= due &&
    clock.atRiskAt < clock.deadlineAt
  ) {
    clock.atRiskSent = true;
    pushClock(state, effects);
    notify(state, effects, 'sla-at-risk', due, {
      ...clockPayload(world, state, clock),
      minutesLeft: Math.round((clock.deadlineAt - due) / 60_000),
    });
    return;
  }
  if (clock?.status === 'open' && clock.deadlineAt <= due) {
    clock.status = 'breached';
    clock.breachedAt = clock.deadlineAt;
    clock.atRiskSent = true;
    pushClock(state, effects);
    const detail = { ...clockPayload(world, state, clock), minutesLate: 0 };
    alert(state, effects, 'sla-breached', clock.deadlineAt, detail);
    notify(state, effects, 'sla-breached', clock.deadlineAt, detail);
    return;
  }
  if (clock?.status === 'breached' && clock.stoppedAt === undefined) {
    const step = escalationSteps(agreement, new Date(clock.deadlineAt))[clock.escalated];
    if (step !== undefined && step.at.getTime() <= due) {
      clock.escalated += 1;
      pushClock(state, effects);
      const at = step.at.getTime();
      const team = agreement.teams.find((candidate) => candidate.id === clock.teamId);
      const manager =
        team?.manager === undefined ? null : { id: team.manager.email, name: team.manager.name };
      const detail: Record<string, unknown> = {
        ...clockPayload(world, state, clock),
        minutesLate: Math.round((at - clock.deadlineAt) / 60_000),
        action: step.action,
        step: step.step,
        manager,
      };
      if (step.action === 'reassign') {
        reassign(world, state, at, effects);
        const newRep = state.owner?.repId;
        detail.newRep = newRep === undefined || newRep === null ? null : repPayload(world, newRep);
      }
      alert(state, effects, 'sla-escalated', at, detail);
      notify(state, effects, 'sla-escalated', at, detail);
      return;
    }
  }
  const returnAt = state.position.detour?.returnAt;
  if (returnAt !== undefined && returnAt <= due) {
    const back = returnFromDetour(agreement, state.position, returnAt);
    if (back === undefined) {
      const { returnAt: _, ...detour } = state.position.detour ?? { id: '', from: '' };
      state.position = { ...state.position, detour };
      return;
    }
    state.position = back.position;
    recordTransition(state, effects, back.move);
    startEpisode(state);
  }
}

function applyFeedback(
  world: EngineWorld,
  state: ContactState,
  input: Extract<EngineInput, { kind: 'feedback' }>,
  effects: EngineEffects,
): void {
  const { agreement } = world;
  state.episode.feedback = input.verdict;
  // Feedback works the lead: it stops an open clock, and a breached one stops escalating.
  if (state.clock !== undefined) stopClock(state, input.at, 'worked', `feedback:${input.verdict}`, effects);
  if (input.verdict === 'accept') return;
  const list = input.verdict === 'reject' ? 'reject' : 'recycle';
  const detour = detourFor(agreement, state.position, list);
  if (detour === undefined) {
    alert(state, effects, 'move-refused', input.at, {
      fact: 'feedback',
      verdict: input.verdict,
      stage: state.position.stage,
      message: `no ${list} detour leaves ${state.position.stage}`,
    });
    return;
  }
  const reason = input.reason ?? undefined;
  const days = reasonList(agreement, list).find((candidate) => candidate.id === reason)?.recycleAfterDays;
  const result = takeDetour(agreement, state.position, detour, {
    at: input.at,
    cause: 'person',
    actor: input.repId,
    ...(reason === undefined ? {} : { reason }),
    ...(detour.returnsTo !== null && days !== undefined ? { returnAt: input.at + days * dayMs } : {}),
  });
  if (!result.ok) {
    alert(state, effects, 'move-refused', input.at, {
      fact: 'feedback',
      verdict: input.verdict,
      ...result.refusal,
    });
    return;
  }
  state.position = result.position;
  recordTransition(state, effects, result.move);
  if (input.verdict === 'recycle') {
    const reasonLabel = reasonList(agreement, 'recycle').find((candidate) => candidate.id === reason)?.label;
    notify(state, effects, 'lead-recycled', input.at, {
      ...contactPayload(state),
      rep: repPayload(world, input.repId),
      reason: { id: reason ?? '', label: reasonLabel ?? reason ?? 'No reason given' },
      returnsOn:
        result.position.detour?.returnAt === undefined
          ? null
          : localDay(new Date(result.position.detour.returnAt), agreement.timezone),
      returnsTo: detour.returnsTo,
    });
  }
}

function applyDeal(
  world: EngineWorld,
  state: ContactState,
  input: Extract<EngineInput, { kind: 'deal' }>,
  effects: EngineEffects,
): void {
  const deals = state.episode.deals;
  if (input.event === 'created') deals.created = true;
  if (input.event === 'won') {
    deals.created = true;
    deals.won = true;
  }
  if (input.event !== 'lost') return;
  deals.lost = true;
  const { agreement } = world;
  const detour = detourFor(agreement, state.position, 'lost');
  if (detour === undefined) return; // a lost deal of a contact not in an opportunity stage moves nothing
  const result = takeDetour(agreement, state.position, detour, {
    at: input.at,
    cause: 'rule',
    ...(input.reason === null ? {} : { reason: input.reason }),
  });
  const move = result.ok
    ? result
    : takeDetour(
        agreement,
        state.position,
        { ...detour, reasonRequired: false, reasons: undefined },
        { at: input.at, cause: 'rule' },
      );
  if (!move.ok) return;
  state.position = move.position;
  recordTransition(state, effects, move.move);
  // A lost deal's contact goes straight back to the detour's stage (lost reasons have no waiting time).
  const back = returnFromDetour(agreement, state.position, input.at);
  if (back !== undefined) {
    state.position = back.position;
    recordTransition(state, effects, back.move);
    startEpisode(state);
  }
}

/**
 * A manual reassignment: the named rep owns the lead from `at` (its team with it). A clock still
 * running (open, or breached and still escalating) is cancelled and a fresh one of the same
 * quadrant starts for the new rep, carrying the escalation steps already taken; a stopped clock
 * stays as it is. A reassignment to the current owner changes nothing; a rep the agreement does
 * not know (a replay under a later agreement) leaves the owner and raises an alert.
 */
function applyReassign(
  world: EngineWorld,
  state: ContactState,
  input: Extract<EngineInput, { kind: 'reassign' }>,
  effects: EngineEffects,
): void {
  const { agreement } = world;
  if (state.owner?.repId === input.repId) return;
  const team = agreement.teams.find((candidate) => candidate.reps.some((rep) => rep.id === input.repId));
  if (team === undefined) {
    alert(state, effects, 'reassign-refused', input.at, {
      repId: input.repId,
      actor: input.actor,
      reason: input.reason,
      message: `"${input.repId}" is not a rep of the agreement; the owner stays ${state.owner?.repId ?? 'unset'}`,
    });
    return;
  }
  const at = input.at;
  const assignment: Assignment = {
    id: nextId(state),
    contactId: state.contactId,
    repId: input.repId,
    teamId: team.id,
    reasonKind: 'manual',
    reason: `Reassigned by ${input.actor}${input.reason === null ? '' : `: ${input.reason}`}`,
    at,
  };
  effects.assignments.push(assignment);
  state.owner = { repId: input.repId, teamId: team.id, since: at };
  if (state.accountId !== null) world.ownerChanged?.(state.accountId, input.repId);
  const previous = state.clock;
  if (previous !== undefined && previous.stoppedAt === undefined) {
    stopClock(state, at, 'cancelled', 'reassigned', effects);
    startClock(world, state, at, previous.quadrant, assignment, effects);
    if (state.clock !== undefined && state.clock !== previous) {
      state.clock.escalated = previous.escalated;
      pushClock(state, effects);
    }
  }
  const clock = state.clock;
  const running = clock !== undefined && clock !== previous && clock.stoppedAt === undefined;
  notify(
    state,
    effects,
    'lead-routed',
    at,
    routedPayload(world, state, assignment, running ? clock : undefined),
  );
}

function applyStageFact(
  world: EngineWorld,
  state: ContactState,
  input: Extract<EngineInput, { kind: 'stage' }>,
): void {
  const { agreement } = world;
  // Stored stage facts were checked when they were recorded (imports may set any stage): follow them.
  const planned = planManualMove(agreement, state.position, input.to, {
    at: input.at,
    cause: input.cause,
    ...(input.actor === null ? {} : { actor: input.actor }),
    ...(input.reason === null ? {} : { reason: input.reason }),
  });
  if (planned.ok) {
    const returning = state.position.detour !== undefined && planned.position.detour === undefined;
    state.position = planned.position;
    if (returning) startEpisode(state);
    return;
  }
  const detour = findDetour(agreement, input.to);
  if (detour !== undefined) {
    state.position = {
      ...state.position,
      stage: detour.id,
      since: input.at,
      detour: {
        id: detour.id,
        from: state.position.stage,
        ...(input.reason === null ? {} : { reason: input.reason }),
      },
    };
  } else if (findStage(agreement, input.to) !== undefined) {
    state.position = enterStage(agreement, { ...state.position, detour: undefined }, input.to, {
      at: input.at,
      cause: input.cause,
    }).position;
  }
}

/** After a fact or timer: scores, stage rules, hand-over. */
function settle(world: EngineWorld, state: ContactState, effects: EngineEffects): void {
  rescore(world, state, state.now);
  // A contact that has just come back from a detour waits for a new fact before rules move it:
  // what it did before the detour was already judged.
  if (state.position.episodeStart === state.now) return;
  const { agreement } = world;
  const ctx = conditionContext(state);
  for (let guard = 0; guard < agreement.stages.length; guard++) {
    const target = planRuleMove(agreement, state.position, entryHolds, ctx);
    if (target === undefined) break;
    const entered = enterStage(agreement, state.position, target.id, {
      at: state.now,
      cause: 'rule',
      ruleId: `entry:${target.id}`,
    });
    state.position = entered.position;
    recordTransition(state, effects, entered.move);
  }
  maybeHandOver(world, state, effects);
}

function entryHolds(stage: Stage, ctx: ConditionContext): boolean {
  return stage.entry !== undefined && conditionTest(stage.entry)(ctx);
}

function rescore(world: EngineWorld, state: ContactState, at: number): void {
  state.interestScore = interestScoreAt(state.interest, world.agreement, at);
  state.quadrant = quadrantOf(world.agreement, state.fit.score, state.interestScore);
}

/**
 * When decay alone next moves the contact to another quadrant: without new activity interest only
 * falls, so this is the first instant after `now` it drops below the interest threshold (found by
 * bisection, to the minute), or never. Cached beside the state (never in it: the stored state
 * must not depend on when it was asked, so live and replay store the same document) for the
 * interest and instant it was computed for, since the scheduler asks often.
 */
function quadrantChangeAt(world: EngineWorld, state: ContactState): number | undefined {
  const { agreement } = world;
  const threshold = agreement.quadrants.thresholds.interest;
  const at = state.now;
  const key = `${at}|${state.interest.anchorAt}|${Object.values(state.interest.activities).reduce((sum, tally) => sum + tally.count, 0)}`;
  const cached = quadrantChanges.get(state);
  if (cached?.key === key) return cached.at ?? undefined;
  let found: number | null = null;
  if (interestScoreAt(state.interest, agreement, at) >= threshold) {
    let low = at;
    let high = at + agreement.interest.halfLifeDays * dayMs * 20;
    if (interestScoreAt(state.interest, agreement, high) < threshold) {
      while (high - low > 60_000) {
        const middle = low + Math.floor((high - low) / 2);
        if (interestScoreAt(state.interest, agreement, middle) >= threshold) low = middle;
        else high = middle;
      }
      found = high;
    }
  }
  quadrantChanges.set(state, { key, at: found });
  return found ?? undefined;
}

const quadrantChanges = new WeakMap<ContactState, { key: string; at: number | null }>();

/**
 * Hands the lead to sales once per episode: when its quadrant's action is a sales action, or when
 * it reaches the stage marketing delivers at (`sla.marketing.stage`), while marketing owns it.
 */
function maybeHandOver(world: EngineWorld, state: ContactState, effects: EngineEffects): void {
  const { agreement } = world;
  if (state.handedAt !== undefined || state.position.detour !== undefined) return;
  // Only leads marketing still owns are handed over (an imported SQL is sales' already).
  const stage = findStage(agreement, state.position.stage);
  if (stage === undefined || !ownedByMarketing(agreement, stage.owner)) return;
  // Sales can only work a lead it can reach: an anonymous visitor waits until it gives an e-mail.
  if (state.email === null) return;
  const quadrant = agreement.quadrants[state.quadrant];
  const salesQuadrant = salesActions.includes(quadrant.action);
  const delivered = state.position.stage === agreement.sla.marketing.stage;
  if (!salesQuadrant && !delivered) return;

  const at = state.now;
  state.handedAt = at;
  const assignment = assign(world, state, at, effects, {});
  const clockQuadrant: QuadrantId = salesQuadrant ? state.quadrant : 'hot';
  startClock(world, state, at, clockQuadrant, assignment, effects);
  const clock = state.clock;
  notify(
    state,
    effects,
    state.quadrant === 'hot' ? 'hot-lead-routed' : 'lead-routed',
    at,
    routedPayload(world, state, assignment, clock),
  );
}

/** What a rep is told when a lead becomes theirs: who, why now, and the deadline of its clock. */
function routedPayload(
  world: EngineWorld,
  state: ContactState,
  assignment: Assignment,
  clock: SlaClock | undefined,
) {
  return {
    ...contactPayload(state),
    rep: assignment.repId === null ? null : repPayload(world, assignment.repId),
    team: teamPayload(world, assignment.teamId),
    quadrant: state.quadrant,
    fit: { score: state.fit.score, grade: state.fit.grade, explanation: state.fit.contributions },
    interest: {
      score: round(state.interestScore),
      explanation: evaluateInterest(state.interest, world.agreement, state.now).contributions,
    },
    stage: state.position.stage,
    reason: assignment.reason,
    slaDeadline: clock === undefined ? null : iso(clock.deadlineAt),
    timeZone: timeZoneOf(world, assignment.teamId),
  };
}

function assign(
  world: EngineWorld,
  state: ContactState,
  at: number,
  effects: EngineEffects,
  overrides: Record<string, { away?: boolean }>,
): Assignment {
  const ctx = conditionContext(state);
  const accountOwner = state.accountId === null ? undefined : world.accountOwner(state.accountId);
  const { decision, state: routing } = routeLead(world.agreement, world.routing, {
    at: new Date(at),
    matches: (condition) => evaluateCondition(condition, ctx),
    personas: state.fit.personas,
    ...(accountOwner === undefined ? {} : { accountOwnerRepId: accountOwner }),
    ...(state.owner?.repId == null ? {} : { existingOwnerRepId: state.owner.repId }),
    repOverrides: { ...world.repOverrides, ...overrides },
  });
  world.routing = routing;
  const assignment: Assignment = {
    id: nextId(state),
    contactId: state.contactId,
    repId: decision.repId,
    teamId: decision.teamId,
    reasonKind: decision.reason.kind,
    reason: decision.reason.text,
    at,
  };
  effects.assignments.push(assignment);
  if (decision.repId === null) {
    alert(state, effects, 'no-eligible-rep', at, { team: decision.teamId, reason: decision.reason.text });
  } else {
    state.owner = { repId: decision.repId, teamId: decision.teamId, since: at };
    if (state.accountId !== null) world.ownerChanged?.(state.accountId, decision.repId);
  }
  return assignment;
}

function startClock(
  world: EngineWorld,
  state: ContactState,
  at: number,
  quadrant: QuadrantId,
  assignment: Assignment,
  effects: EngineEffects,
): void {
  const teamId = assignment.teamId ?? world.agreement.routing.defaultTeam;
  const deadline = slaDeadline(world.agreement, { handedAt: new Date(at), quadrant, teamId });
  if (deadline === undefined) return;
  const deadlineAt = deadline.deadline.getTime();
  state.clock = {
    id: nextId(state),
    repId: assignment.repId,
    teamId: assignment.teamId,
    quadrant,
    startedAt: at,
    deadlineAt,
    businessHours: deadline.businessHours,
    status: 'open',
    atRiskAt: at + Math.floor((deadlineAt - at) * 0.75),
    atRiskSent: false,
    escalated: 0,
  };
  pushClock(state, effects);
}

function reassign(world: EngineWorld, state: ContactState, at: number, effects: EngineEffects): void {
  const current = state.owner?.repId;
  const previous = state.clock;
  state.owner = undefined;
  const assignment = assign(world, state, at, effects, current == null ? {} : { [current]: { away: true } });
  if (previous !== undefined) {
    startClock(world, state, at, previous.quadrant, assignment, effects);
    // The new owner's clock carries the steps already taken: a lead is reassigned once per
    // hand-over, not again every time the next owner's deadline passes.
    if (state.clock !== undefined && state.clock !== previous) {
      state.clock.escalated = previous.escalated;
      pushClock(state, effects);
    }
  }
}

function stopClock(
  state: ContactState,
  at: number,
  status: 'worked' | 'cancelled',
  cause: string,
  effects: EngineEffects,
): void {
  const clock = state.clock;
  if (clock === undefined || clock.stoppedAt !== undefined) return;
  if (clock.status === 'open') clock.status = status;
  clock.stoppedAt = at;
  clock.stopCause = cause;
  pushClock(state, effects);
}

function startEpisode(state: ContactState): void {
  state.episode = { deals: { created: false, won: false, lost: false } };
  state.handedAt = undefined;
  state.clock = undefined;
}

function conditionContext(state: ContactState): ConditionContext {
  return new StateConditions(state);
}

/**
 * What the agreement's conditions read of a state, as of when it was made. The traits and
 * personas are looked up when a condition first asks (the stage entries of most agreements never
 * do, and the engine makes one of these for every fact).
 */
class StateConditions implements ConditionContext {
  readonly quadrant: string;
  readonly fitGrade: string;
  readonly latestFeedback: FeedbackKind | undefined;
  readonly deals: { created: boolean; won: boolean; lost: boolean };
  readonly #state: ContactState;
  readonly #at: number;
  readonly #episodeStart: number;
  #traits: Traits | undefined;
  #personas: ReadonlySet<string> | undefined;

  constructor(state: ContactState) {
    this.#state = state;
    this.#at = state.now;
    this.#episodeStart = state.position.episodeStart;
    this.quadrant = state.quadrant;
    this.fitGrade = state.fit.grade;
    this.latestFeedback = state.episode.feedback;
    this.deals = state.episode.deals;
  }

  get traits(): Traits {
    this.#traits ??= profileOf(this.#state);
    return this.#traits;
  }

  get personas(): ReadonlySet<string> {
    this.#personas ??= personaSet(this.#state.fit);
    return this.#personas;
  }

  countActivity(activityId: string, withinDays?: number): number {
    const at = this.#at;
    const episodeStart = this.#episodeStart;
    // Within an episode that began after a detour, only what the contact did since counts.
    const episodeDays = episodeStart > 0 ? Math.max(0, at - episodeStart) / dayMs : undefined;
    const days =
      withinDays === undefined
        ? episodeDays
        : episodeDays === undefined
          ? withinDays
          : Math.min(withinDays, episodeDays);
    return countActivity(this.#state.interest, activityId, at, days);
  }
}

const personaSets = new WeakMap<FitResult, ReadonlySet<string>>();

/** The fit's personas as a set, built once per fit result (a fit changes only with the contact record). */
function personaSet(fit: FitResult): ReadonlySet<string> {
  let set = personaSets.get(fit);
  if (set === undefined) {
    set = new Set(fit.personas);
    personaSets.set(fit, set);
  }
  return set;
}

const profiles = new WeakMap<
  ContactState,
  { traits: Traits; accountTraits: Traits | undefined; profile: Traits }
>();

/** The traits rules read: the account's, then the contact's own, completed by `deriveTraits`; cached per state. */
function profileOf(state: ContactState): Traits {
  const cached = profiles.get(state);
  if (
    cached !== undefined &&
    cached.traits === state.traits &&
    cached.accountTraits === state.accountTraits
  ) {
    return cached.profile;
  }
  const profile = deriveTraits({ ...state.accountTraits, ...state.traits }, state.email ?? undefined);
  profiles.set(state, { traits: state.traits, accountTraits: state.accountTraits, profile });
  return profile;
}

function ownedByMarketing(agreement: Agreement, owner: string): boolean {
  if (owner === 'marketing') return true;
  return agreement.teams.some((team) => team.id === owner && team.kind === 'marketing');
}

function mergeInterest(agreement: Agreement, a: InterestState, b: InterestState): InterestState {
  // Re-recording b's activities would need its timestamps; its sums carry over exactly instead.
  const anchorAt = Math.max(a.anchorAt, b.anchorAt);
  const factor = (from: number) => 0.5 ** ((anchorAt - from) / (agreement.interest.halfLifeDays * dayMs));
  const activities: InterestState['activities'] = {};
  for (const [id, tally] of Object.entries(a.activities))
    activities[id] = { ...tally, sum: tally.sum * factor(a.anchorAt) };
  for (const [id, tally] of Object.entries(b.activities)) {
    const scaled = tally.sum * factor(b.anchorAt);
    const previous = activities[id];
    activities[id] =
      previous === undefined
        ? { ...tally, sum: scaled }
        : {
            sum: previous.sum + scaled,
            count: previous.count + tally.count,
            firstAt: Math.min(previous.firstAt, tally.firstAt),
            lastAt: Math.max(previous.lastAt, tally.lastAt),
          };
  }
  const recent: InterestState['recent'] = { ...a.recent };
  for (const [id, times] of Object.entries(b.recent)) {
    recent[id] = [...(recent[id] ?? []), ...times].sort((x, y) => x - y);
  }
  return { anchorAt: Object.keys(activities).length === 0 ? a.anchorAt : anchorAt, activities, recent };
}

function recordTransition(state: ContactState, effects: EngineEffects, move: StageMove): void {
  effects.transitions.push({ ...move, id: nextId(state), contactId: state.contactId });
}

/** Where each clock sits in an effects' `clocks`, so a batch of thousands of clocks is not scanned per update. */
const clockPositions = new WeakMap<EngineEffects['clocks'], Map<string, number>>();

function pushClock(state: ContactState, effects: EngineEffects): void {
  const clock = state.clock;
  if (clock === undefined) return;
  const clocks = effects.clocks;
  const index = clockPosition(clocks, clock.id);
  const row = { ...clock, contactId: state.contactId };
  if (index === undefined) {
    clockPositions.get(clocks)?.set(clock.id, clocks.length);
    clocks.push(row);
  } else clocks[index] = row;
}

function clockPosition(clocks: EngineEffects['clocks'], id: string): number | undefined {
  let positions = clockPositions.get(clocks);
  let index = positions?.get(id);
  // The list is indexed as it grows here; when the caller changed it (emptied it, added rows),
  // the index no longer matches and is rebuilt.
  if (
    positions === undefined ||
    positions.size !== clocks.length ||
    (index !== undefined && clocks[index]?.id !== id)
  ) {
    positions = new Map();
    for (const [position, candidate] of clocks.entries())
      if (!positions.has(candidate.id)) positions.set(candidate.id, position);
    clockPositions.set(clocks, positions);
    index = positions.get(id);
  }
  return index;
}

function alert(
  state: ContactState,
  effects: EngineEffects,
  kind: string,
  at: number,
  detail: Record<string, unknown>,
) {
  effects.alerts.push({ id: nextId(state), contactId: state.contactId, kind, at, detail });
}

function notify(
  state: ContactState,
  effects: EngineEffects,
  kind: EngineNotification['kind'],
  at: number,
  payload: Record<string, unknown>,
): void {
  effects.notifications.push({ id: nextId(state), kind, contactId: state.contactId, at, payload });
}

function contactPayload(state: ContactState) {
  const name = [state.traits.firstName, state.traits.lastName]
    .filter((part) => typeof part === 'string')
    .join(' ');
  return {
    contact: {
      id: state.contactId,
      email: state.email,
      name: name || null,
      title: typeof state.traits.title === 'string' ? state.traits.title : null,
      company: typeof state.traits.company === 'string' ? state.traits.company : null,
    },
  };
}

function repPayload(world: EngineWorld, repId: string) {
  for (const team of world.agreement.teams) {
    const rep = team.reps.find((candidate) => candidate.id === repId);
    if (rep !== undefined) return { id: rep.id, name: rep.name, email: rep.email, team: team.id };
  }
  return { id: repId, name: repId, email: null, team: null };
}

function clockPayload(world: EngineWorld, state: ContactState, clock: SlaClock) {
  return {
    ...contactPayload(state),
    rep: clock.repId === null ? null : repPayload(world, clock.repId),
    team: teamPayload(world, clock.teamId),
    quadrant: clock.quadrant,
    startedAt: iso(clock.startedAt),
    deadline: iso(clock.deadlineAt),
    businessHours: clock.businessHours,
    timeZone: timeZoneOf(world, clock.teamId),
  };
}

function teamPayload(world: EngineWorld, teamId: string | null) {
  const team = world.agreement.teams.find((candidate) => candidate.id === teamId);
  return team === undefined ? null : { id: team.id, name: team.label };
}

/** The zone readable times are written in: the team's, else the agreement's. */
function timeZoneOf(world: EngineWorld, teamId: string | null): string {
  return world.agreement.teams.find((team) => team.id === teamId)?.timezone ?? world.agreement.timezone;
}

function nextId(state: ContactState): string {
  state.serial += 1;
  return derivedId(`${state.contactId}:${state.serial}`);
}

/** A UUID-shaped id derived from a string, so that replay recreates the same ids. */
export function derivedId(key: string): string {
  const hex = digestHex(key);
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The engine updates a state in place: the caller hands it over and keeps the one returned. */
function cloneState(state: ContactState): ContactState {
  return state;
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
