import { type BacktestReport, parseAgreement, runBacktest as replayBoth } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import { analyzeWorkspace, type InsightsDeps } from './insights-context.ts';

export type BacktestRequest = {
  workspaceId: string;
  /** The candidate agreement's YAML. */
  candidate: string;
  months: number;
  horizonDays?: number;
};

/**
 * Replays the workspace's stored facts under the candidate beside the current agreement, in
 * memory: nothing is written. The learned score (fitted on the same history) gives the MQLs'
 * expected close rate.
 */
export async function runBacktest(
  request: BacktestRequest,
  deps: InsightsDeps,
): Promise<BacktestReport & { agreementVersion: number }> {
  const parsed = parseAgreement(request.candidate);
  if (!parsed.ok) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'The candidate agreement is not valid.',
      details: { issues: parsed.issues },
    });
  }
  if (!Number.isInteger(request.months) || request.months < 1 || request.months > 120) {
    throw new AppError('VALIDATION_FAILED', { message: 'months must be a whole number from 1 to 120.' });
  }
  const { agreement, agreementVersion, steps, histories, result } = await analyzeWorkspace(
    {
      workspaceId: request.workspaceId,
      ...(request.horizonDays === undefined ? {} : { horizonDays: request.horizonDays }),
    },
    deps,
    true,
  );
  const report = replayBoth(agreement, parsed.agreement, () => steps, {
    months: request.months,
    horizonDays: result.insights.horizonDays,
    score: result.score,
    histories: new Map(histories.map((history) => [history.contactId, history])),
  });
  return { ...report, agreementVersion };
}
