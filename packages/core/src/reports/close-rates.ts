import type { Agreement } from '../agreement/agreement-schema.ts';
import type { Spread } from './follow-through.ts';
import type { ReportPeriod } from './period.ts';
import { type ReportMeta, reportMeta, type SegmentFilters } from './report-meta.ts';
import { median, quantile, ratio, round } from './statistics.ts';
import { becameLeadAt, entriesIn, leadStageOf, type Timeline } from './timeline.ts';

/** What a person is grouped by (see `closeRateDefinitions`); null when unknown. */
export type PersonSegments = {
  source: string | null;
  campaign: string | null;
  persona: string | null;
  quadrant: string | null;
};

/** A deal as stored, with its person; times in epoch ms. */
export type DealFacts = {
  personId: string;
  amount: number | null;
  currency: string | null;
  status: 'open' | 'won' | 'lost';
  createdAt: number;
  /** When it was won or lost (its won/lost event, else its close date); null while open. */
  closedAt: number | null;
};

export type CloseRateGroup = {
  key: string | null;
  leads: number;
  customers: number;
  closeRate: number | null;
};

export type CloseRatesReport = ReportMeta & {
  report: 'close-rates';
  leadStage: string;
  customerStage: string;
  closeRates: {
    total: Omit<CloseRateGroup, 'key'>;
    bySource: CloseRateGroup[];
    byCampaign: CloseRateGroup[];
    byPersona: CloseRateGroup[];
    byQuadrant: CloseRateGroup[];
  };
  deals: {
    currency: string;
    /** Deals won or lost in the period. */
    closed: number;
    won: number;
    lost: number;
    winRate: number | null;
    /** Sum of the won deals' amounts in the agreement currency. */
    wonAmount: number;
    /** Days from creation to won, over the deals won in the period. */
    salesCycleDays: Spread;
    /** Deals created in the period and still open at asOf. */
    openCreated: number;
  };
  velocity: { from: string; to: string; moved: number; skipped: number; days: Spread }[];
};

export const closeRateDefinitions = {
  cohort:
    'Close rate: the people who became a new lead in the period (first entry into the lead stage or any later main stage, as the waterfall cohorts count them) and, of them, those who entered the last main stage (customer) at or after that moment, followed to asOf. closeRate = customers ÷ leads.',
  source:
    'bySource: traits.leadSource of the surviving contact (the funnel segment source, ignoring case); byCampaign: the campaign of the person’s first touchpoint (its first activity naming a campaign or source, as attribution reads them; null when it names no campaign); byPersona: the first persona the person’s current fit matches (agreement order); byQuadrant: the current quadrant. null: unknown.',
  winRate:
    'Deals: won and lost in the period (the won or lost event, else the close date, in the period); winRate = won ÷ (won + lost). Amounts in other currencies are left out of wonAmount.',
  salesCycle:
    'Sales cycle: days from a deal’s creation to its being won, over the deals won in the period; median and 90th percentile, interpolated linearly.',
  velocity:
    'Velocity: for each pair of consecutive main stages, the people who entered the later stage in the period (each once, their first entry, as the funnel counts) after having been in the earlier one; days from their last entry into the earlier stage to that entry. skipped: people who entered without ever being in the earlier stage.',
};

const dayMs = 86_400_000;

/** The people of one segment value (its key as stored; the report normalises and merges keys). */
export type CloseRateCount = { key: string | null; leads: number; customers: number };

/** The durations between two consecutive main stages (see `closeRateDefinitions.velocity`). */
export type VelocityCount = {
  /** People who entered the later stage having been in the earlier one. */
  moved: number;
  skipped: number;
  /** Quantiles of the moved people's durations in ms (see `quantile`). */
  medianMs: number | null;
  p90Ms: number | null;
};

/**
 * What the close-rates report is shaped from: computed from timelines here (`countCloseRates`),
 * or by the database with the same definitions (the server's SQL path).
 */
export type CloseRateCounts = {
  /** The period's new leads and, of them, those who became customers by asOf. */
  leads: number;
  customers: number;
  /** The same people per value of each segment, keys as stored (null: unknown). */
  groups: Record<keyof PersonSegments, CloseRateCount[]>;
  deals: {
    closed: number;
    won: number;
    /** Sum of the won deals' amounts in the agreement currency, in cents. */
    wonCents: number;
    /** Quantiles of the won deals' creation-to-won durations in ms. */
    cycleMedianMs: number | null;
    cycleP90Ms: number | null;
    openCreated: number;
  };
  /** Per main stage after the first (the later stage of each pair). */
  velocity: Record<string, VelocityCount>;
};

function normalise(value: string | null): string | null {
  const trimmed = value?.trim().toLowerCase();
  return trimmed === undefined || trimmed === '' ? null : trimmed;
}

function spread(medianMs: number | null, p90Ms: number | null): Spread {
  const days = (value: number | null) => (value === null ? null : round(value / dayMs, 2));
  return { median: days(medianMs), p90: days(p90Ms) };
}

/** Counts per key, keys normalised (values that differ only in case or spaces are one group). */
function rows(counted: readonly CloseRateCount[]): CloseRateGroup[] {
  const groups = new Map<string | null, { leads: number; customers: number }>();
  for (const count of counted) {
    const key = normalise(count.key);
    const group = groups.get(key) ?? { leads: 0, customers: 0 };
    group.leads += count.leads;
    group.customers += count.customers;
    groups.set(key, group);
  }
  return [...groups.entries()]
    .map(([key, group]) => ({ key, ...group, closeRate: round(ratio(group.customers, group.leads), 4) }))
    .sort(
      (a, b) =>
        b.leads - a.leads ||
        (a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1),
    );
}

/** Counts people per key as given. */
function countBy(people: readonly { key: string | null; customer: boolean }[]): CloseRateCount[] {
  const groups = new Map<string | null, CloseRateCount>();
  for (const person of people) {
    const group = groups.get(person.key) ?? { key: person.key, leads: 0, customers: 0 };
    group.leads += 1;
    if (person.customer) group.customers += 1;
    groups.set(person.key, group);
  }
  return [...groups.values()];
}

/**
 * The close-rates counts from timelines: `timelines` must hold the selected people who moved in
 * the period, with their whole history up to asOf; `segments` those of the period's new leads;
 * `deals` the selected people's deals created or closed in the period.
 */
export function countCloseRates(input: {
  agreement: Agreement;
  period: ReportPeriod;
  asOf: Date;
  timelines: readonly Timeline[];
  segments: ReadonlyMap<string, PersonSegments>;
  deals: readonly DealFacts[];
}): CloseRateCounts {
  const { agreement, period } = input;
  const from = period.from.getTime();
  const to = period.to.getTime();
  const asOf = input.asOf.getTime();
  const stages = agreement.stages.map((stage) => stage.id);
  const customerStage = stages.at(-1) as string;

  const cohort = input.timelines.flatMap((timeline) => {
    const at = becameLeadAt(timeline, agreement);
    if (at === undefined || at < from || at >= to) return [];
    const customer = timeline.entries.some(
      (entry) => entry.stage === customerStage && entry.at >= at && entry.at <= asOf,
    );
    const segments = input.segments.get(timeline.personId);
    return [{ segments, customer }];
  });
  const by = (key: keyof PersonSegments) =>
    countBy(cohort.map((person) => ({ key: person.segments?.[key] ?? null, customer: person.customer })));

  const currency = agreement.currency;
  const closed = input.deals.filter(
    (deal) =>
      deal.status !== 'open' &&
      deal.closedAt !== null &&
      deal.closedAt >= from &&
      deal.closedAt < to &&
      deal.closedAt <= asOf,
  );
  const won = closed.filter((deal) => deal.status === 'won');
  const wonCents = won.reduce(
    (sum, deal) =>
      sum +
      (deal.amount !== null && (deal.currency ?? currency) === currency ? Math.round(deal.amount * 100) : 0),
    0,
  );
  const cycles = won.map((deal) => (deal.closedAt as number) - deal.createdAt);

  const velocity = stages.slice(1).map((stage, index) => {
    const previous = stages[index] as string;
    const durations: number[] = [];
    let skipped = 0;
    for (const timeline of input.timelines) {
      const found = entriesIn(timeline, stage, from, to);
      if (found === undefined || found.first.at > asOf) continue;
      const before = timeline.entries
        .slice(0, found.index)
        .filter((entry) => entry.stage === previous)
        .at(-1);
      if (before === undefined) skipped += 1;
      else durations.push(found.first.at - before.at);
    }
    const count: VelocityCount = {
      moved: durations.length,
      skipped,
      medianMs: median(durations),
      p90Ms: quantile(durations, 0.9),
    };
    return [stage, count] as const;
  });

  return {
    leads: cohort.length,
    customers: cohort.filter((person) => person.customer).length,
    groups: {
      source: by('source'),
      campaign: by('campaign'),
      persona: by('persona'),
      quadrant: by('quadrant'),
    },
    deals: {
      closed: closed.length,
      won: won.length,
      wonCents,
      cycleMedianMs: median(cycles),
      cycleP90Ms: quantile(cycles, 0.9),
      openCreated: input.deals.filter(
        (deal) =>
          deal.createdAt >= from &&
          deal.createdAt < to &&
          deal.createdAt <= asOf &&
          (deal.status === 'open' || (deal.closedAt ?? 0) > asOf),
      ).length,
    },
    velocity: Object.fromEntries(velocity),
  };
}

/**
 * Lead → customer close rates by source, campaign, persona and quadrant; deals' win rate and
 * sales cycle; and the time between consecutive stages (see `closeRateDefinitions`), from
 * timelines (the definition the database's counts are checked against).
 */
export function buildCloseRates(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  asOf: Date;
  filters: SegmentFilters;
  /** The selected people who moved in the period, with their whole history up to asOf. */
  timelines: readonly Timeline[];
  segments: ReadonlyMap<string, PersonSegments>;
  /** The selected people's deals. */
  deals: readonly DealFacts[];
}): CloseRatesReport {
  return closeRatesFromCounts({ ...input, counts: countCloseRates(input) });
}

/** The close-rates report from its counts (see `closeRateDefinitions`), however they were computed. */
export function closeRatesFromCounts(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  asOf: Date;
  filters: SegmentFilters;
  counts: CloseRateCounts;
}): CloseRatesReport {
  const { agreement, counts } = input;
  const stages = agreement.stages.map((stage) => stage.id);
  const { deals } = counts;
  return {
    report: 'close-rates',
    ...reportMeta({ ...input, definitions: closeRateDefinitions }),
    leadStage: leadStageOf(agreement),
    customerStage: stages.at(-1) as string,
    closeRates: {
      total: {
        leads: counts.leads,
        customers: counts.customers,
        closeRate: round(ratio(counts.customers, counts.leads), 4),
      },
      bySource: rows(counts.groups.source),
      byCampaign: rows(counts.groups.campaign),
      byPersona: rows(counts.groups.persona),
      byQuadrant: rows(counts.groups.quadrant),
    },
    deals: {
      currency: agreement.currency,
      closed: deals.closed,
      won: deals.won,
      lost: deals.closed - deals.won,
      winRate: round(ratio(deals.won, deals.closed), 4),
      wonAmount: deals.wonCents / 100,
      salesCycleDays: spread(deals.cycleMedianMs, deals.cycleP90Ms),
      openCreated: deals.openCreated,
    },
    velocity: stages.slice(1).map((stage, index) => {
      const count = counts.velocity[stage] ?? { moved: 0, skipped: 0, medianMs: null, p90Ms: null };
      return {
        from: stages[index] as string,
        to: stage,
        moved: count.moved,
        skipped: count.skipped,
        days: spread(count.medianMs, count.p90Ms),
      };
    }),
  };
}
