import type { Agreement, QuadrantAction, QuadrantId } from '../../agreement/agreement-schema.ts';

export type QuadrantDecision = {
  id: QuadrantId;
  label: string;
  action: QuadrantAction;
  /** Deadline for the first qualifying touch, as written in the agreement ("24h", "3d"). */
  firstTouchWithin?: string;
  businessHours: boolean;
  /** fit ≥ thresholds.fit */
  goodFit: boolean;
  /** interest ≥ thresholds.interest */
  interested: boolean;
};

/**
 * The quadrant of a fit and an interest score: a lead is a good fit at or above the fit
 * threshold and interested at or above the interest threshold (both inclusive).
 * Pass the scores as shown to people (rounded) so what they see is what was decided.
 */
export function classifyQuadrant(agreement: Agreement, fit: number, interest: number): QuadrantDecision {
  const { thresholds } = agreement.quadrants;
  const goodFit = fit >= thresholds.fit;
  const interested = interest >= thresholds.interest;
  const id = quadrantOf(agreement, fit, interest);
  const quadrant = agreement.quadrants[id];
  return {
    id,
    label: quadrant.label,
    action: quadrant.action,
    ...(quadrant.firstTouchWithin === undefined ? {} : { firstTouchWithin: quadrant.firstTouchWithin }),
    businessHours: quadrant.businessHours,
    goodFit,
    interested,
  };
}

/** `classifyQuadrant(…).id` alone, for the engine's per-fact rescoring. */
export function quadrantOf(agreement: Agreement, fit: number, interest: number): QuadrantId {
  const { thresholds } = agreement.quadrants;
  const goodFit = fit >= thresholds.fit;
  const interested = interest >= thresholds.interest;
  return goodFit ? (interested ? 'hot' : 'nurture') : interested ? 'fan' : 'drop';
}
