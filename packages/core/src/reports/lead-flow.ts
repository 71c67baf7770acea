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

function change(now: number, before: number): Change {
  return { absolute: now - before, relative: round(ratio(now - before, before), 4) };
}

function countBucket(
  input: {
    agreement: Agreement;
    timelines: readonly Timeline[];
    persons: ReadonlyMap<string, PersonFacts>;
    basis: ValueBasis;
  },
  from: number,
  to: number,
): Counts {
  const { agreement } = input;
  const leadStage = leadStageOf(agreement);
  const mqlStage = agreement.sla.marketing.stage;
  let leads = 0;
  let newLeads = 0;
  let mqls = 0;
  let invalid = 0;
  let fitSum = 0;
  let fitCount = 0;
  let hot = 0;
  let points = 0;
  let expectedValue: number | null = 0;
  for (const timeline of input.timelines) {
    if (entriesIn(timeline, leadStage, from, to) !== undefined) leads++;
    const leadAt = becameLeadAt(timeline, agreement);
    if (leadAt !== undefined && leadAt >= from && leadAt < to) newLeads++;
    if (entriesIn(timeline, mqlStage, from, to) === undefined) continue;
    mqls++;
    const facts = input.persons.get(timeline.personId);
    if (facts?.invalid) {
      invalid++;
      continue;
    }
    if (facts?.fit !== null && facts?.fit !== undefined) {
      fitSum += facts.fit;
      fitCount++;
    }
    if (facts?.quadrant === 'hot') hot++;
    points += pointsOf(agreement, facts?.fitGrade ?? null);
    const value = expectedValueOf(facts?.fitGrade ?? null, input.basis);
    expectedValue = value === null || expectedValue === null ? null : expectedValue + value;
  }
  const valid = mqls - invalid;
  return {
    leads,
    newLeads,
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
  const buckets = periodBuckets(input.period, input.unit);
  const first = buckets[0];
  const before: Bucket | undefined =
    first === undefined ? undefined : previousBucket(first.from, input.unit, input.period.timezone);
  let previous =
    before === undefined ? undefined : countBucket(input, before.from.getTime(), before.to.getTime());
  const rows = buckets.map((bucket) => {
    const counts = countBucket(input, bucket.from.getTime(), bucket.to.getTime());
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
    rows,
    total: countBucket(input, input.period.from.getTime(), input.period.to.getTime()),
  };
}
