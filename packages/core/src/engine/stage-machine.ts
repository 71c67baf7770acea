import type { Agreement, Detour, Stage } from '../agreement/agreement-schema.ts';

/**
 * The funnel as a state machine: which stage a contact is in, the furthest it ever reached, and
 * whether it is on a detour. Moves follow the agreement: a stage's `moves` lists where a contact
 * may go next; a contact may skip ahead along those moves when a later stage's entry rule already
 * holds (a deal created for an MQL makes it an opportunity directly); detours take it out of the
 * main funnel from the stages they list, and `returnsTo` brings it back.
 */
export type FunnelPosition = {
  stage: string;
  /** When the contact entered `stage` (epoch ms). */
  since: number;
  /** The furthest stage of the main funnel the contact ever reached. */
  furthest: string;
  /** Set while the contact is on a detour; `stage` is then the detour's id. */
  detour?: { id: string; from: string; reason?: string; returnAt?: number };
  /** Start of the current episode: creation, or the last return from a detour. */
  episodeStart: number;
};

export type TransitionCause = 'rule' | 'person' | 'import' | 'system';

/** One move, as the append-only transition log records it. */
export type StageMove = {
  from: string | null;
  to: string;
  at: number;
  cause: TransitionCause;
  /** `entry:<stage>`, `detour:<id>`, `return:<id>` for rule and system moves. */
  ruleId?: string;
  reason?: string;
  actor?: string;
};

export type MoveRefusal = {
  code: 'UNKNOWN_STAGE' | 'ILLEGAL_MOVE' | 'REASON_REQUIRED' | 'UNKNOWN_REASON';
  message: string;
};

export type MoveResult =
  | { ok: true; position: FunnelPosition; move: StageMove }
  | { ok: false; refusal: MoveRefusal };

export function findStage(agreement: Agreement, id: string): Stage | undefined {
  return agreement.stages.find((stage) => stage.id === id);
}

export function findDetour(agreement: Agreement, id: string): Detour | undefined {
  return agreement.detours.find((detour) => detour.id === id);
}

/** The stage's place in the funnel (0 = first); detours and unknown ids answer -1. */
export function stageRank(agreement: Agreement, id: string): number {
  return agreement.stages.findIndex((stage) => stage.id === id);
}

export function startPosition(agreement: Agreement, at: number): FunnelPosition {
  const first = agreement.stages[0];
  if (first === undefined) throw new Error('the agreement has no stages');
  return { stage: first.id, since: at, furthest: first.id, episodeStart: at };
}

/** Main-funnel stages reachable from `from` by following `moves`, nearest first. */
export function reachableStages(agreement: Agreement, from: string): Stage[] {
  const seen = new Set<string>([from]);
  const reached: Stage[] = [];
  let frontier = [from];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const target of findStage(agreement, id)?.moves ?? []) {
        const stage = findStage(agreement, target);
        if (stage === undefined || seen.has(target)) continue;
        seen.add(target);
        reached.push(stage);
        next.push(target);
      }
    }
    frontier = next;
  }
  return reached;
}

/**
 * The stage the entry rules move a contact to, if any: of the stages reachable from where it
 * is, the furthest along the funnel whose entry rule holds. Contacts on a detour do not move by
 * rule; they return when the detour says.
 */
export function planRuleMove<Context>(
  agreement: Agreement,
  position: FunnelPosition,
  entryHolds: (stage: Stage, context: Context) => boolean,
  /** Handed to `entryHolds`, so that a caller need not make a closure for each call. */
  context?: Context,
): Stage | undefined {
  if (position.detour !== undefined) return undefined;
  let best: Stage | undefined;
  let bestRank = -1;
  for (const { stage, rank } of ruleTargets(agreement, position.stage)) {
    if (!entryHolds(stage, context as Context)) continue;
    if (best === undefined || rank > bestRank) {
      best = stage;
      bestRank = rank;
    }
  }
  return best;
}

const ruleTargetCache = new WeakMap<Agreement, Map<string, { stage: Stage; rank: number }[]>>();

/** The reachable stages that have an entry rule, with their ranks: worked out once per agreement and stage (the engine asks on every fact). */
function ruleTargets(agreement: Agreement, from: string): { stage: Stage; rank: number }[] {
  let byStage = ruleTargetCache.get(agreement);
  if (byStage === undefined) {
    byStage = new Map();
    ruleTargetCache.set(agreement, byStage);
  }
  let targets = byStage.get(from);
  if (targets === undefined) {
    targets = reachableStages(agreement, from)
      .filter((stage) => stage.entry !== undefined)
      .map((stage) => ({ stage, rank: stageRank(agreement, stage.id) }));
    byStage.set(from, targets);
  }
  return targets;
}

/** Moves the contact into a main-funnel stage, recording the move. */
export function enterStage(
  agreement: Agreement,
  position: FunnelPosition,
  to: string,
  move: Omit<StageMove, 'from' | 'to'>,
): { position: FunnelPosition; move: StageMove } {
  const furthest =
    stageRank(agreement, to) > stageRank(agreement, position.furthest) ? to : position.furthest;
  const returning = position.detour !== undefined;
  return {
    position: {
      stage: to,
      since: move.at,
      furthest,
      episodeStart: returning ? move.at : position.episodeStart,
    },
    move: { from: position.stage, to, ...move },
  };
}

/**
 * A move asked for by a person (or an import): to a stage the current one lists in its `moves`,
 * back to an earlier stage of the funnel (a correction, allowed with a reason), or onto a detour
 * that may be taken from here (with a reason from its list when it needs one). Anything else is
 * refused with the moves that are allowed. (Rules may skip ahead; people move one step.)
 */
export function planManualMove(
  agreement: Agreement,
  position: FunnelPosition,
  to: string,
  options: { at: number; cause: 'person' | 'import'; actor?: string; reason?: string },
): MoveResult {
  const detour = findDetour(agreement, to);
  if (detour !== undefined) return takeDetour(agreement, position, detour, options);
  const stage = findStage(agreement, to);
  if (stage === undefined) {
    return refuse('UNKNOWN_STAGE', `"${to}" is neither a stage nor a detour of the agreement`);
  }
  const forward =
    position.detour === undefined && (findStage(agreement, position.stage)?.moves ?? []).includes(to);
  const back =
    position.detour === undefined && stageRank(agreement, to) < stageRank(agreement, position.stage);
  const returning =
    position.detour !== undefined && findDetour(agreement, position.detour.id)?.returnsTo === to;
  if (!forward && !back && !returning) {
    return refuse(
      'ILLEGAL_MOVE',
      `a contact in ${position.stage} cannot move to ${to}; allowed: ${allowedMoves(agreement, position).join(', ') || 'none'} (or back to an earlier stage, with a reason)`,
    );
  }
  if (back && options.reason === undefined) {
    return refuse('REASON_REQUIRED', `moving back from ${position.stage} to ${to} needs a reason`);
  }
  const { position: next, move } = enterStage(agreement, position, to, {
    at: options.at,
    cause: options.cause,
    ...(options.actor === undefined ? {} : { actor: options.actor }),
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  });
  return { ok: true, position: next, move };
}

/** Takes a detour (recycled, disqualified, lost…) with a reason from its list. */
export function takeDetour(
  agreement: Agreement,
  position: FunnelPosition,
  detour: Detour,
  options: { at: number; cause: TransitionCause; actor?: string; reason?: string; returnAt?: number },
): MoveResult {
  if (position.detour !== undefined || !detour.from.includes(position.stage)) {
    return refuse(
      'ILLEGAL_MOVE',
      `a contact in ${position.stage} cannot be ${detour.id}; ${detour.id} is possible from ${detour.from.join(', ')}`,
    );
  }
  if (detour.reasonRequired && options.reason === undefined) {
    return refuse(
      'REASON_REQUIRED',
      `${detour.id} needs a reason from the ${detour.reasons ?? 'feedback'} reasons`,
    );
  }
  if (options.reason !== undefined && detour.reasons !== undefined) {
    const reasons = reasonList(agreement, detour.reasons);
    if (!reasons.some((reason) => reason.id === options.reason)) {
      return refuse(
        'UNKNOWN_REASON',
        `"${options.reason}" is not one of the ${detour.reasons} reasons (${reasons.map((reason) => reason.id).join(', ')})`,
      );
    }
  }
  const next: FunnelPosition = {
    ...position,
    stage: detour.id,
    since: options.at,
    detour: {
      id: detour.id,
      from: position.stage,
      ...(options.reason === undefined ? {} : { reason: options.reason }),
      ...(options.returnAt === undefined ? {} : { returnAt: options.returnAt }),
    },
  };
  const move: StageMove = {
    from: position.stage,
    to: detour.id,
    at: options.at,
    cause: options.cause,
    ...(options.cause === 'rule' || options.cause === 'system' ? { ruleId: `detour:${detour.id}` } : {}),
    ...(options.actor === undefined ? {} : { actor: options.actor }),
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  };
  return { ok: true, position: next, move };
}

/** Brings a contact back from its detour to the detour's `returnsTo` stage, if it has one. */
export function returnFromDetour(
  agreement: Agreement,
  position: FunnelPosition,
  at: number,
): { position: FunnelPosition; move: StageMove } | undefined {
  if (position.detour === undefined) return undefined;
  const detour = findDetour(agreement, position.detour.id);
  if (detour?.returnsTo === null || detour?.returnsTo === undefined) return undefined;
  return enterStage(agreement, position, detour.returnsTo, {
    at,
    cause: 'system',
    ruleId: `return:${detour.id}`,
  });
}

/** The detour that feedback or a lost deal sends a contact on, from where it is now. */
export function detourFor(
  agreement: Agreement,
  position: FunnelPosition,
  reasons: 'reject' | 'recycle' | 'lost',
): Detour | undefined {
  return agreement.detours.find(
    (detour) => detour.reasons === reasons && detour.from.includes(position.stage),
  );
}

export function reasonList(agreement: Agreement, list: 'reject' | 'recycle' | 'lost') {
  if (list === 'reject') return agreement.feedback.rejectReasons;
  if (list === 'recycle') return agreement.feedback.recycleReasons;
  return agreement.feedback.lostReasons;
}

export function allowedMoves(agreement: Agreement, position: FunnelPosition): string[] {
  if (position.detour !== undefined) {
    const back = findDetour(agreement, position.detour.id)?.returnsTo;
    return back ? [back] : [];
  }
  const forward = (findStage(agreement, position.stage)?.moves ?? []).filter(
    (id) => findStage(agreement, id) !== undefined,
  );
  const detours = agreement.detours
    .filter((detour) => detour.from.includes(position.stage))
    .map((detour) => detour.id);
  return [...forward, ...detours];
}

function refuse(code: MoveRefusal['code'], message: string): MoveResult {
  return { ok: false, refusal: { code, message } };
}
