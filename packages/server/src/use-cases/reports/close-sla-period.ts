import { resolveSlaPeriod } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { SettlementRow } from '../../repositories/report.repository.ts';
import { getSlaReport } from './get-sla-report.ts';
import { loadAgreement, type ReportDeps, unwrapPeriod } from './report-context.ts';

export type SlaSettlement = {
  period: string;
  from: Date;
  to: Date;
  agreementVersion: number;
  closedAt: Date;
  closedBy: string;
  /** The SLA report as it stood at closing: targets, delivered, compliance, breaches, by team. */
  report: unknown;
};

export function toSettlement(row: SettlementRow): SlaSettlement {
  return {
    period: row.period,
    from: row.periodStart,
    to: row.periodEnd,
    agreementVersion: row.agreementVersion,
    closedAt: row.closedAt,
    closedBy: row.closedBy,
    report: row.report,
  };
}

/**
 * Closes an SLA period once it is over: stores the SLA report as its settlement, which never
 * changes afterwards. Closing a settled period again answers the stored settlement (`created:
 * false`), whatever facts arrived since.
 */
export async function closeSlaPeriod(
  options: { workspaceId: string; period: string; closedBy: string },
  deps: ReportDeps,
): Promise<{ settlement: SlaSettlement; created: boolean }> {
  const existing = await deps.repos.reports.findSettlement(options.workspaceId, options.period);
  if (existing !== undefined) return { settlement: toSettlement(existing), created: false };
  const { agreement } = await loadAgreement(options.workspaceId, deps);
  const period = unwrapPeriod(resolveSlaPeriod(options.period, agreement));
  const now = deps.clock();
  if (period.to.getTime() > now.getTime()) {
    throw new AppError('CONFLICT', {
      message: `The period ${period.label} ends at ${period.to.toISOString()}; it can be closed once it is over.`,
      details: { period: period.label, endsAt: period.to.toISOString() },
    });
  }
  const report = await getSlaReport({ workspaceId: options.workspaceId, period: period.label }, deps);
  const created = await deps.repos.reports.insertSettlement({
    workspaceId: options.workspaceId,
    period: period.label,
    periodStart: period.from,
    periodEnd: period.to,
    agreementVersion: report.agreementVersion,
    report,
    closedAt: now,
    closedBy: options.closedBy,
  });
  // Two closings at once: one stores, both answer the stored settlement.
  const stored = await deps.repos.reports.findSettlement(options.workspaceId, period.label);
  if (stored === undefined) throw new Error(`the settlement of ${period.label} was not stored`);
  return { settlement: toSettlement(stored), created };
}
