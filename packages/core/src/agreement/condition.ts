import { z } from 'zod';
import { idSchema } from './schema-helpers.ts';

/**
 * The condition language used by stage entry rules, fit rules, routing rules and personas.
 * A condition is a YAML mapping with exactly one of the keys below:
 *
 *   { all: [c, …] }            every listed condition holds
 *   { any: [c, …] }            at least one listed condition holds
 *   { not: c }                 the condition does not hold
 *   { trait: name, <operator> } a contact trait; operators: equals, in, notIn, contains, gte, lte,
 *                              between [low, high], exists true|false (gte and lte may be combined).
 *                              Text comparisons ignore case.
 *   { persona: id }            the contact matches that persona
 *   { quadrant: id }           the contact is in that quadrant (hot, nurture, fan, drop)
 *   { activity: id, atLeast?: n, withinDays?: d }
 *                              the contact did that activity (at least n times, within the last d days)
 *   { feedback: accept|reject|recycle }   sales' latest feedback on the lead
 *   { deal: created|won|lost }            a deal for the contact reached that point
 *   { fitGrade: [A, B] }       the contact's fit grade is one of those
 */
export type Condition =
  | AllCondition
  | AnyCondition
  | NotCondition
  | TraitCondition
  | PersonaCondition
  | QuadrantCondition
  | ActivityCondition
  | FeedbackCondition
  | DealCondition
  | FitGradeCondition;

export type AllCondition = { all: Condition[] };
export type AnyCondition = { any: Condition[] };
export type NotCondition = { not: Condition };
export type TraitValue = string | number | boolean;
export type TraitCondition = {
  trait: string;
  equals?: TraitValue;
  in?: TraitValue[];
  notIn?: TraitValue[];
  contains?: string;
  gte?: number;
  lte?: number;
  between?: [number, number];
  exists?: boolean;
};
export type PersonaCondition = { persona: string };
export type QuadrantCondition = { quadrant: string };
export type ActivityCondition = { activity: string; atLeast?: number; withinDays?: number };
export type FeedbackCondition = { feedback: FeedbackKind };
export type DealCondition = { deal: DealEvent };
export type FitGradeCondition = { fitGrade: string[] };

export const feedbackKinds = ['accept', 'reject', 'recycle'] as const;
export type FeedbackKind = (typeof feedbackKinds)[number];
export const dealEvents = ['created', 'won', 'lost'] as const;
export type DealEvent = (typeof dealEvents)[number];

/** The key that says which kind of condition a mapping is, in the order the schema tries them. */
export const conditionKinds = [
  'all',
  'any',
  'not',
  'trait',
  'persona',
  'quadrant',
  'activity',
  'feedback',
  'deal',
  'fitGrade',
] as const;
export type ConditionKind = (typeof conditionKinds)[number];

const traitOperators = ['equals', 'in', 'notIn', 'contains', 'gte', 'lte', 'between', 'exists'] as const;

/** The message of the one union issue the condition schema raises; the parser recognises it by this. */
export const conditionUnionMessage = `expected a condition: a mapping with one of ${conditionKinds.join(', ')}`;

const traitValueSchema = z.union([z.string(), z.number(), z.boolean()], {
  error: 'expected text, a number or true/false',
});

const traitConditionSchema = z
  .strictObject({
    trait: z.string().min(1),
    equals: traitValueSchema.optional(),
    in: z.array(traitValueSchema).min(1).optional(),
    notIn: z.array(traitValueSchema).min(1).optional(),
    contains: z.string().min(1).optional(),
    gte: z.number().optional(),
    lte: z.number().optional(),
    between: z
      .tuple([z.number(), z.number()])
      .refine(([low, high]) => low <= high, {
        error: 'between needs [low, high] with low ≤ high',
        params: { code: 'INVALID_CONDITION' },
      })
      .optional(),
    exists: z.boolean().optional(),
  })
  .refine(
    (condition) => {
      const used = traitOperators.filter((operator) => condition[operator] !== undefined);
      return used.length === 1 || (used.length === 2 && used.includes('gte') && used.includes('lte'));
    },
    {
      error: `a trait condition needs exactly one operator: ${traitOperators.join(', ')} (only gte and lte may be combined)`,
      params: { code: 'INVALID_CONDITION' },
    },
  );

const conditionBranches = {
  all: z.strictObject({
    get all() {
      return z.array(conditionSchema).min(1);
    },
  }),
  any: z.strictObject({
    get any() {
      return z.array(conditionSchema).min(1);
    },
  }),
  not: z.strictObject({
    get not() {
      return conditionSchema;
    },
  }),
  trait: traitConditionSchema,
  persona: z.strictObject({ persona: idSchema }),
  quadrant: z.strictObject({ quadrant: idSchema }),
  activity: z.strictObject({
    activity: idSchema,
    atLeast: z.int().min(1).optional(),
    withinDays: z.number().positive().optional(),
  }),
  feedback: z.strictObject({ feedback: z.enum(feedbackKinds) }),
  deal: z.strictObject({ deal: z.enum(dealEvents) }),
  fitGrade: z.strictObject({ fitGrade: z.array(z.string().min(1)).min(1) }),
} satisfies Record<ConditionKind, z.ZodType>;

export const conditionSchema: z.ZodType<Condition> = z.union(
  conditionKinds.map((kind) => conditionBranches[kind]),
  { error: conditionUnionMessage },
);

/** Which kind a raw (possibly invalid) mapping was meant to be, when exactly one kind key is present. */
export function findConditionKind(value: unknown): ConditionKind | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const present = conditionKinds.filter((kind) => Object.hasOwn(value, kind));
  return present.length === 1 ? present[0] : undefined;
}

/** The index in the union's `errors` of a kind's branch. */
export function conditionBranchIndex(kind: ConditionKind): number {
  return conditionKinds.indexOf(kind);
}

export function getConditionKind(condition: Condition): ConditionKind {
  const kind = conditionKinds.find((candidate) => candidate in condition);
  if (kind === undefined) throw new Error('not a parsed condition');
  return kind;
}

export type ConditionVisit = { condition: Condition; path: (string | number)[] };

/** Every condition inside `condition`, itself first, with paths relative to it. */
export function listConditions(condition: Condition, path: (string | number)[] = []): ConditionVisit[] {
  const visits: ConditionVisit[] = [{ condition, path }];
  if ('all' in condition) {
    condition.all.forEach((child, index) => {
      visits.push(...listConditions(child, [...path, 'all', index]));
    });
  } else if ('any' in condition) {
    condition.any.forEach((child, index) => {
      visits.push(...listConditions(child, [...path, 'any', index]));
    });
  } else if ('not' in condition) {
    visits.push(...listConditions(condition.not, [...path, 'not']));
  }
  return visits;
}

export type ConditionNames = {
  persona?: (id: string) => string | undefined;
  quadrant?: (id: string) => string | undefined;
  activity?: (id: string) => string | undefined;
};

/** A condition in words, e.g. `employees is at least 1000 and persona is "RevOps leader"`. */
export function describeCondition(condition: Condition, names: ConditionNames = {}): string {
  const nested = (child: Condition) => {
    const text = describeCondition(child, names);
    return 'all' in child || 'any' in child ? `(${text})` : text;
  };
  if ('all' in condition) return condition.all.map(nested).join(' and ');
  if ('any' in condition) return condition.any.map(nested).join(' or ');
  if ('not' in condition) return `not ${nested(condition.not)}`;
  if ('trait' in condition) return describeTraitCondition(condition);
  if ('persona' in condition)
    return `persona is ${quote(names.persona?.(condition.persona) ?? condition.persona)}`;
  if ('quadrant' in condition) {
    return `in the ${quote(names.quadrant?.(condition.quadrant) ?? condition.quadrant)} quadrant`;
  }
  if ('activity' in condition) {
    const name = quote(names.activity?.(condition.activity) ?? condition.activity);
    const times = (condition.atLeast ?? 1) > 1 ? ` at least ${condition.atLeast} times` : '';
    const within = condition.withinDays === undefined ? '' : ` within ${condition.withinDays} days`;
    return `did ${name}${times}${within}`;
  }
  if ('feedback' in condition) return `sales ${pastTense[condition.feedback]} the lead`;
  if ('deal' in condition) return `a deal was ${condition.deal}`;
  return `fit grade is ${condition.fitGrade.join(' or ')}`;
}

const pastTense: Record<FeedbackKind, string> = {
  accept: 'accepted',
  reject: 'rejected',
  recycle: 'recycled',
};

function describeTraitCondition(condition: TraitCondition): string {
  const name = condition.trait;
  const parts: string[] = [];
  if (condition.equals !== undefined) parts.push(`${name} is ${formatTraitValue(condition.equals)}`);
  if (condition.in !== undefined)
    parts.push(`${name} is one of ${condition.in.map(formatTraitValue).join(', ')}`);
  if (condition.notIn !== undefined) {
    parts.push(`${name} is none of ${condition.notIn.map(formatTraitValue).join(', ')}`);
  }
  if (condition.contains !== undefined) parts.push(`${name} contains ${quote(condition.contains)}`);
  if (condition.gte !== undefined && condition.lte !== undefined) {
    parts.push(`${name} is between ${condition.gte} and ${condition.lte}`);
  } else if (condition.gte !== undefined) {
    parts.push(`${name} is at least ${condition.gte}`);
  } else if (condition.lte !== undefined) {
    parts.push(`${name} is at most ${condition.lte}`);
  }
  if (condition.between !== undefined) {
    parts.push(`${name} is between ${condition.between[0]} and ${condition.between[1]}`);
  }
  if (condition.exists !== undefined) parts.push(`${name} is ${condition.exists ? 'known' : 'unknown'}`);
  return parts.join(' and ');
}

function formatTraitValue(value: TraitValue): string {
  return typeof value === 'string' ? quote(value) : String(value);
}

function quote(text: string): string {
  return `"${text}"`;
}
