import { assembleBrief, type Brief, localDay, resolveBriefWeek, slaPeriodContaining } from '@smarketing/core';
import { getClogReport } from '../reports/get-clog-report.ts';
import { getLeadFlowReport } from '../reports/get-lead-flow-report.ts';
import { getSlaReport } from '../reports/get-sla-report.ts';
import { getWaterfallReport } from '../reports/get-waterfall-report.ts';
import { loadAgreement, loadValueBasis, type ReportDeps, unwrapPeriod } from '../reports/report-context.ts';

const week = 7 * 86_400_000;
/** Lead flow and waterfall show the brief's week and the seven before it. */
const weeksShown = 8;
/** Feedback themes compare the week with the four weeks before. */
const feedbackWeeksBefore = 4;

/**
 * The weekly meeting brief of one ISO week (`2027-W09`; default: the last full week), from the
 * same use cases as the reports, so every figure agrees with them.
 */
export async function getBrief(
  options: { workspaceId: string; week?: string },
  deps: ReportDeps,
): Promise<Brief> {
  const { agreement, agreementVersion } = await loadAgreement(options.workspaceId, deps);
  const asOf = deps.clock();
  const briefWeek = unwrapPeriod(resolveBriefWeek(options.week, asOf, agreement));
  const { workspaceId } = options;
  const from = briefWeek.from.toISOString();
  const to = briefWeek.to.toISOString();
  // The local date of the Monday `weeks` before (noon keeps the day right across a DST change).
  const earlier = (weeks: number) =>
    localDay(new Date(briefWeek.from.getTime() - weeks * week + 12 * 3_600_000), agreement.timezone);
  const shownFrom = earlier(weeksShown - 1);

  const leadFlow = await getLeadFlowReport({ workspaceId, from: shownFrom, to, unit: 'week' }, deps);
  const waterfall = await getWaterfallReport({ workspaceId, from: shownFrom, to, unit: 'week' }, deps);
  const sla = await getSlaReport(
    { workspaceId, period: slaPeriodContaining(new Date(briefWeek.to.getTime() - 1), agreement).label },
    deps,
  );
  const clogs = await getClogReport(
    { workspaceId, from, to, horizonDays: 7, baselinePeriods: 3, segmentBy: ['source', 'team'] },
    deps,
  );
  const wins = await deps.repos.briefs.listWonDeals(workspaceId, {
    fromDay: localDay(briefWeek.from, agreement.timezone),
    toDay: localDay(briefWeek.to, agreement.timezone),
    timezone: agreement.timezone,
  });
  const announcements = await deps.repos.announcements.list(workspaceId, {
    from: briefWeek.from,
    to: briefWeek.to,
    includeWithdrawn: false,
    limit: 100,
  });
  const feedbackFrom = new Date(briefWeek.from.getTime() - feedbackWeeksBefore * week);
  const feedback = await deps.repos.briefs.listFeedback(workspaceId, feedbackFrom, briefWeek.to);
  const basis = await loadValueBasis(workspaceId, agreement, asOf, deps);
  const start = briefWeek.from.getTime();
  return assembleBrief({
    week: briefWeek,
    agreement,
    agreementVersion,
    asOf,
    averageDealSize: basis.averageDealSize,
    wins,
    announcements,
    leadFlow,
    waterfall,
    sla,
    clogs,
    feedback: {
      week: feedback.filter((fact) => fact.at >= start),
      previous: feedback.filter((fact) => fact.at < start),
    },
  });
}
