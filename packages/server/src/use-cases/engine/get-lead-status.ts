import {
  type Agreement,
  type Contribution,
  emptyRoutingState,
  rollUpAccount,
  scoresAt,
} from '@smarketing/core';
import type { Repositories } from '../../repositories/index.ts';

export type LeadStatus = {
  stage: string;
  stageSince: Date | null;
  furthestStage: string;
  detour: { id: string; from: string; reason: string | null; returnsAt: Date | null } | null;
  owner: { repId: string | null; teamId: string | null; since: Date } | null;
  /** Scores as of the moment asked: interest has decayed since the last fact. */
  scoredAt: Date;
  quadrant: string;
  fit: { score: number; grade: string; personas: string[]; explanation: Contribution[] };
  interest: { score: number; explanation: Contribution[] };
  clock: {
    id: string;
    repId: string | null;
    status: string;
    startedAt: Date;
    deadlineAt: Date;
    businessHours: boolean;
    stoppedAt: Date | null;
    stopCause: string | null;
    breachedAt: Date | null;
  } | null;
  assignments: {
    id: string;
    repId: string | null;
    teamId: string | null;
    reasonKind: string;
    reason: string;
    at: Date;
  }[];
  alerts: { id: string; kind: string; at: Date; detail: unknown }[];
  /** The account's scores rolled up from its contacts (best fit, summed interest), when it has an account. */
  account: {
    fit: number;
    fitGrade: string;
    interest: number;
    quadrant: string;
    contacts: number;
    explanation: Contribution[];
  } | null;
  agreementVersion: number;
};

/** Accounts with more contacts than this roll up from the first ones (by id). */
const rollUpLimit = 500;

const date = (value: unknown) => new Date(value as string);
const optionalDate = (value: number | undefined | null) =>
  value === undefined || value === null ? null : new Date(value);

/**
 * Where a lead stands by the engine: stage, owner, scores with their explanation (interest as of
 * `now`), the open SLA clock, and the history of assignments and alerts. Undefined when the engine
 * has not seen the contact yet.
 */
export async function findLeadStatus(
  repos: Pick<Repositories, 'engine' | 'agreementVersions'>,
  options: { workspaceId: string; contactId: string; memberIds: readonly string[]; now: Date },
): Promise<LeadStatus | undefined> {
  const stored = await repos.engine.findState(options.workspaceId, options.contactId);
  if (stored === undefined) return undefined;
  const version = await repos.agreementVersions.find(options.workspaceId, stored.agreementVersion);
  if (version === undefined) return undefined;
  const { state } = stored;
  const world = {
    agreement: version.parsed as Agreement,
    routing: emptyRoutingState(),
    accountOwner: () => undefined,
  };
  const scores = scoresAt(world, state, options.now.getTime());
  const history = await repos.engine.listContactHistory(options.workspaceId, options.memberIds);
  let account: LeadStatus['account'] = null;
  if (state.accountId !== null) {
    const colleagues = await repos.engine.loadAccountStates(
      options.workspaceId,
      state.accountId,
      rollUpLimit,
    );
    const rolled = rollUpAccount(
      colleagues.map((colleague) => ({
        contactId: colleague.contactId,
        fit: colleague.fit,
        interest: scoresAt(world, colleague, options.now.getTime()).interest,
      })),
      world.agreement,
    );
    account = {
      fit: rolled.fit,
      fitGrade: rolled.fitGrade,
      interest: rolled.interest,
      quadrant: rolled.quadrant.id,
      contacts: colleagues.length,
      explanation: rolled.contributions,
    };
  }
  const clock = state.clock;
  return {
    stage: state.position.stage,
    stageSince: state.started ? new Date(state.position.since) : null,
    furthestStage: state.position.furthest,
    detour:
      state.position.detour === undefined
        ? null
        : {
            id: state.position.detour.id,
            from: state.position.detour.from,
            reason: state.position.detour.reason ?? null,
            returnsAt: optionalDate(state.position.detour.returnAt),
          },
    owner: state.owner === undefined ? null : { ...state.owner, since: new Date(state.owner.since) },
    scoredAt: new Date(Math.max(options.now.getTime(), state.now)),
    quadrant: scores.quadrant.id,
    fit: {
      score: state.fit.score,
      grade: state.fit.grade,
      personas: state.fit.personas,
      explanation: state.fit.contributions,
    },
    interest: { score: scores.interest.score, explanation: scores.interest.contributions },
    clock:
      clock === undefined
        ? null
        : {
            id: clock.id,
            repId: clock.repId,
            status: clock.status,
            startedAt: new Date(clock.startedAt),
            deadlineAt: new Date(clock.deadlineAt),
            businessHours: clock.businessHours,
            stoppedAt: optionalDate(clock.stoppedAt),
            stopCause: clock.stopCause ?? null,
            breachedAt: optionalDate(clock.breachedAt),
          },
    assignments: history.assignments.map((row) => ({
      id: String(row.id),
      repId: (row.rep_id as string | null) ?? null,
      teamId: (row.team_id as string | null) ?? null,
      reasonKind: String(row.reason_kind),
      reason: String(row.reason),
      at: date(row.assigned_at),
    })),
    alerts: history.alerts.map((row) => ({
      id: String(row.id),
      kind: String(row.kind),
      at: date(row.at),
      detail: row.detail,
    })),
    account,
    agreementVersion: stored.agreementVersion,
  };
}
