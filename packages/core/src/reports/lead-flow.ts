import type { Agreement } from '../agreement/agreement-schema.ts';
import {
  expectedValueOf,
  type PersonFacts,
  pointsOf,
  type ValueBasis,
  valueDefinitions,
} from './lead-value.ts';
import { type Bucket, type BucketUnit, periodBuckets, previousBucket, type ReportPeriod } from './period.ts';
import { type ReportMeta, reportMeta, type SegmentFilters } from './report-meta.ts';
import { ratio, round } from './statistics.ts';
import { becameLeadAt, entriesIn, leadStageOf, type Timeline } from './timeline.ts';

export type Change = { absolute: number; relative: number | null };

export type LeadQuality = {
  /** Delivered leads (MQLs) rejected as invalid; left out of everything below. */
  invalid: number;
  averageFit: number | null;
  /** Share of the valid MQLs whose quadrant is hot now. */
  shareHot: number | null;
  points: number;
  expectedValue: number | null;
};

export type LeadFlowRow = {
  label: string;
  from: string;
  to: string;
  /** People entering the lead stage (as the funnel counts them). */
  leads: number;
  /** People becoming a lead for the first time ever (the waterfall's cohort). */
  newLeads: number;
  /** People entering the marketing SLA stage (MQL), as the funnel counts them. */
  mqls: number;
  change: { leads: Change; newLeads: Change; mqls: Change };
  quality: LeadQuality;
};

export type LeadFlowReport = ReportMeta & {
  report: 'lead-flow';
  unit: BucketUnit;
  leadStage: string;
  mqlStage: string;
  rows: LeadFlowRow[];
  /** The whole period, each person once (equal to the funnel's counts for the same period). */
  total: Pick<LeadFlowRow, 'leads' | 'newLeads' | 'mqls' | 'quality'>;
};

export const leadFlowDefinitions = {
  buckets:
    'Rows are local calendar months (or ISO weeks) in the agreement time zone, clipped to the period; change compares each row with the row before (the first with the month or week before the period).',
  leads:
    'leads: people entering the lead stage (the stage before sla.marketing.stage), each once per row; newLeads: people entering the lead stage or a later one for the first time ever; mqls: people entering sla.marketing.stage, each once per row. The total counts each person once over the whole period, exactly as the funnel does, so a person recycled and qualified again in two months counts in both rows but once in the total.',
  quality:
    'Quality of the MQLs of the row, leaving out invalid ones: average current fit score, share whose quadrant is hot now (interest decays, so older rows show fewer hot leads), points and expected value.',
  ...valueDefinitions,
};

type Counts = Pick<LeadFlowRow, 'leads' | 'newLeads' | 'mqls' | 'quality'>;

/** The MQLs of a row that share a current fit grade, quadrant (hot or not) and invalid rejection. */
export type MqlGroup = {
  grade: string | null;
  invalid: boolean;
  hot: boolean;
  people: number;
  /** Sum and count of their current fit scores (people without one are not counted). */
  fitSum: number;
  fitCount: number;
};

/** What a lead-flow row is shaped from: computed from timelines here, or by the database. */
export type FlowBucketCounts = { leads: number; newLeads: number; mqls: MqlGroup[] };

/**
 * Per row, in order: the month (or week) before the period, then each row of the period; and
 * the whole period (each person once).
 */
export type LeadFlowCounts = { buckets: FlowBucketCounts[]; total: FlowBucketCounts };

function change(now: number, before: number): Change {
  return { absolute: now - before, relative: round(ratio(now - before, before), 4) };
}

function countBucket(
  input: {
    agreement: Agreement;
    timelines: readonly Timeline[];
    persons: ReadonlyMap<string, PersonFacts>;
  },
  from: number,
  to: number,
): FlowBucketCounts {
  const { agreement } = input;
  const leadStage = leadStageOf(agreement);
  const mqlStage = agreement.sla.marketing.stage;
  let leads = 0;
  let newLeads = 0;
  const groups = new Map<string, MqlGroup>();
  for (const timeline of input.timelines) {
    if (entriesIn(timeline, leadStage, from, to) !== undefined) leads++;
    const leadAt = becameLeadAt(timeline, agreement);
    if (leadAt !== undefined && leadAt >= from && leadAt < to) newLeads++;
    if (entriesIn(timeline, mqlStage, from, to) === undefined) continue;
    const facts = input.persons.get(timeline.personId);
    const grade = facts?.fitGrade ?? null;
    const invalid = facts?.invalid ?? false;
    const hot = facts?.quadrant === 'hot';
    const key = JSON.stringify([grade, invalid, hot]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { grade, invalid, hot, people: 0, fitSum: 0, fitCount: 0 };
      groups.set(key, group);
    }
    group.people++;
    if (facts?.fit !== null && facts?.fit !== undefined) {
      group.fitSum += facts.fit;
      group.fitCount++;
    }
  }
  return { leads, newLeads, mqls: [...groups.values()] };
}

/** The lead-flow counts from timelines (see `buildLeadFlow` for what they must hold). */
export function countLeadFlow(input: {
  agreement: Agreement;
  period: ReportPeriod;
  unit: BucketUnit;
  timelines: readonly Timeline[];
  persons: ReadonlyMap<string, PersonFacts>;
}): LeadFlowCounts {
  return {
    buckets: flowRows(input.period, input.unit).map((row) =>
      countBucket(input, row.from.getTime(), row.to.getTime()),
    ),
    total: countBucket(input, input.period.from.getTime(), input.period.to.getTime()),
  };
}

/** The rows lead flow counts: the month (or week) before the period, then the period's. */
export function flowRows(period: ReportPeriod, unit: BucketUnit): Bucket[] {
  const buckets = periodBuckets(period, unit);
  const first = buckets[0];
  return first === undefined ? [] : [previousBucket(first.from, unit, period.timezone), ...buckets];
}

const compareKey = (group: MqlGroup) => `${group.grade ?? ''}\u0000${group.invalid}\u0000${group.hot}`;

function shapeCounts(agreement: Agreement, basis: ValueBasis, counts: FlowBucketCounts): Counts {
  let mqls = 0;
  let invalid = 0;
  let fitSum = 0;
  let fitCount = 0;
  let hot = 0;
  let points = 0;
  let expectedValue: number | null = 0;
  const groups = [...counts.mqls].sort((a, b) =>
    compareKey(a) < compareKey(b) ? -1 : compareKey(a) > compareKey(b) ? 1 : 0,
  );
  for (const group of groups) {
    mqls += group.people;
    if (group.invalid) {
      invalid += group.people;
      continue;
    }
    fitSum += group.fitSum;
    fitCount += group.fitCount;
    if (group.hot) hot += group.people;
    points += group.people * pointsOf(agreement, group.grade);
    const value = expectedValueOf(group.grade, basis);
    expectedValue = value === null || expectedValue === null ? null : expectedValue + value * group.people;
  }
  const valid = mqls - invalid;
  return {
    leads: counts.leads,
    newLeads: counts.newLeads,
    mqls,
    quality: {
      invalid,
      averageFit: round(ratio(fitSum, fitCount), 2),
      shareHot: round(ratio(hot, valid), 4),
      points,
      expectedValue: round(expectedValue, 2),
    },
  };
}

/**
 * Leads and MQLs per month (or week) with their change and quality. `timelines` must hold every
 * person who moved between the start of the month before the period and its end, with their whole
 * history up to `asOf`; `persons` what is known of them now.
 */
export function buildLeadFlow(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  unit: BucketUnit;
  asOf: Date;
  filters: SegmentFilters;
  timelines: readonly Timeline[];
  persons: ReadonlyMap<string, PersonFacts>;
  basis: ValueBasis;
}): LeadFlowReport {
  return leadFlowFromCounts({ ...input, counts: countLeadFlow(input) });
}

/** The lead-flow report from its counts, however they were computed. */
export function leadFlowFromCounts(input: {
  agreement: Agreement;
  agreementVersion: number;
  period: ReportPeriod;
  unit: BucketUnit;
  asOf: Date;
  filters: SegmentFilters;
  basis: ValueBasis;
  counts: LeadFlowCounts;
}): LeadFlowReport {
  const rows = flowRows(input.period, input.unit);
  const counted = input.counts.buckets.map((counts) => shapeCounts(input.agreement, input.basis, counts));
  let previous = counted[0];
  const shaped = rows.slice(1).map((bucket, index) => {
    const counts = counted[index + 1] as Counts;
    const base = previous ?? counts;
    previous = counts;
    return {
      label: bucket.label,
      from: bucket.from.toISOString(),
      to: bucket.to.toISOString(),
      leads: counts.leads,
      newLeads: counts.newLeads,
      mqls: counts.mqls,
      change: {
        leads: change(counts.leads, base.leads),
        newLeads: change(counts.newLeads, base.newLeads),
        mqls: change(counts.mqls, base.mqls),
      },
      quality: counts.quality,
    };
  });
  return {
    report: 'lead-flow',
    ...reportMeta({ ...input, definitions: leadFlowDefinitions }),
    unit: input.unit,
    leadStage: leadStageOf(input.agreement),
    mqlStage: input.agreement.sla.marketing.stage,
    rows: shaped,
    total: shapeCounts(input.agreement, input.basis, input.counts.total),
  };
}
