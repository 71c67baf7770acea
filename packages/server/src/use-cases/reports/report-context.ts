import {
  type Agreement,
  type BucketUnit,
  buildTimelines,
  goalDealSize,
  type PeriodResult,
  type ReportPeriod,
  resolveReportPeriod,
  type SegmentFilters,
  type ValueBasis,
} from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import type { PeopleSelection } from '../../repositories/report.repository.ts';

/** What every report is asked: a period in the agreement's time zone and a segment. */
export type ReportQuery = {
  workspaceId: string;
  /** `YYYY-MM`, `YYYY-MM-DD` (local midnight in the agreement's time zone) or an ISO timestamp with a zone. */
  from: string;
  /** Exclusive, in the same forms. */
  to: string;
  filters?: SegmentFilters;
  unit?: BucketUnit;
};

export type ReportDeps = Pick<Deps, 'repos' | 'clock'>;

/** The workspace's current agreement, or NOT_FOUND. */
export async function loadAgreement(
  workspaceId: string,
  deps: ReportDeps,
): Promise<{ agreement: Agreement; agreementVersion: number }> {
  const latest = await deps.repos.agreementVersions.findLatest(workspaceId);
  if (latest === undefined)
    throw new AppError('NOT_FOUND', { message: 'The workspace has no agreement yet.' });
  return { agreement: latest.parsed as Agreement, agreementVersion: latest.version };
}

export function unwrapPeriod<T>(result: PeriodResult<T>): T {
  if (!result.ok) {
    throw new AppError('VALIDATION_FAILED', {
      message: result.error.message,
      details: { code: result.error.code },
    });
  }
  return result.value;
}

/** The agreement, the period resolved in its time zone, and the instant the report is computed for. */
export async function openReport(query: ReportQuery, deps: ReportDeps) {
  const { agreement, agreementVersion } = await loadAgreement(query.workspaceId, deps);
  const period: ReportPeriod = unwrapPeriod(resolveReportPeriod(query, agreement.timezone));
  return { agreement, agreementVersion, period, asOf: deps.clock(), filters: query.filters ?? {} };
}

/** The timelines of the selected people, read in one statement. */
export async function loadTimelines(workspaceId: string, selection: PeopleSelection, deps: ReportDeps) {
  return buildTimelines(await deps.repos.reports.listTransitions(workspaceId, selection));
}

/** The average won deal's amount, or the goals' deal size without any won deal. */
export async function loadAverageDealSize(
  workspaceId: string,
  agreement: Agreement,
  deps: ReportDeps,
): Promise<number | null> {
  return (await deps.repos.reports.findAverageWonAmount(workspaceId)) ?? goalDealSize(agreement);
}

/** What expected value is computed from, over all history up to `asOf`. */
export async function loadValueBasis(
  workspaceId: string,
  agreement: Agreement,
  asOf: Date,
  deps: ReportDeps,
): Promise<ValueBasis> {
  const wonStage = agreement.stages.at(-1)?.id ?? agreement.sla.marketing.stage;
  const found = await deps.repos.reports.findValueBasis(workspaceId, {
    deliveredStage: agreement.sla.marketing.stage,
    wonStage,
    asOf,
  });
  return {
    closeRateByGrade: found.closeRateByGrade,
    averageDealSize: found.averageWonAmount ?? goalDealSize(agreement),
  };
}
