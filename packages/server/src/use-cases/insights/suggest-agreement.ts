import {
  type AgreementChange,
  formatAgreementDiff,
  formatAgreementIssue,
  type SuggestionClaim,
  suggestAgreement as suggestCandidate,
} from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import { analyzeWorkspace, type InsightsDeps, type InsightsQuery } from './insights-context.ts';

export type AgreementSuggestionResult = {
  agreementVersion: number;
  /** The candidate agreement, valid under the agreement parser, comments of the current one kept. */
  yaml: string;
  changes: AgreementChange[];
  diff: string;
  claim: SuggestionClaim;
};

/** A candidate agreement with the learned points and triggers; applies nothing. */
export async function suggestAgreement(
  query: InsightsQuery,
  deps: InsightsDeps,
): Promise<AgreementSuggestionResult> {
  const { result, agreement, agreementVersion, document } = await analyzeWorkspace(query, deps);
  if (result.known.length === 0) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'No lead is old enough to have a known outcome yet; there is nothing to learn from.',
      details: { censored: result.insights.population.censored },
    });
  }
  const suggestion = suggestCandidate(document, agreement, result);
  if (!suggestion.ok) {
    throw new AppError('INTERNAL', {
      message: 'The suggested agreement does not validate.',
      details: { issues: suggestion.issues.map((issue) => formatAgreementIssue(issue)) },
    });
  }
  return {
    agreementVersion,
    yaml: suggestion.yaml,
    changes: suggestion.changes,
    diff: formatAgreementDiff(suggestion.changes),
    claim: suggestion.claim,
  };
}
