import type { Agreement } from '../../agreement/agreement-schema.ts';
import { describeCondition, type TraitValue } from '../../agreement/condition.ts';
import { type Contribution, sortContributions } from './contribution.ts';
import { evaluateCondition } from './evaluate-condition.ts';

type TraitInput = Readonly<Record<string, TraitValue | null | undefined>>;

export type FitResult = {
  /** Sum of the points of every fit rule that holds; may be negative. */
  score: number;
  /** The band of `agreement.fit.grades` holding the score; '' when the agreement has no grades. */
  grade: string;
  /** Ids of the personas the contact matches, in the agreement's order. */
  personas: string[];
  /** One line per fit rule that holds, largest absolute points first. */
  contributions: Contribution[];
};

/**
 * The personas whose `match` holds for these traits, in the agreement's order. A persona may be
 * defined through another (the agreement check forbids cycles), so matches are settled by
 * re-evaluating until nothing changes.
 */
export function matchPersonas(agreement: Agreement, traits: TraitInput): string[] {
  let matched = new Set<string>();
  for (let round = 0; round <= agreement.personas.length; round += 1) {
    const personas = matched;
    const next = new Set(
      agreement.personas
        .filter((persona) => evaluateCondition(persona.match, { traits, personas }))
        .map((persona) => persona.id),
    );
    const stable = next.size === matched.size && [...next].every((id) => matched.has(id));
    matched = next;
    if (stable) break;
  }
  return agreement.personas.filter((persona) => matched.has(persona.id)).map((persona) => persona.id);
}

/**
 * How well a contact matches the ideal customer: every fit rule whose condition holds adds its
 * points. Pass traits already completed by `deriveTraits`, with the account's traits merged in
 * by the caller. The grade is the band holding the score; a score outside every band (bands
 * with gaps) takes the nearest band, the one listed first on a tie. Fit has no floor: it may be negative.
 */
export function computeFit(agreement: Agreement, traits: TraitInput): FitResult {
  const personas = matchPersonas(agreement, traits);
  const ctx = { traits, personas: new Set(personas) };
  const contributions: Contribution[] = agreement.fit.rules
    .filter((rule) => evaluateCondition(rule.when, ctx))
    .map((rule) => ({
      id: rule.id,
      label: rule.label,
      points: rule.points,
      detail: describeRule(agreement, rule.when),
    }));
  const score = contributions.reduce((sum, contribution) => sum + contribution.points, 0);
  return {
    score,
    grade: gradeFit(agreement, score),
    personas,
    contributions: sortContributions(contributions),
  };
}

type FitRule = Agreement['fit']['rules'][number];
const ruleDetails = new WeakMap<Agreement, Map<FitRule['when'], string>>();

/** A fit rule's condition in words, written once per agreement (the engine scores fit on every contact change). */
function describeRule(agreement: Agreement, when: FitRule['when']): string {
  let details = ruleDetails.get(agreement);
  if (details === undefined) {
    details = new Map();
    ruleDetails.set(agreement, details);
  }
  let detail = details.get(when);
  if (detail === undefined) {
    const personaLabels = new Map(agreement.personas.map((persona) => [persona.id, persona.label]));
    detail = describeCondition(when, { persona: (id) => personaLabels.get(id) });
    details.set(when, detail);
  }
  return detail;
}

/** The grade of a fit score by the agreement's bands (both ends included, else the nearest); '' without bands. */
export function gradeFit(agreement: Agreement, score: number): string {
  const bands = agreement.fit.grades ?? [];
  const distance = (band: (typeof bands)[number]) => {
    if (band.min !== undefined && score < band.min) return band.min - score;
    if (band.max !== undefined && score > band.max) return score - band.max;
    return 0;
  };
  let best: { grade: string; distance: number } | undefined;
  for (const band of bands) {
    const gap = distance(band);
    if (best === undefined || gap < best.distance) best = { grade: band.grade, distance: gap };
  }
  return best?.grade ?? '';
}
