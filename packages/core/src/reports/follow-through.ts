import type { Agreement } from '../agreement/agreement-schema.ts';
import { type BusinessCalendar, businessTimeBetween, calendarForTeam } from '../engine/calendar/index.ts';
import type { ReportPeriod } from './period.ts';
import { type ReportMeta, reportMeta, type SegmentFilters } from './report-meta.ts';
import { median, quantiles, ratio, round } from './statistics.ts';

/** A hand-over to sales as stored (`sla_clocks`), with the person it was about. Times in epoch ms. */
export type HandOverFacts = {
  /** The surviving contact (merged contacts read as one person). */
  personId: string;
  teamId: string | null;
  repId: string | null;
  startedAt: number;
  /** Whether the clock counts only the team's business hours (the quadrant's `businessHours`). */
  businessHours: boolean;
  status: 'open' | 'worked' | 'breached' | 'cancelled';
};

/** A rep's touch on one of the person's contacts. */
export type TouchFacts = { personId: string; kind: string; at: number };
/** A rep's verdict on one of the person's contacts. */
export type VerdictFacts = {
  personId: string;
  verdict: 'accept' | 'reject' | 'recycle';
  reason: string | null;
  at: number;
};

export type Spread = { median: number | null; p90: number | null };

export type FollowThroughFigures = {
  team: string | null;
  rep?: string | null;
  /** Hand-overs (SLA clocks) started in the period, cancelled ones left out: the SLA report's `handed`. */
  handed: number;
  /** Hand-overs with a qualifying touch by asOf. */
  worked: number;
  workedShare: number | null;
  timeToFirstTouch: {
    /** Hours as the SLA clock counts them: business hours for clocks that count business hours, else wall-clock. */
    slaHours: Spread;
    /** Wall-clock hours, for every worked hand-over. */
    wallClockHours: Spread;
  };
  attempts: {
    /** Hand-overs whose first N days are over by asOf: the ones averaged. */
    measured: number;
    /** Touches of any kind in the first N days, per measured hand-over. */
    average: number | null;
    median: number | null;
    /** Measured hand-overs without any touch in their first N days. */
    none: number;
  };
  feedback: {
    accepted: number;
    rejected: number;
    recycled: number;
    /** No verdict yet. */
    pending: number;
    acceptRate: number | null;
    rejectRate: number | null;
    recycleRate: number | null;
    reasons: { verdict: 'reject' | 'recycle'; reason: string | null; count: number }[];
  };
};

export type FollowThroughReport = ReportMeta & {
  report: 'follow-through';
  attemptDays: number;
  qualifyingTouches: string[];
  total: FollowThroughFigures;
  teams: FollowThroughFigures[];
  reps: FollowThroughFigures[];
};

/** Attempts are counted over this many days when the query names none. */
export const defaultAttemptDays = 7;

export const followThroughDefinitions = {
  handed:
    'handed: hand-overs to a rep, i.e. SLA clocks started in the period (cancelled ones — merged contacts — left out); the same count as the SLA report. A recycled lead handed over again is a second hand-over.',
  window:
    "A hand-over's touches and feedback are those of the person (with every contact merged into it) from the hand-over until the person's next hand-over, up to asOf.",
  worked:
    'worked: a qualifying touch (sla.sales.qualifyingTouches) in the window; workedShare = worked ÷ handed.',
  timeToFirstTouch:
    "Time to first touch: from the hand-over to the first qualifying touch, over worked hand-overs. slaHours counts as the clock does — the owning team's business hours and holidays when the clock counts business hours (the quadrant's businessHours), wall-clock otherwise; wallClockHours is always wall-clock. Median and 90th percentile interpolate linearly.",
  attempts:
    'Attempts: touches of any kind in the first N days (attemptDays, wall-clock) of the window, averaged over the hand-overs whose N days are over by asOf (measured); none counts those with no touch.',
  feedback:
    'Feedback: the first verdict (accept, reject, recycle) in the window; rates are over handed, pending have none yet. reasons count the reject and recycle reasons of those verdicts.',
  groups:
    'By team and by rep: the team and rep of the clock (the assignment at hand-over); the total counts every hand-over once.',
};

/**
 * A hand-over of the period and what followed it in its window (`followThroughDefinitions`): what
 * the report is figured from. `handOverOutcomes` derives them from the facts (the definition); the
 * server's database path counts them in one statement.
 */
export type HandOverOutcome = {
  teamId: string | null;
  repId: string | null;
  startedAt: number;
  businessHours: boolean;
  /** The first qualifying touch in the window (epoch ms), or null: not worked. */
  firstTouchAt: number | null;
  /** Touches of any kind in the window's first attemptDays; null when those days are not over by asOf. */
  attempts: number | null;
  /** The first verdict in the window. */
  verdict: { verdict: VerdictFacts['verdict']; reason: string | null } | null;
};

type Outcome = {
  teamId: string | null;
  repId: string | null;
  worked: boolean;
  slaMs: number | null;
  wallMs: number | null;
  attempts: number | null;
  verdict: HandOverOutcome['verdict'];
};

const dayMs = 86_400_000;

function byPerson<T extends { personId: string; at: number }>(items: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(item.personId);
    if (list === undefined) map.set(item.personId, [item]);
    else list.push(item);
  }
  for (const list of map.values()) list.sort((a, b) => a.at - b.at);
  return map;
}

/** The items (in time order) at or after `from` and before `end`. */
function inWindow<T extends { at: number }>(items: readonly T[], from: number, end: number): T[] {
  const found: T[] = [];
  for (const item of items) {
    if (item.at >= end) break;
    if (item.at >= from) found.push(item);
  }
  return found;
}

/** How many of the items (in time order) are before `end`. */
function countBefore(items: readonly { at: number }[], end: number): number {
  let count = 0;
  while (count < items.length && (items[count] as { at: number }).at < end) count++;
  return count;
}

function figures(outcomes: readonly Outcome[]): Omit<FollowThroughFigures, 'team' | 'rep'> {
  const handed = outcomes.length;
  // One pass over the outcomes (the total, each team and each rep are figured).
  const slaMs: number[] = [];
  const wallMs: number[] = [];
  const measured: number[] = [];
  let worked = 0;
  let accepted = 0;
  let rejected = 0;
  let recycled = 0;
  const reasons = new Map<string, { verdict: 'reject' | 'recycle'; reason: string | null; count: number }>();
  for (const outcome of outcomes) {
    if (outcome.worked) {
      worked++;
      if (outcome.slaMs !== null) slaMs.push(outcome.slaMs);
      if (outcome.wallMs !== null) wallMs.push(outcome.wallMs);
    }
    if (outcome.attempts !== null) measured.push(outcome.attempts);
    const { verdict } = outcome;
    if (verdict === null) continue;
    if (verdict.verdict === 'accept') {
      accepted++;
      continue;
    }
    if (verdict.verdict === 'reject') rejected++;
    else recycled++;
    const key = `${verdict.verdict}\u0000${verdict.reason ?? ''}`;
    const entry = reasons.get(key) ?? { verdict: verdict.verdict, reason: verdict.reason, count: 0 };
    entry.count += 1;
    reasons.set(key, entry);
  }
  const toHours = (ms: number | null) => (ms === null ? null : round(ms / 3_600_000, 2));
  const hours = (values: number[]) => {
    const [middle = null, p90 = null] = quantiles(values, [0.5, 0.9]);
    return { median: toHours(middle), p90: toHours(p90) };
  };
  return {
    handed,
    worked,
    workedShare: round(ratio(worked, handed), 4),
    timeToFirstTouch: {
      slaHours: hours(slaMs),
      wallClockHours: hours(wallMs),
    },
    attempts: {
      measured: measured.length,
      average: round(
        measured.length === 0 ? null : measured.reduce((sum, value) => sum + value, 0) / measured.length,
        2,
      ),
      median: round(median(measured), 2),
      none: measured.filter((value) => value === 0).length,
    },
    feedback: {
      accepted,
      rejected,
      recycled,
      pending: handed - accepted - rejected - recycled,
      acceptRate: round(ratio(accepted, handed), 4),
      rejectRate: round(ratio(rejected, handed), 4),
      recycleRate: round(ratio(recycled, handed), 4),
      reasons: [...reasons.values()].sort(
        (a, b) =>
          b.count - a.count ||
          a.verdict.localeCompare(b.verdict) ||
          (a.reason ?? '').localeCompare(b.reason ?? ''),
      ),
    },
  };
}

const compareKeys = (a: string | null, b: string | null) =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;

/** The facts of the selected people up to asOf, and how many days attempts are counted over. */
type FollowThroughFactsInput = {
  agreement: Agreement;
  period: ReportPeriod;
  asOf: Date;
  attemptDays?: number;
  /** Every hand-over of the selected people up to asOf (earlier ones bound the windows). */
  handOvers: readonly HandOverFacts[];
  touches: readonly TouchFacts[];
  verdicts: readonly VerdictFacts[];
};

/**
 * Each hand-over of the period (cancelled ones left out) with what followed it in its window: from
 * the hand-over to the person's next one, up to asOf (`followThroughDefinitions`).
 */
export function handOverOutcomes(input: FollowThroughFactsInput): HandOverOutcome[] {
  const asOf = input.asOf.getTime();
  const attemptDays = input.attemptDays ?? defaultAttemptDays;
  const qualifying = new Set<string>(input.agreement.sla.sales.qualifyingTouches);
  const touches = byPerson(input.touches.filter((touch) => touch.at <= asOf));
  const verdicts = byPerson(input.verdicts.filter((verdict) => verdict.at <= asOf));
  const handOvers = byPerson(
    input.handOvers
      .filter((handOver) => handOver.status !== 'cancelled' && handOver.startedAt <= asOf)
      .map((handOver) => ({ ...handOver, at: handOver.startedAt })),
  );
  const periodFrom = input.period.from.getTime();
  const periodTo = input.period.to.getTime();
  const outcomes: HandOverOutcome[] = [];
  for (const [personId, list] of handOvers) {
    const personTouches = touches.get(personId) ?? [];
    const personVerdicts = verdicts.get(personId) ?? [];
    for (let index = 0; index < list.length; index++) {
      const handOver = list[index] as (typeof list)[number];
      if (handOver.at < periodFrom || handOver.at >= periodTo) continue;
      const end = Math.min(list[index + 1]?.at ?? Number.POSITIVE_INFINITY, asOf + 1);
      const own = inWindow(personTouches, handOver.at, end);
      const attemptsEnd = handOver.at + attemptDays * dayMs;
      const verdict = inWindow(personVerdicts, handOver.at, end)[0];
      outcomes.push({
        teamId: handOver.teamId,
        repId: handOver.repId,
        startedAt: handOver.at,
        businessHours: handOver.businessHours,
        firstTouchAt: own.find((touch) => qualifying.has(touch.kind))?.at ?? null,
        attempts: attemptsEnd <= asOf ? countBefore(own, attemptsEnd) : null,
        verdict: verdict === undefined ? null : { verdict: verdict.verdict, reason: verdict.reason },
      });
    }
  }
  return outcomes;
}

/**
 * Sales follow-through of the hand-overs of a period: the share worked, time to first touch,
 * attempts in the first N days and the feedback verdicts with their reasons, by team and by rep
 * (see `followThroughDefinitions`), from the selected people's facts.
 */
export function buildFollowThrough(
  input: FollowThroughFactsInput & { agreementVersion: number; filters: SegmentFilters },
): FollowThroughReport {
  return followThroughFromOutcomes({ ...input, outcomes: handOverOutcomes(input) });
}

/** The follow-through report from the period's hand-over outcomes (however they were counted). */
export function followThroughFromOutcomes(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  asOf: Date;
  filters: SegmentFilters;
  attemptDays?: number;
  outcomes: readonly HandOverOutcome[];
}): FollowThroughReport {
  const { agreement } = input;
  const attemptDays = input.attemptDays ?? defaultAttemptDays;
  // A team's calendar is built once, not per hand-over.
  const calendars = new Map<string, BusinessCalendar | null>();
  const calendarOf = (teamId: string) => {
    let calendar = calendars.get(teamId);
    if (calendar === undefined) {
      calendar = calendarForTeam(agreement, teamId) ?? null;
      calendars.set(teamId, calendar);
    }
    return calendar;
  };
  const outcomes: Outcome[] = input.outcomes.map((handOver) => {
    const first = handOver.firstTouchAt;
    const calendar = handOver.businessHours && handOver.teamId !== null ? calendarOf(handOver.teamId) : null;
    return {
      teamId: handOver.teamId,
      repId: handOver.repId,
      worked: first !== null,
      wallMs: first === null ? null : first - handOver.startedAt,
      slaMs:
        first === null ? null : businessTimeBetween(new Date(handOver.startedAt), new Date(first), calendar),
      attempts: handOver.attempts,
      verdict: handOver.verdict,
    };
  });

  const group = (key: (outcome: Outcome) => string) => {
    const groups = new Map<string, Outcome[]>();
    for (const outcome of outcomes) {
      const k = key(outcome);
      const list = groups.get(k);
      if (list === undefined) groups.set(k, [outcome]);
      else list.push(outcome);
    }
    return groups;
  };
  const salesTeams = agreement.teams.filter((team) => team.kind === 'sales').map((team) => team.id);
  const byTeam = group((outcome) => outcome.teamId ?? '');
  const teamIds = [...new Set([...salesTeams, ...[...byTeam.keys()].filter((id) => id !== '')])];
  const teams: FollowThroughFigures[] = teamIds.map((team) => ({
    team,
    ...figures(byTeam.get(team) ?? []),
  }));
  if (byTeam.has('')) teams.push({ team: null, ...figures(byTeam.get('') ?? []) });
  const reps = [...group((outcome) => `${outcome.teamId ?? ''}\u0000${outcome.repId ?? ''}`).values()]
    .map((list) => ({
      team: list[0]?.teamId ?? null,
      rep: list[0]?.repId ?? null,
      ...figures(list),
    }))
    .sort((a, b) => compareKeys(a.team, b.team) || compareKeys(a.rep, b.rep));

  return {
    report: 'follow-through',
    ...reportMeta({ ...input, definitions: followThroughDefinitions }),
    attemptDays,
    qualifyingTouches: [...agreement.sla.sales.qualifyingTouches],
    total: { team: null, ...figures(outcomes) },
    teams,
    reps,
  };
}
