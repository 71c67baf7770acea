import type { Agreement, QuadrantId } from '../agreement/agreement-schema.ts';
import { type EngineEffects, type EngineWorld, emptyEffects } from '../engine/contact-engine.ts';
import { emptyRoutingState } from '../engine/routing/routing-state.ts';
import { createMemoryStateStore, type EngineStep, processStep } from '../engine/workspace-engine.ts';
import { type LearnedScore, scoreLead } from './analyze-insights.ts';
import { createCalendarKeys } from './calendar-keys.ts';
import type { LeadHistory } from './history.ts';
import { wilsonInterval } from './statistics.ts';

const dayMs = 86_400_000;

export type BacktestOptions = {
  /** Report the last this many local months of the history (the replay still runs from the start). */
  months: number;
  /** An MQL closes when the lead wins within this many days of becoming one. Default 180. */
  horizonDays?: number;
  /** The learned score, for the expected close rate of the MQLs; without it that column is null. */
  score?: LearnedScore;
  /** The lead histories of the same facts, needed with `score`. */
  histories?: ReadonlyMap<string, LeadHistory>;
};

type BacktestMonth = {
  month: string;
  mqls: number;
  /** Share of the month's MQLs that were in the hot quadrant when they became MQLs. */
  shareHot: number | null;
  /** Mean learned probability of the month's MQLs when they became MQLs. */
  expectedCloseRate: number | null;
  /** MQLs whose horizon has passed by the last fact (censored otherwise), those of them who won within it, and the rate with its Wilson 95 % interval. */
  decided: number;
  customers: number;
  actualCloseRate: number | null;
  actualLow: number | null;
  actualHigh: number | null;
  /** MQL points by the agreement's fit grade points (1 each without them). */
  points: number;
};

type BacktestRepLoad = {
  repId: string;
  teamId: string | null;
  /** New leads routed to the rep per week, over the weeks of the reported months. */
  meanPerWeek: number;
  maxPerWeek: number;
  /** dailyCap × 5 when the agreement caps the rep; null means no stated capacity. */
  capacityPerWeek: number | null;
  weeksOverCapacity: number;
};

export type BacktestSide = {
  months: BacktestMonth[];
  totals: Omit<BacktestMonth, 'month'>;
  /** The reported months' MQLs that were hot when they became MQLs, and how they closed. */
  hot: { mqls: number; decided: number; customers: number; closeRate: number | null };
  /**
   * Leads that first became hot in the reported months (MQL or not), and how many of them won
   * within the horizon after that: what a suggestion's claim about hot leads is checked against.
   */
  firstHot: {
    leads: number;
    decided: number;
    customers: number;
    closeRate: number | null;
    low: number | null;
    high: number | null;
  };
  reps: BacktestRepLoad[];
  /** First-touch clocks started in the reported months: worked before the deadline, breached, still open. */
  clocks: { started: number; worked: number; breached: number; workedShare: number | null };
  /** The SLA figures this side implies, beside what its agreement says. */
  sla: {
    period: 'week' | 'month' | 'quarter';
    measure: 'points' | 'expected-value';
    target: number;
    /** Median MQL points per reported month. */
    impliedMonthlyPoints: number | null;
    workedWithinDeadline: number;
    impliedWorkedShare: number | null;
  };
};

export type BacktestReport = {
  from: string;
  to: string;
  months: string[];
  horizonDays: number;
  mqlStage: string;
  facts: number;
  contacts: number;
  current: BacktestSide;
  candidate: BacktestSide;
  /** Contacts whose quadrant at the end differs between the two, by pair (`hot→nurture`). */
  quadrantChanges: { total: number; byPair: { from: QuadrantId; to: QuadrantId; contacts: number }[] };
};

type SideRaw = {
  mqls: { contactId: string; at: number; hot: boolean; grade: string }[];
  assignments: { repId: string | null; teamId: string | null; at: number }[];
  clocks: Map<string, { startedAt: number; status: string }>;
  quadrants: Map<string, QuadrantId>;
  /** When each contact first entered the hot quadrant. */
  firstHot: Map<string, number>;
};

/**
 * Replays the same facts under the current and a candidate agreement, each in a world of its own
 * (memory state store, fresh routing), and compares what each would have produced. Nothing is
 * written anywhere: the steps are read twice (`steps` is called once per side). Outcomes come from
 * the facts (won deals), so the close rate of MQLs is what the leads each side picks really did.
 */
export function runBacktest(
  current: Agreement,
  candidate: Agreement,
  steps: () => Iterable<EngineStep>,
  options: BacktestOptions,
): BacktestReport {
  if (!Number.isInteger(options.months) || options.months < 1 || options.months > 120) {
    throw new Error('months must be a whole number from 1 to 120');
  }
  const horizonDays = options.horizonDays ?? 180;
  const wonAt = new Map<string, number>();
  let facts = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const currentRaw = replay(current, steps(), (step) => {
    facts++;
    if (step.kind === 'tick') return;
    if (step.kind !== 'contact') {
      first = Math.min(first, step.at);
      last = Math.max(last, step.at);
    }
    if (step.kind === 'deal' && step.event === 'won' && !wonAt.has(step.contactId))
      wonAt.set(step.contactId, step.at);
  });
  const candidateRaw = replay(candidate, steps());
  const keys = createCalendarKeys(current.timezone);
  const lastMonth = Number.isFinite(last) ? keys.month(last) : '';
  const reported = Number.isFinite(last) ? monthsBack(lastMonth, options.months) : [];
  const inReport = new Set(reported);
  const summarise = (agreement: Agreement, raw: SideRaw): BacktestSide =>
    summariseSide(agreement, raw, { keys, inReport, reported, wonAt, asOf: last, horizonDays, options });

  const byPair = new Map<string, number>();
  for (const [contactId, before] of currentRaw.quadrants) {
    const after = candidateRaw.quadrants.get(contactId);
    if (after === undefined || after === before) continue;
    const key = `${before}→${after}`;
    byPair.set(key, (byPair.get(key) ?? 0) + 1);
  }
  const pairs = [...byPair]
    .map(([key, contacts]) => {
      const [from, to] = key.split('→') as [QuadrantId, QuadrantId];
      return { from, to, contacts };
    })
    .sort((a, b) => b.contacts - a.contacts || (`${a.from}${a.to}` < `${b.from}${b.to}` ? -1 : 1));
  return {
    from: Number.isFinite(first) ? new Date(first).toISOString() : '',
    to: Number.isFinite(last) ? new Date(last).toISOString() : '',
    months: reported,
    horizonDays,
    mqlStage: current.sla.marketing.stage,
    facts,
    contacts: currentRaw.quadrants.size,
    current: summarise(current, currentRaw),
    candidate: summarise(candidate, candidateRaw),
    quadrantChanges: { total: pairs.reduce((sum, p) => sum + p.contacts, 0), byPair: pairs },
  };
}

function replay(
  agreement: Agreement,
  steps: Iterable<EngineStep>,
  see?: (step: EngineStep) => void,
): SideRaw {
  const owners = new Map<string, string>();
  const world: EngineWorld = {
    agreement,
    routing: emptyRoutingState(),
    accountOwner: (accountId) => owners.get(accountId),
    ownerChanged: (accountId, repId) => owners.set(accountId, repId),
  };
  const store = createMemoryStateStore(world);
  const mqlStage = agreement.sla.marketing.stage;
  const raw: SideRaw = {
    mqls: [],
    assignments: [],
    clocks: new Map(),
    quadrants: new Map(),
    firstHot: new Map(),
  };
  let effects: EngineEffects = emptyEffects();
  for (const step of steps) {
    see?.(step);
    const touched = processStep(world, store, step, effects);
    for (const contactId of touched) {
      if (raw.firstHot.has(contactId)) continue;
      const state = store.get(contactId);
      if (state?.quadrant === 'hot' && state.started) raw.firstHot.set(contactId, state.now);
    }
    if (effects.transitions.length === 0 && effects.assignments.length === 0 && effects.clocks.length === 0) {
      if (effects.alerts.length > 0 || effects.notifications.length > 0) effects = emptyEffects();
      continue;
    }
    for (const transition of effects.transitions) {
      if (transition.to !== mqlStage) continue;
      const state = store.get(transition.contactId);
      raw.mqls.push({
        contactId: transition.contactId,
        at: transition.at,
        hot: state?.quadrant === 'hot',
        grade: state?.fit.grade ?? '',
      });
    }
    for (const assignment of effects.assignments) {
      raw.assignments.push({ repId: assignment.repId, teamId: assignment.teamId, at: assignment.at });
    }
    for (const clock of effects.clocks) {
      const known = raw.clocks.get(clock.id);
      raw.clocks.set(clock.id, { startedAt: known?.startedAt ?? clock.startedAt, status: clock.status });
    }
    effects = emptyEffects();
  }
  for (const state of store.all()) {
    if (state.started && state.mergedIntoId === undefined) raw.quadrants.set(state.contactId, state.quadrant);
  }
  return raw;
}

type SummaryContext = {
  keys: ReturnType<typeof createCalendarKeys>;
  inReport: Set<string>;
  reported: string[];
  wonAt: Map<string, number>;
  asOf: number;
  horizonDays: number;
  options: BacktestOptions;
};

function summariseSide(agreement: Agreement, raw: SideRaw, context: SummaryContext): BacktestSide {
  const { keys, inReport, reported, wonAt, asOf, horizonDays, options } = context;
  const horizon = horizonDays * dayMs;
  const gradePoints = agreement.sla.marketing.gradePoints;
  type Tally = {
    mqls: number;
    hot: number;
    expected: number;
    scored: number;
    decided: number;
    customers: number;
    points: number;
  };
  const empty = (): Tally => ({
    mqls: 0,
    hot: 0,
    expected: 0,
    scored: 0,
    decided: 0,
    customers: 0,
    points: 0,
  });
  const byMonth = new Map(reported.map((month) => [month, empty()]));
  const total = empty();
  const hot = { mqls: 0, decided: 0, customers: 0, closeRate: null as number | null };
  for (const mql of raw.mqls) {
    const month = keys.month(mql.at);
    if (!inReport.has(month)) continue;
    const tallies = [byMonth.get(month) as Tally, total];
    const history = options.histories?.get(mql.contactId);
    const expected =
      options.score !== undefined && history !== undefined
        ? scoreLead(options.score, history, mql.at + 1, 0).probability
        : undefined;
    const won = wonAt.get(mql.contactId);
    // Censoring as in the analysis: only MQLs whose horizon has passed by the last fact are
    // decided, winners included, so recent months are not made of quick wins alone.
    const decided = mql.at + horizon <= asOf;
    const customer = decided && won !== undefined && won >= mql.at && won < mql.at + horizon;
    if (mql.hot) {
      hot.mqls++;
      if (decided) hot.decided++;
      if (customer) hot.customers++;
    }
    for (const tally of tallies) {
      tally.mqls++;
      if (mql.hot) tally.hot++;
      if (expected !== undefined) {
        tally.expected += expected;
        tally.scored++;
      }
      if (decided) tally.decided++;
      if (customer) tally.customers++;
      tally.points += gradePoints === undefined ? 1 : (gradePoints[mql.grade] ?? 0);
    }
  }
  const describe = (tally: Tally): Omit<BacktestMonth, 'month'> => {
    const interval = tally.decided === 0 ? undefined : wilsonInterval(tally.customers, tally.decided);
    return {
      mqls: tally.mqls,
      shareHot: tally.mqls === 0 ? null : tally.hot / tally.mqls,
      expectedCloseRate: tally.scored === 0 ? null : tally.expected / tally.scored,
      decided: tally.decided,
      customers: tally.customers,
      actualCloseRate: tally.decided === 0 ? null : tally.customers / tally.decided,
      actualLow: interval?.low ?? null,
      actualHigh: interval?.high ?? null,
      points: tally.points,
    };
  };
  const months = reported.map((month) => ({ month, ...describe(byMonth.get(month) as Tally) }));

  // Rep load: new leads per rep per local week of the reported months.
  const weeks = new Set<string>();
  const load = new Map<string, { teamId: string | null; perWeek: Map<string, number> }>();
  for (const assignment of raw.assignments) {
    if (assignment.repId === null || !inReport.has(keys.month(assignment.at))) continue;
    const week = keys.week(assignment.at);
    weeks.add(week);
    const rep = load.get(assignment.repId) ?? {
      teamId: assignment.teamId,
      perWeek: new Map<string, number>(),
    };
    load.set(assignment.repId, rep);
    rep.perWeek.set(week, (rep.perWeek.get(week) ?? 0) + 1);
  }
  const caps = new Map(
    agreement.teams.flatMap((team) => team.reps.map((rep) => [rep.id, rep.dailyCap] as const)),
  );
  const weekCount = Math.max(1, reported.length === 0 ? 1 : Math.round((reported.length * 365.25) / 12 / 7));
  const reps = [...load]
    .map(([repId, rep]) => {
      const counts = [...rep.perWeek.values()];
      const dailyCap = caps.get(repId);
      const capacityPerWeek = dailyCap === undefined ? null : dailyCap * 5;
      return {
        repId,
        teamId: rep.teamId,
        meanPerWeek: counts.reduce((sum, c) => sum + c, 0) / weekCount,
        maxPerWeek: Math.max(0, ...counts),
        capacityPerWeek,
        weeksOverCapacity: capacityPerWeek === null ? 0 : counts.filter((c) => c > capacityPerWeek).length,
      };
    })
    .sort((a, b) => (a.repId < b.repId ? -1 : 1));

  let started = 0;
  let worked = 0;
  let breached = 0;
  for (const clock of raw.clocks.values()) {
    if (!inReport.has(keys.month(clock.startedAt))) continue;
    started++;
    if (clock.status === 'worked') worked++;
    else if (clock.status === 'breached') breached++;
  }
  const pointsPerMonth = months.map((m) => m.points).sort((a, b) => a - b);
  const median =
    pointsPerMonth.length === 0
      ? null
      : pointsPerMonth.length % 2 === 1
        ? (pointsPerMonth[(pointsPerMonth.length - 1) / 2] as number)
        : ((pointsPerMonth[pointsPerMonth.length / 2 - 1] as number) +
            (pointsPerMonth[pointsPerMonth.length / 2] as number)) /
          2;
  hot.closeRate = hot.decided === 0 ? null : hot.customers / hot.decided;
  const firstHot = { leads: 0, decided: 0, customers: 0 };
  for (const [contactId, at] of raw.firstHot) {
    if (!inReport.has(keys.month(at))) continue;
    firstHot.leads++;
    const won = wonAt.get(contactId);
    if (at + horizon > asOf) continue;
    const customer = won !== undefined && won >= at && won < at + horizon;
    firstHot.decided++;
    if (customer) firstHot.customers++;
  }
  const firstHotInterval =
    firstHot.decided === 0 ? undefined : wilsonInterval(firstHot.customers, firstHot.decided);
  return {
    months,
    totals: describe(total),
    hot,
    firstHot: {
      ...firstHot,
      closeRate: firstHot.decided === 0 ? null : firstHot.customers / firstHot.decided,
      low: firstHotInterval?.low ?? null,
      high: firstHotInterval?.high ?? null,
    },
    reps,
    clocks: {
      started,
      worked,
      breached,
      workedShare: worked + breached === 0 ? null : worked / (worked + breached),
    },
    sla: {
      period: agreement.sla.period,
      measure: agreement.sla.marketing.measure,
      target: agreement.sla.marketing.target,
      impliedMonthlyPoints: median,
      workedWithinDeadline: agreement.sla.sales.workedWithinDeadline,
      impliedWorkedShare: worked + breached === 0 ? null : worked / (worked + breached),
    },
  };
}

/** The `count` months ending with `month` (`YYYY-MM`), oldest first. */
function monthsBack(month: string, count: number): string[] {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
  return Array.from({ length: count }, (_, k) => {
    const i = index - (count - 1 - k);
    return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
  });
}
