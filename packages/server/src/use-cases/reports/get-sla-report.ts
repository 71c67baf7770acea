import {
  invalidReasons,
  resolveReportPeriod,
  resolveSlaPeriod,
  type SlaPeriod,
  type SlaReport,
  slaFromCounts,
  slaPeriodContaining,
} from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import { loadAgreement, loadValueBasis, type ReportDeps, unwrapPeriod } from './report-context.ts';

export type SlaQuery = {
  workspaceId: string;
  /** A period of the agreement's kind (`2027-03`, `2027-Q1`, `2027-W09`); default: the one running now. */
  period?: string;
  /** Or any period, as for the other reports. */
  from?: string;
  to?: string;
};

/** The two-way SLA of one period: marketing's delivered value against target and pace, sales' compliance. */
export async function getSlaReport(query: SlaQuery, deps: ReportDeps): Promise<SlaReport> {
  const { agreement, agreementVersion } = await loadAgreement(query.workspaceId, deps);
  const asOf = deps.clock();
  let period: SlaPeriod;
  if (query.period !== undefined) {
    period = unwrapPeriod(resolveSlaPeriod(query.period, agreement));
  } else if (query.from !== undefined && query.to !== undefined) {
    const resolved = unwrapPeriod(
      resolveReportPeriod({ from: query.from, to: query.to }, agreement.timezone),
    );
    period = { ...resolved, label: `${resolved.from.toISOString()}/${resolved.to.toISOString()}` };
  } else if (query.from !== undefined || query.to !== undefined) {
    throw new AppError('VALIDATION_FAILED', { message: 'Give both from and to, or a period, or neither.' });
  } else {
    period = slaPeriodContaining(asOf, agreement);
  }
  // The database counts what core's countDelivered and countClocks define; core shapes the report.
  const delivered = await deps.repos.reports.deliveredCounts(
    query.workspaceId,
    { from: period.from, to: period.to, toStage: agreement.sla.marketing.stage, filters: {}, asOf },
    { stages: agreement.stages.map((stage) => stage.id), invalidReasons: invalidReasons(agreement) },
  );
  const clocks = await deps.repos.reports.clockCounts(query.workspaceId, period.from, period.to, asOf);
  const basis =
    agreement.sla.marketing.measure === 'expected-value'
      ? await loadValueBasis(query.workspaceId, agreement, asOf, deps)
      : { closeRateByGrade: {}, averageDealSize: null };
  return slaFromCounts({ agreement, agreementVersion, period, asOf, delivered, clocks, basis });
}
