import type { Agreement } from '../../agreement/agreement-schema.ts';
import { classifyQuadrant, type QuadrantDecision } from './classify-quadrant.ts';
import type { FitResult } from './compute-fit.ts';
import { type Contribution, formatPoints, roundPoints, sortContributions } from './contribution.ts';
import type { InterestResult } from './evaluate-interest.ts';

export type ContactScores = { contactId: string; fit: FitResult; interest: InterestResult };

export type AccountScores = {
  /** The best fit among the account's contacts. */
  fit: number;
  /** The grade of that best fit; '' without contacts or grades. */
  fitGrade: string;
  /** The contact whose fit the account takes; undefined without contacts. */
  fitContactId?: string;
  /** The sum of the contacts' interest, limited to the agreement's `totalCap`; one decimal. */
  interest: number;
  quadrant: QuadrantDecision;
  /** One line per contact with interest (points = its interest), plus the total cap when it bites. */
  contributions: Contribution[];
};

/**
 * An account's scores from its contacts' scores. Fit is the best contact's fit (the buying
 * committee is as good as its best-matching member; the firmographic traits are shared, as the
 * caller merges account traits into every contact). Interest is the sum of the contacts'
 * interest (several people researching is a stronger signal than one), limited to `totalCap`
 * so an account reads on the same scale as a contact. Without contacts both are 0.
 */
export function rollUpAccount(contacts: readonly ContactScores[], agreement: Agreement): AccountScores {
  let best: ContactScores | undefined;
  for (const contact of contacts) {
    if (best === undefined || contact.fit.score > best.fit.score) best = contact;
  }
  const contributions: Contribution[] = contacts.map((contact) => ({
    id: contact.contactId,
    label: `Contact ${contact.contactId}`,
    points: roundPoints(contact.interest.exactScore),
    detail: `interest ${formatPoints(contact.interest.exactScore)}; fit ${contact.fit.score}${contact.fit.grade === '' ? '' : ` (${contact.fit.grade})`}`,
  }));
  const total = contacts.reduce((sum, contact) => sum + contact.interest.exactScore, 0);
  const cap = agreement.interest.totalCap;
  let interest = total;
  if (cap !== undefined && total > cap) {
    interest = cap;
    contributions.push({
      id: 'total-cap',
      label: `Total cap (${cap})`,
      points: roundPoints(cap - total),
      detail: `contacts' interest ${formatPoints(total)}, capped at ${cap}`,
    });
  }
  const fit = best?.fit.score ?? 0;
  const rounded = roundPoints(interest);
  return {
    fit,
    fitGrade: best?.fit.grade ?? '',
    ...(best === undefined ? {} : { fitContactId: best.contactId }),
    interest: rounded,
    quadrant: classifyQuadrant(agreement, fit, rounded),
    contributions: sortContributions(contributions.filter((contribution) => contribution.points !== 0)),
  };
}
