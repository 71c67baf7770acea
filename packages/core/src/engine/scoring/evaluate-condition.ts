import type { Condition, FeedbackKind, TraitCondition, TraitValue } from '../../agreement/condition.ts';

/**
 * What a condition can be evaluated against. Only `traits` is required: a condition that needs a
 * source the caller left out (personas, quadrant, fit grade, feedback, deals, activity counts)
 * does not hold, so `{ not: … }` of it does. Fit rules and persona matches use traits and
 * personas only, which the agreement check enforces.
 */
export type ConditionContext = {
  traits: Readonly<Record<string, TraitValue | null | undefined>>;
  /** Ids of the personas the contact matches. */
  personas?: ReadonlySet<string>;
  quadrant?: string;
  fitGrade?: string;
  /** The verdict of sales' latest feedback on the lead. */
  latestFeedback?: FeedbackKind;
  deals?: { created: boolean; won: boolean; lost: boolean };
  /** How many times the contact did an activity, within the last `withinDays` days when given. */
  countActivity?: (activityId: string, withinDays?: number) => number;
};

/**
 * Whether a condition of the agreement's language holds (see `condition.ts` for the language).
 *
 * Trait operators: a trait that is absent, null or blank text matches nothing but
 * `exists: false`; in particular `notIn` does not hold for a missing trait (write
 * `{ not: { trait, in } }` to include it). Text comparisons ignore case and surrounding
 * spaces; a number written as text ("250", "1,000") compares as that number; `true`/`false`
 * written as text compare as booleans. `contains` looks for text inside the trait's text.
 * `gte`, `lte` and `between` (both ends included) hold only for numeric traits.
 */
export function evaluateCondition(condition: Condition, ctx: ConditionContext): boolean {
  if ('all' in condition) return condition.all.every((child) => evaluateCondition(child, ctx));
  if ('any' in condition) return condition.any.some((child) => evaluateCondition(child, ctx));
  if ('not' in condition) return !evaluateCondition(condition.not, ctx);
  if ('trait' in condition) return evaluateTrait(condition, ctx.traits[condition.trait]);
  if ('persona' in condition) return ctx.personas?.has(condition.persona) ?? false;
  if ('quadrant' in condition) return ctx.quadrant !== undefined && ctx.quadrant === condition.quadrant;
  if ('fitGrade' in condition) {
    const grade = ctx.fitGrade;
    return grade !== undefined && condition.fitGrade.some((wanted) => sameText(wanted, grade));
  }
  if ('activity' in condition) {
    if (ctx.countActivity === undefined) return false;
    return ctx.countActivity(condition.activity, condition.withinDays) >= (condition.atLeast ?? 1);
  }
  if ('feedback' in condition) return ctx.latestFeedback === condition.feedback;
  if ('deal' in condition) return ctx.deals?.[condition.deal] === true;
  throw new Error(`not a parsed condition: ${JSON.stringify(condition)}`);
}

type ConditionTest = (ctx: ConditionContext) => boolean;

const compiled = new WeakMap<Condition, ConditionTest>();

/**
 * `evaluateCondition` of one condition as a function, built once per condition object (which
 * kind of condition it is, and its children, are worked out then rather than on every call): for
 * the engine, which tests the same few stage entries on every fact. The condition must not change.
 */
export function conditionTest(condition: Condition): ConditionTest {
  let test = compiled.get(condition);
  if (test === undefined) {
    test = compileCondition(condition);
    compiled.set(condition, test);
  }
  return test;
}

function compileCondition(condition: Condition): ConditionTest {
  if ('all' in condition) {
    const children = condition.all.map(conditionTest);
    return (ctx) => {
      for (const child of children) if (!child(ctx)) return false;
      return true;
    };
  }
  if ('any' in condition) {
    const children = condition.any.map(conditionTest);
    return (ctx) => {
      for (const child of children) if (child(ctx)) return true;
      return false;
    };
  }
  if ('not' in condition) {
    const child = conditionTest(condition.not);
    return (ctx) => !child(ctx);
  }
  // The kinds the engine tests on every fact, checked in `evaluateCondition`'s order; the others go to it.
  if ('trait' in condition || 'persona' in condition) return (ctx) => evaluateCondition(condition, ctx);
  if ('quadrant' in condition) {
    const { quadrant } = condition;
    return (ctx) => ctx.quadrant !== undefined && ctx.quadrant === quadrant;
  }
  if ('fitGrade' in condition) {
    const grades = condition.fitGrade;
    return (ctx) => {
      const grade = ctx.fitGrade;
      if (grade === undefined) return false;
      for (const wanted of grades) if (sameText(wanted, grade)) return true;
      return false;
    };
  }
  if ('activity' in condition) {
    const { activity, withinDays } = condition;
    const atLeast = condition.atLeast ?? 1;
    return (ctx) => ctx.countActivity !== undefined && ctx.countActivity(activity, withinDays) >= atLeast;
  }
  if ('feedback' in condition) {
    const { feedback } = condition;
    return (ctx) => ctx.latestFeedback === feedback;
  }
  if ('deal' in condition) {
    const { deal } = condition;
    return (ctx) => ctx.deals?.[deal] === true;
  }
  return (ctx) => evaluateCondition(condition, ctx);
}

function evaluateTrait(condition: TraitCondition, value: TraitValue | null | undefined): boolean {
  const present = isPresent(value);
  if (condition.exists !== undefined) return condition.exists === present;
  if (!present) return false;
  if (condition.equals !== undefined) return sameValue(value, condition.equals);
  if (condition.in !== undefined) return condition.in.some((expected) => sameValue(value, expected));
  if (condition.notIn !== undefined) return !condition.notIn.some((expected) => sameValue(value, expected));
  if (condition.contains !== undefined) {
    return normalizeText(String(value)).includes(normalizeText(condition.contains));
  }
  const number = toNumber(value);
  if (number === undefined) return false;
  if (condition.between !== undefined) {
    return number >= condition.between[0] && number <= condition.between[1];
  }
  if (condition.gte === undefined && condition.lte === undefined) return false;
  return (
    (condition.gte === undefined || number >= condition.gte) &&
    (condition.lte === undefined || number <= condition.lte)
  );
}

function isPresent(value: TraitValue | null | undefined): value is TraitValue {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (typeof value === 'number') return !Number.isNaN(value);
  return true;
}

function sameValue(actual: TraitValue, expected: TraitValue): boolean {
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    const a = toBoolean(actual);
    return a !== undefined && a === toBoolean(expected);
  }
  if (typeof actual === 'number' || typeof expected === 'number') {
    const a = toNumber(actual);
    return a !== undefined && a === toNumber(expected);
  }
  if (sameText(actual, expected)) return true;
  const [a, b] = [toNumber(actual), toNumber(expected)];
  return a !== undefined && a === b;
}

function sameText(a: string, b: string): boolean {
  return normalizeText(a) === normalizeText(b);
}

const normalized = new Map<string, string>();

/**
 * Trimmed, inner spaces collapsed, lower case. Remembered for the texts seen (grades, industries,
 * titles: the engine compares the same few thousand on every fact), up to a bound.
 */
function normalizeText(text: string): string {
  let result = normalized.get(text);
  if (result === undefined) {
    result = text.trim().replace(/\s+/g, ' ').toLowerCase();
    if (normalized.size >= 10_000) normalized.clear();
    normalized.set(text, result);
  }
  return result;
}

const numericText = /^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$|^[+-]?\.\d+$/;

function toNumber(value: TraitValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return numericText.test(text) ? Number(text.replaceAll(',', '')) : undefined;
}

function toBoolean(value: TraitValue): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const text = normalizeText(value);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return undefined;
}
