import type { Agreement } from '../agreement/agreement-schema.ts';
import {
  type BusinessCalendar,
  businessTimeBetween,
  calendarForTeam,
  localDay,
} from '../engine/calendar/index.ts';
import { addDays, weekdayOf } from '../engine/calendar/zoned-time.ts';
import {
  expectedValueOf,
  type PersonFacts,
  pointsOf,
  type ValueBasis,
  valueDefinitions,
} from './lead-value.ts';
import type { ReportPeriod } from './period.ts';
import { type ReportMeta, reportMeta } from './report-meta.ts';
import { ratio, round } from './statistics.ts';
import { entriesIn, type Timeline } from './timeline.ts';

/** An SLA clock as stored (`sla_clocks`), times in epoch ms. */
export type ClockFacts = {
  teamId: string | null;
  repId: string | null;
  startedAt: number;
  deadlineAt: number;
  status: 'open' | 'worked' | 'breached' | 'cancelled';
  stoppedAt: number | null;
};

export type Pace = {
  /** Open days of the calendar in the period, and how many of them have passed (fractions count). */
  businessDays: { elapsed: number; total: number };
  elapsedShare: number;
  /** The target × elapsedShare: where a steady delivery would stand now. */
  expected: number | null;
  /** Delivered ÷ elapsedShare: the period's end if delivery keeps its pace (the delivered value once the period is over). */
  projected: number | null;
  onPace: boolean | null;
};

export type MarketingFigures = {
  /** The team, or null for the whole workspace (or for leads no team received). */
  team: string | null;
  target: number | null;
  leads: number;
  invalid: number;
  value: number | null;
  attainment: number | null;
  pace: Pace;
};

export type SalesFigures = {
  team: string | null;
  rep?: string | null;
  /** Clocks started in the period (hand-overs to a rep), cancelled ones (merged contacts) left out. */
  handed: number;
  /** Clocks whose deadline has passed by asOf, or that were worked: the ones that count. */
  due: number;
  workedWithinDeadline: number;
  compliance: number | null;
  /** Clocks of the period that ran out before a qualifying touch. */
  breaches: number;
  /** Of the breaches, those still without any touch or feedback. */
  openBreaches: number;
};

export type SlaReport = ReportMeta & {
  report: 'sla';
  marketing: {
    stage: string;
    measure: 'points' | 'expected-value';
    total: MarketingFigures;
    byGrade: { grade: string | null; leads: number; value: number | null }[];
    teams: MarketingFigures[];
  };
  sales: {
    target: number;
    total: SalesFigures & { met: boolean | null };
    teams: SalesFigures[];
    reps: SalesFigures[];
  };
};

export const slaDefinitions = {
  delivered:
    'Marketing delivers a lead when the person enters sla.marketing.stage in the period (each person once, its first entry, as the funnel counts it). Its team is the team of the assignment made at that hand-over (the latest assignment at or before the entry, else the first after).',
  measure: 'Value is in the agreement measure: points or expected value; invalid leads count for nothing.',
  pace: "Pace: the share of the period's open business time that has elapsed at asOf, in the team calendar (the marketing team's, else the default sales team's, for the total); expected = target × that share; projected = delivered ÷ that share, a straight line to the period end.",
  compliance:
    'Sales: of the clocks started in the period (cancelled ones left out), those that count are the ones worked or whose deadline has passed by asOf; compliance = worked before the deadline ÷ those. met = compliance ≥ sla.sales.workedWithinDeadline.',
  breaches:
    'breaches: clocks of the period whose deadline passed before a qualifying touch; openBreaches: those never touched since.',
  ...valueDefinitions,
};

function openDays(calendar: BusinessCalendar, from: Date, to: Date): number {
  let count = 0;
  const last = localDay(new Date(to.getTime() - 1), calendar.timezone);
  for (let day = localDay(from, calendar.timezone); day <= last; day = addDays(day, 1)) {
    if (calendar.days.includes(weekdayOf(day)) && !calendar.holidays.includes(day)) count++;
  }
  return count;
}

function paceOf(
  calendar: BusinessCalendar | null,
  period: ReportPeriod,
  asOf: number,
  value: number | null,
  target: number | null,
): Pace {
  const until = new Date(Math.min(Math.max(asOf, period.from.getTime()), period.to.getTime()));
  const whole = businessTimeBetween(period.from, period.to, calendar);
  const elapsedShare = whole <= 0 ? 1 : businessTimeBetween(period.from, until, calendar) / whole;
  const total =
    calendar === null
      ? Math.round((period.to.getTime() - period.from.getTime()) / 86_400_000)
      : openDays(calendar, period.from, period.to);
  const over = asOf >= period.to.getTime();
  const expected = target === null ? null : target * elapsedShare;
  return {
    businessDays: { elapsed: round(total * elapsedShare, 2) ?? 0, total },
    elapsedShare: round(elapsedShare, 4) ?? 0,
    expected: round(expected, 2),
    projected:
      value === null ? null : over ? value : elapsedShare > 0 ? round(value / elapsedShare, 2) : null,
    onPace: value === null || expected === null ? null : value >= expected - 1e-9,
  };
}

function teamOf(
  assignments: readonly { teamId: string | null; at: number }[] | undefined,
  at: number,
): string | null {
  if (assignments === undefined || assignments.length === 0) return null;
  const sorted = [...assignments].sort((a, b) => a.at - b.at);
  const before = sorted.filter((assignment) => assignment.at <= at).at(-1);
  return (before ?? sorted[0])?.teamId ?? null;
}

/**
 * The clocks of one team and rep, counted (see `slaDefinitions`). Cancelled clocks count nowhere,
 * but their team and rep are listed.
 */
export type ClockGroup = {
  teamId: string | null;
  repId: string | null;
  handed: number;
  due: number;
  workedWithinDeadline: number;
  breaches: number;
  openBreaches: number;
};

/** The clocks started in the period, counted by team and rep. */
export function countClocks(clocks: readonly ClockFacts[], period: ReportPeriod, asOf: Date): ClockGroup[] {
  const groups = new Map<string, ClockGroup>();
  const now = asOf.getTime();
  for (const clock of clocks) {
    if (clock.startedAt < period.from.getTime() || clock.startedAt >= period.to.getTime()) continue;
    const key = `${clock.teamId ?? ''}\u0000${clock.repId ?? ''}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        teamId: clock.teamId,
        repId: clock.repId,
        handed: 0,
        due: 0,
        workedWithinDeadline: 0,
        breaches: 0,
        openBreaches: 0,
      };
      groups.set(key, group);
    }
    if (clock.status === 'cancelled') continue;
    group.handed++;
    const isWorked =
      clock.status === 'worked' && clock.stoppedAt !== null && clock.stoppedAt <= clock.deadlineAt;
    if (isWorked) {
      group.due++;
      group.workedWithinDeadline++;
      continue;
    }
    if (clock.deadlineAt > now) continue;
    group.due++;
    group.breaches++;
    if (clock.stoppedAt === null) group.openBreaches++;
  }
  return [...groups.values()];
}

function salesFigures(groups: readonly ClockGroup[]): Omit<SalesFigures, 'team' | 'rep'> {
  const sum = (key: 'handed' | 'due' | 'workedWithinDeadline' | 'breaches' | 'openBreaches') =>
    groups.reduce((total, group) => total + group[key], 0);
  const worked = sum('workedWithinDeadline');
  const due = sum('due');
  return {
    handed: sum('handed'),
    due,
    workedWithinDeadline: worked,
    compliance: round(ratio(worked, due), 4),
    breaches: sum('breaches'),
    openBreaches: sum('openBreaches'),
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}

/**
 * The two-way SLA of one period: what marketing delivered against its target and pace, and how
 * much of what it handed over sales worked within the deadline (see `slaDefinitions`).
 */
export function buildSla(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod & { label?: string };
  asOf: Date;
  /** People who entered the SLA stage in the period, with their whole history up to asOf. */
  timelines: readonly Timeline[];
  persons: ReadonlyMap<string, PersonFacts>;
  assignments: ReadonlyMap<string, { teamId: string | null; at: number }[]>;
  clocks: readonly ClockFacts[];
  basis: ValueBasis;
}): SlaReport {
  return slaFromCounts({
    ...input,
    delivered: countDelivered(input),
    clocks: countClocks(input.clocks, input.period, input.asOf),
  });
}

/**
 * The leads marketing delivered in the period, counted by the team that received them, their
 * current fit grade and whether they were rejected as invalid (see `slaDefinitions`).
 */
export type DeliveredGroup = { team: string | null; grade: string | null; invalid: boolean; leads: number };

/** The delivered leads of the period from the timelines of the people who entered the SLA stage in it. */
export function countDelivered(input: {
  agreement: Agreement;
  period: ReportPeriod;
  timelines: readonly Timeline[];
  persons: ReadonlyMap<string, PersonFacts>;
  assignments: ReadonlyMap<string, { teamId: string | null; at: number }[]>;
}): DeliveredGroup[] {
  const { period } = input;
  const groups = new Map<string, DeliveredGroup>();
  for (const timeline of input.timelines) {
    const found = entriesIn(
      timeline,
      input.agreement.sla.marketing.stage,
      period.from.getTime(),
      period.to.getTime(),
    );
    if (found === undefined) continue;
    const facts = input.persons.get(timeline.personId);
    const grade = facts?.fitGrade ?? null;
    const invalid = facts?.invalid ?? false;
    const team = teamOf(input.assignments.get(timeline.personId), found.first.at);
    const key = JSON.stringify([team, grade, invalid]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { team, grade, invalid, leads: 1 });
    else group.leads++;
  }
  return [...groups.values()];
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The SLA report from its counts, however they were computed (core from timelines, or the database). */
export function slaFromCounts(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod & { label?: string };
  asOf: Date;
  delivered: readonly DeliveredGroup[];
  clocks: readonly ClockGroup[];
  basis: ValueBasis;
}): SlaReport {
  const { agreement, period } = input;
  const asOf = input.asOf.getTime();
  const sla = agreement.sla;
  const measure = sla.marketing.measure;

  const delivered = [...input.delivered]
    .sort(
      (a, b) =>
        compareText(a.team ?? '', b.team ?? '') ||
        compareText(a.grade ?? '', b.grade ?? '') ||
        Number(a.invalid) - Number(b.invalid),
    )
    .map((group) => {
      const each = group.invalid
        ? 0
        : measure === 'points'
          ? pointsOf(agreement, group.grade)
          : expectedValueOf(group.grade, input.basis);
      return { ...group, value: each === null ? null : each * group.leads };
    });

  const sum = (items: readonly { value: number | null }[]) =>
    items.reduce<number | null>(
      (total, item) => (total === null || item.value === null ? null : total + item.value),
      0,
    );
  const leadsOf = (items: readonly DeliveredGroup[]) => items.reduce((total, item) => total + item.leads, 0);

  const companyCalendar = (() => {
    const team =
      agreement.teams.find((candidate) => candidate.kind === 'marketing') ??
      agreement.teams.find((candidate) => candidate.id === agreement.routing.defaultTeam);
    return team === undefined ? null : (calendarForTeam(agreement, team.id) ?? null);
  })();

  const marketingFigures = (
    team: string | null,
    items: typeof delivered,
    target: number | null,
    calendar: BusinessCalendar | null,
  ): MarketingFigures => {
    const value = round(sum(items), 2);
    return {
      team,
      target,
      leads: leadsOf(items),
      invalid: leadsOf(items.filter((item) => item.invalid)),
      value,
      attainment: value === null || target === null ? null : round(ratio(value, target), 4),
      pace: paceOf(calendar, period, asOf, value, target),
    };
  };

  const teamIds = [
    ...new Set([
      ...agreement.teams.filter((team) => team.kind === 'sales').map((team) => team.id),
      ...Object.keys(sla.marketing.teams),
    ]),
  ];
  const byTeam = groupBy(delivered, (item) => item.team ?? '');
  const marketingTeams = teamIds.map((team) =>
    marketingFigures(
      team,
      byTeam.get(team) ?? [],
      sla.marketing.teams[team] ?? null,
      calendarForTeam(agreement, team) ?? companyCalendar,
    ),
  );
  const unassigned = byTeam.get('');
  if (unassigned !== undefined)
    marketingTeams.push(marketingFigures(null, unassigned, null, companyCalendar));

  const byGrade = [...groupBy(delivered, (item) => item.grade ?? '').entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([grade, items]) => ({
      grade: grade === '' ? null : grade,
      leads: leadsOf(items),
      value: round(sum(items), 2),
    }));

  const clocks = input.clocks;
  const total = salesFigures(clocks);
  const clocksByTeam = groupBy(clocks, (clock) => clock.teamId ?? '');
  const agreementSalesTeams = agreement.teams.filter((team) => team.kind === 'sales').map((team) => team.id);
  const salesTeamIds = [
    ...agreementSalesTeams,
    ...[...clocksByTeam.keys()]
      .filter((id) => id !== '' && !agreementSalesTeams.includes(id))
      .sort(compareText),
  ];
  const salesTeams: SalesFigures[] = salesTeamIds.map((team) => ({
    team,
    ...salesFigures(clocksByTeam.get(team) ?? []),
  }));
  if (clocksByTeam.has('')) salesTeams.push({ team: null, ...salesFigures(clocksByTeam.get('') ?? []) });
  const reps = [...groupBy(clocks, (clock) => `${clock.teamId ?? ''}\u0000${clock.repId ?? ''}`).entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, list]) => ({
      team: list[0]?.teamId ?? null,
      rep: list[0]?.repId ?? null,
      ...salesFigures(list),
    }));

  return {
    report: 'sla',
    ...reportMeta({ ...input, filters: {}, definitions: slaDefinitions }),
    marketing: {
      stage: sla.marketing.stage,
      measure,
      total: marketingFigures(null, delivered, sla.marketing.target, companyCalendar),
      byGrade,
      teams: marketingTeams,
    },
    sales: {
      target: sla.sales.workedWithinDeadline,
      total: {
        team: null,
        ...total,
        met: total.compliance === null ? null : total.compliance >= sla.sales.workedWithinDeadline,
      },
      teams: salesTeams,
      reps,
    },
  };
}
