import type { Agreement } from '../agreement/agreement-schema.ts';

/** What is known now of a person the reports count (its surviving contact's scores and feedback). */
export type PersonFacts = {
  fit: number | null;
  fitGrade: string | null;
  quadrant: string | null;
  /** Rejected with a reason that makes it no real lead (see `invalidReasons`). */
  invalid: boolean;
};

/**
 * What expected value is computed from, over the workspace's whole history up to `asOf`: for each
 * fit grade, the share of the people who reached the marketing SLA stage with that grade and
 * reached the last stage (customer), and the average amount of won deals (the agreement's
 * `goals[].averageDealSize` when no deal was won yet).
 */
export type ValueBasis = { closeRateByGrade: Record<string, number>; averageDealSize: number | null };

export const valueDefinitions = {
  points:
    'Points: each delivered lead is worth sla.marketing.gradePoints of its current fit grade (1 each when the agreement gives no gradePoints, 0 for a grade it does not list).',
  expectedValue:
    "Expected value: each delivered lead is worth the close rate of its fit grade (people who reached the SLA stage with that grade and later the last stage, over all history) × the average won deal amount (else goals' averageDealSize); null when neither amount is known.",
  invalid:
    'Invalid: rejected with a reason in sla.marketing.invalidReasons or marked invalid in feedback.rejectReasons, at any time up to asOf; invalid leads count neither toward value nor toward quality.',
};

/** The reject reasons that make a lead invalid. */
export function invalidReasons(agreement: Agreement): string[] {
  return [
    ...new Set([
      ...agreement.sla.marketing.invalidReasons,
      ...agreement.feedback.rejectReasons.filter((reason) => reason.invalid).map((reason) => reason.id),
    ]),
  ].sort();
}

export function pointsOf(agreement: Agreement, fitGrade: string | null): number {
  const table = agreement.sla.marketing.gradePoints;
  if (table === undefined) return 1;
  return fitGrade === null ? 0 : (table[fitGrade] ?? 0);
}

export function expectedValueOf(fitGrade: string | null, basis: ValueBasis): number | null {
  if (basis.averageDealSize === null) return null;
  const rate = fitGrade === null ? 0 : (basis.closeRateByGrade[fitGrade] ?? 0);
  return rate * basis.averageDealSize;
}

/** The agreement's fallback deal size: the first goal that names one. */
export function goalDealSize(agreement: Agreement): number | null {
  return agreement.goals.find((goal) => goal.averageDealSize !== undefined)?.averageDealSize ?? null;
}
