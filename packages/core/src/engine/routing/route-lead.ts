import type { Agreement, Team } from '../../agreement/agreement-schema.ts';
import type { Condition } from '../../agreement/condition.ts';
import { teamTimezone } from '../calendar/calendar-for-team.ts';
import { localDay } from '../calendar/zoned-time.ts';
import { copyTeamStateForDay, type RoutingState, type TeamRoutingState } from './routing-state.ts';

type Rep = Team['reps'][number];

export type RouteLeadInput = {
  /** When the lead is routed; daily caps count the team's local day of this instant. */
  at: Date;
  /** Whether a routing rule's `when` holds for the contact. */
  matches: (condition: Condition) => boolean;
  /** The persona ids the contact matches, most specific first. */
  personas: string[];
  accountOwnerRepId?: string;
  existingOwnerRepId?: string;
  /** Live availability that overrides the agreement's `away`, keyed by rep id. */
  repOverrides?: Record<string, { away?: boolean }>;
};

export type RoutingReasonKind =
  | 'account-owner'
  | 'existing-owner'
  | 'rule'
  | 'persona'
  | 'default-team'
  | 'no-eligible-rep';

export type SkippedRep = { repId: string; why: 'away' | 'daily-cap' };

export type RoutingDecision = {
  /** Null when no rep of the team could take the lead; the caller should alert the team's manager. */
  repId: string | null;
  teamId: string | null;
  reason: {
    kind: RoutingReasonKind;
    ruleId?: string;
    personaId?: string;
    /** A sentence a rep can read, saying why the lead went where it went. */
    text: string;
  };
  skipped: SkippedRep[];
};

export type RouteLeadResult = { decision: RoutingDecision; state: RoutingState };

type TeamChoice = {
  team: Team;
  kind: 'rule' | 'persona' | 'default-team';
  ruleId?: string;
  personaId?: string;
  text: string;
};

/**
 * Decides who gets a lead handed to sales, in the agreement's order: the account's owner
 * (`accountOwnerWins`), the contact's existing owner (`keepExistingOwner`), then a team (the first
 * matching routing rule, the team of the contact's first persona that has one, `defaultTeam`) and
 * within it the next rep by smooth weighted round-robin over the reps who are not away and under
 * their daily cap. An owner who is away or not a rep in the agreement is passed over, and the
 * decision says so. Returns the decision and the next state; `state` itself is not changed.
 */
export function routeLead(agreement: Agreement, state: RoutingState, input: RouteLeadInput): RouteLeadResult {
  const notes: string[] = [];
  const skipped: SkippedRep[] = [];
  const owners = [
    {
      kind: 'account-owner',
      enabled: agreement.routing.accountOwnerWins,
      repId: input.accountOwnerRepId,
      title: 'Account owner',
    },
    {
      kind: 'existing-owner',
      enabled: agreement.routing.keepExistingOwner,
      repId: input.existingOwnerRepId,
      title: 'Existing owner',
    },
  ] as const;
  for (const owner of owners) {
    if (!owner.enabled || owner.repId === undefined) continue;
    const found = findRep(agreement, owner.repId);
    if (found === undefined) {
      notes.push(`${owner.title} "${owner.repId}" is not a rep in the agreement`);
      continue;
    }
    if (isAway(found.rep, input)) {
      notes.push(`${owner.title} ${found.rep.name} is away`);
      addSkipped(skipped, { repId: found.rep.id, why: 'away' });
      continue;
    }
    const text =
      owner.kind === 'account-owner'
        ? `Account owner ${found.rep.name} (${found.team.label}) gets the lead`
        : `Existing owner ${found.rep.name} (${found.team.label}) keeps the lead`;
    return assignOwner(agreement, state, input, found, {
      repId: found.rep.id,
      teamId: found.team.id,
      reason: { kind: owner.kind, text: sentence([...notes, text]) },
      skipped,
    });
  }

  const choice = chooseTeam(agreement, input);
  const day = localDay(input.at, teamTimezone(agreement, choice.team));
  const teamState = copyTeamStateForDay(state.teams[choice.team.id], day);
  const nextState = (): RoutingState => ({ teams: { ...state.teams, [choice.team.id]: teamState } });
  const ids = { ruleId: choice.ruleId, personaId: choice.personaId };
  const currentIds = new Set(choice.team.reps.map((rep) => rep.id));
  for (const repId of Object.keys(teamState.credit)) {
    if (!currentIds.has(repId)) delete teamState.credit[repId];
  }

  const eligible: Rep[] = [];
  for (const rep of choice.team.reps) {
    if (isAway(rep, input)) addSkipped(skipped, { repId: rep.id, why: 'away' });
    else if (rep.dailyCap !== undefined && (teamState.assignedToday[rep.id] ?? 0) >= rep.dailyCap) {
      addSkipped(skipped, { repId: rep.id, why: 'daily-cap' });
    } else eligible.push(rep);
  }

  const skippedHere = skipped.filter((entry) => currentIds.has(entry.repId));
  if (eligible.length === 0) {
    const why =
      choice.team.reps.length === 0
        ? 'the team has no reps'
        : `no rep can take it: ${describeSkipped(choice.team, skippedHere)}`;
    return {
      decision: {
        repId: null,
        teamId: choice.team.id,
        reason: { kind: 'no-eligible-rep', ...definedIds(ids), text: sentence([...notes, choice.text, why]) },
        skipped,
      },
      state: nextState(),
    };
  }

  const picked = pickByWeightedRoundRobin(teamState, eligible);
  count(teamState, picked.id);
  const parts = [
    ...notes,
    choice.text,
    `${picked.name} next by weighted round-robin (capacity ${picked.capacity})`,
  ];
  if (skippedHere.length > 0) parts.push(`skipped ${describeSkipped(choice.team, skippedHere)}`);
  return {
    decision: {
      repId: picked.id,
      teamId: choice.team.id,
      reason: { kind: choice.kind, ...definedIds(ids), text: sentence(parts) },
      skipped,
    },
    state: nextState(),
  };
}

/**
 * Smooth weighted round-robin: every eligible rep earns its capacity in credit, the richest goes
 * next (ties to the rep listed first) and pays the eligible reps' total capacity. Reps who are away
 * or at their daily cap keep their credit as it was, so they neither fall behind nor come back to a
 * burst; credits are kept within ± the total so an old balance cannot dominate after a change.
 */
function pickByWeightedRoundRobin(teamState: TeamRoutingState, eligible: Rep[]): Rep {
  const total = eligible.reduce((sum, rep) => sum + rep.capacity, 0);
  let picked: Rep | undefined;
  for (const rep of eligible) {
    const credit = (teamState.credit[rep.id] ?? 0) + rep.capacity;
    teamState.credit[rep.id] = credit;
    if (picked === undefined || credit > (teamState.credit[picked.id] ?? 0)) picked = rep;
  }
  if (picked === undefined) throw new Error('weighted round-robin needs at least one rep');
  teamState.credit[picked.id] = (teamState.credit[picked.id] ?? 0) - total;
  for (const rep of eligible) {
    const credit = teamState.credit[rep.id] ?? 0;
    teamState.credit[rep.id] = Math.min(total, Math.max(-total, credit));
  }
  return picked;
}

function assignOwner(
  agreement: Agreement,
  state: RoutingState,
  input: RouteLeadInput,
  found: { team: Team; rep: Rep },
  decision: RoutingDecision,
): RouteLeadResult {
  const day = localDay(input.at, teamTimezone(agreement, found.team));
  const teamState = copyTeamStateForDay(state.teams[found.team.id], day);
  count(teamState, found.rep.id);
  return { decision, state: { teams: { ...state.teams, [found.team.id]: teamState } } };
}

function chooseTeam(agreement: Agreement, input: RouteLeadInput): TeamChoice {
  const rule = agreement.routing.rules.find((candidate) => input.matches(candidate.when));
  if (rule !== undefined) {
    const team = getTeam(agreement, rule.team);
    const label = rule.label === undefined ? '' : ` (${rule.label})`;
    return { team, kind: 'rule', ruleId: rule.id, text: `Rule ${rule.id}${label} → ${team.label}` };
  }
  for (const personaId of input.personas) {
    const persona = agreement.personas.find((candidate) => candidate.id === personaId);
    if (persona?.team === undefined) continue;
    const team = getTeam(agreement, persona.team);
    return { team, kind: 'persona', personaId, text: `Persona ${persona.label} → ${team.label}` };
  }
  const team = getTeam(agreement, agreement.routing.defaultTeam);
  return { team, kind: 'default-team', text: `No rule or persona matched → default team ${team.label}` };
}

function getTeam(agreement: Agreement, teamId: string): Team {
  const team = agreement.teams.find((candidate) => candidate.id === teamId);
  if (team === undefined) throw new Error(`routing names team "${teamId}", which the agreement lacks`);
  return team;
}

function findRep(agreement: Agreement, repId: string): { team: Team; rep: Rep } | undefined {
  for (const team of agreement.teams) {
    const rep = team.reps.find((candidate) => candidate.id === repId);
    if (rep !== undefined) return { team, rep };
  }
  return undefined;
}

function isAway(rep: Rep, input: RouteLeadInput): boolean {
  return input.repOverrides?.[rep.id]?.away ?? rep.away;
}

function count(teamState: TeamRoutingState, repId: string): void {
  teamState.assignedToday[repId] = (teamState.assignedToday[repId] ?? 0) + 1;
  teamState.assignedTotal[repId] = (teamState.assignedTotal[repId] ?? 0) + 1;
}

function addSkipped(skipped: SkippedRep[], entry: SkippedRep): void {
  if (!skipped.some((existing) => existing.repId === entry.repId)) skipped.push(entry);
}

function describeSkipped(team: Team, skipped: SkippedRep[]): string {
  return skipped
    .map((entry) => {
      const rep = team.reps.find((candidate) => candidate.id === entry.repId);
      const name = rep?.name ?? entry.repId;
      return entry.why === 'away' ? `${name} (away)` : `${name} (daily cap of ${rep?.dailyCap} reached)`;
    })
    .join(', ');
}

function definedIds(ids: { ruleId: string | undefined; personaId: string | undefined }) {
  return {
    ...(ids.ruleId === undefined ? {} : { ruleId: ids.ruleId }),
    ...(ids.personaId === undefined ? {} : { personaId: ids.personaId }),
  };
}

function sentence(parts: string[]): string {
  return parts.join('; ');
}
