import { z } from 'zod';
import { conditionSchema } from './condition.ts';
import {
  capSchema,
  clockTimeSchema,
  durationSchema,
  idSchema,
  isoDateSchema,
  labelSchema,
  pointsSchema,
  timezoneSchema,
} from './schema-helpers.ts';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

export const teamKinds = ['marketing', 'sales'] as const;
export type TeamKind = (typeof teamKinds)[number];

/** The four quadrants of fit × interest; their labels and actions come from the agreement. */
export const quadrantIds = ['hot', 'nurture', 'fan', 'drop'] as const;
export type QuadrantId = (typeof quadrantIds)[number];

export const quadrantActions = ['hand-to-sales', 'nurture', 'low-touch-sales', 'suppress'] as const;
export type QuadrantAction = (typeof quadrantActions)[number];
/** Actions that put a lead in a rep's queue and therefore start a first-touch clock. */
export const salesActions: readonly QuadrantAction[] = ['hand-to-sales', 'low-touch-sales'];

export const touchKinds = ['call', 'email', 'meeting', 'sms', 'social'] as const;
export type TouchKind = (typeof touchKinds)[number];

export const segmentEventTypes = ['track', 'page', 'screen', 'identify', 'group', 'alias'] as const;

const businessHoursSchema = z
  .strictObject({
    days: z.array(z.enum(weekdays)).min(1),
    start: clockTimeSchema,
    end: clockTimeSchema,
  })
  .refine((hours) => hours.start < hours.end, {
    error: 'business hours must end after they start',
    path: ['end'],
    params: { code: 'INVALID_HOURS' },
  });

const repSchema = z.strictObject({
  id: z.string().trim().min(1),
  name: labelSchema,
  email: z.email(),
  /** Share of new leads relative to the team's other reps: 2 gets twice as many as 1. */
  capacity: z.number().positive().default(1),
  /** At most this many new leads a day; absent means no daily limit. */
  dailyCap: z.int().positive().optional(),
  /** An away rep receives no new leads. */
  away: z.boolean().default(false),
});

const teamSchema = z.strictObject({
  id: idSchema,
  label: labelSchema,
  kind: z.enum(teamKinds),
  /** Defaults to the agreement's time zone. */
  timezone: timezoneSchema.optional(),
  businessHours: businessHoursSchema.default({
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    start: '09:00',
    end: '17:00',
  }),
  holidays: z.array(isoDateSchema).default([]),
  manager: z.strictObject({ name: labelSchema, email: z.email() }).optional(),
  reps: z.array(repSchema).default([]),
});

const stageSchema = z.strictObject({
  id: idSchema,
  label: labelSchema,
  description: z.string().optional(),
  /** `marketing`, `sales` (any team of that kind) or a team id. */
  owner: z.string().min(1),
  /** When a contact enters this stage; the first stage may have none. */
  entry: conditionSchema.optional(),
  /** Stages and detours a contact in this stage may move to next. */
  moves: z.array(idSchema).default([]),
});

const detourSchema = z.strictObject({
  id: idSchema,
  label: labelSchema,
  /** The stages a contact can leave for this detour. */
  from: z.array(idSchema).min(1),
  /** The stage a contact goes back to afterwards; null or absent means the detour is the end. */
  returnsTo: idSchema.nullable().default(null),
  reasonRequired: z.boolean().default(false),
  /** Which list of feedback reasons the reason is chosen from. */
  reasons: z.enum(['reject', 'recycle', 'lost']).optional(),
});

const fitRuleSchema = z.strictObject({
  id: idSchema,
  label: labelSchema,
  when: conditionSchema,
  points: pointsSchema,
});

const fitGradeSchema = z
  .strictObject({
    grade: z.string().trim().min(1),
    /** Lowest fit score in the band, inclusive; absent means no lower bound. */
    min: z.number().optional(),
    /** Highest fit score in the band, inclusive; absent means no upper bound. */
    max: z.number().optional(),
  })
  .refine((band) => band.min === undefined || band.max === undefined || band.min <= band.max, {
    error: 'a grade band needs min ≤ max',
    path: ['max'],
    params: { code: 'INVALID_VALUE' },
  });

const fitSchema = z.strictObject({
  rules: z.array(fitRuleSchema).default([]),
  grades: z.array(fitGradeSchema).optional(),
});

const activityMatchSchema = z
  .strictObject({
    /** Segment `track` event names, matched exactly. */
    events: z.array(z.string().min(1)).optional(),
    /** Page path globs: `*` matches within one path segment, `**` across segments. */
    pages: z
      .array(
        z.string().startsWith('/', {
          error: (issue) =>
            `${JSON.stringify(issue.input)} is not a page path; expected it to start with "/"`,
        }),
      )
      .optional(),
    /** Segment event types. */
    types: z.array(z.enum(segmentEventTypes)).optional(),
  })
  .refine(
    (match) => [match.events, match.pages, match.types].some((list) => list !== undefined && list.length > 0),
    {
      error: 'match needs at least one of events, pages or types',
      params: { code: 'INVALID_VALUE' },
    },
  );

const activitySchema = z.strictObject({
  id: idSchema,
  label: labelSchema,
  /** An event counts when every listed criterion holds (any one entry of each list). */
  match: activityMatchSchema,
  points: pointsSchema,
  /** Most points this activity can add to the interest score. */
  cap: capSchema.optional(),
  /** Activities in a group share that group's cap in `groupCaps`. */
  group: idSchema.optional(),
});

const frequencyRuleSchema = z.strictObject({
  id: idSchema,
  label: labelSchema.optional(),
  activity: idSchema,
  atLeast: z.int().min(2),
  withinDays: z.number().positive(),
  points: pointsSchema,
});

const interestSchema = z.strictObject({
  halfLifeDays: z.number().positive({
    error: (issue) =>
      `halfLifeDays must be greater than 0 (it is how many days until an activity's points count half); got ${String(issue.input)}`,
  }),
  totalCap: capSchema.optional(),
  activities: z.array(activitySchema).min(1),
  groupCaps: z.record(idSchema, capSchema).default({}),
  frequency: z.array(frequencyRuleSchema).default([]),
});

const quadrantSchema = z.strictObject({
  label: labelSchema,
  action: z.enum(quadrantActions),
  /** Deadline for the first qualifying touch; required for sales actions. */
  firstTouchWithin: durationSchema.optional(),
  /** Whether the deadline counts only the owning team's business hours. */
  businessHours: z.boolean().default(false),
});

const quadrantsSchema = z.strictObject({
  thresholds: z.strictObject({
    /** A lead is a good fit when its fit score is at least this. */
    fit: z.number(),
    /** A lead is interested when its interest score is at least this. */
    interest: z.number(),
  }),
  hot: quadrantSchema,
  nurture: quadrantSchema,
  fan: quadrantSchema,
  drop: quadrantSchema,
});

const routingRuleSchema = z.strictObject({
  id: idSchema,
  label: labelSchema.optional(),
  when: conditionSchema,
  team: idSchema,
});

const routingSchema = z.strictObject({
  strategy: z.enum(['weighted-round-robin']).default('weighted-round-robin'),
  /** A contact whose account already has an owner goes to that owner. */
  accountOwnerWins: z.boolean().default(true),
  /** A contact that already has an owner keeps that owner. */
  keepExistingOwner: z.boolean().default(true),
  rules: z.array(routingRuleSchema).default([]),
  defaultTeam: idSchema,
});

const escalationStepSchema = z.strictObject({
  /** How long after the first-touch deadline passes. */
  after: durationSchema,
  action: z.enum(['notify-manager', 'reassign']),
});

const slaSchema = z.strictObject({
  period: z.enum(['week', 'month', 'quarter']),
  marketing: z.strictObject({
    /** Leads count toward the target when they enter this stage. */
    stage: idSchema,
    measure: z.enum(['points', 'expected-value']),
    /** Per period, in points or in the agreement's currency. */
    target: z.number().positive(),
    /** Points a delivered lead is worth by fit grade, for `measure: points`; absent means 1 each. */
    gradePoints: z.record(z.string().min(1), z.number().min(0)).optional(),
    /** Per-team targets, keyed by team id. */
    teams: z.record(idSchema, z.number().positive()).default({}),
    /** Reject reasons that make a delivered lead not count toward the target. */
    invalidReasons: z.array(idSchema).default([]),
  }),
  sales: z.strictObject({
    /** Share (0..1) of delivered leads that get a qualifying touch before their deadline. */
    workedWithinDeadline: z.number().min(0).max(1),
    qualifyingTouches: z.array(z.enum(touchKinds)).min(1, {
      error: `qualifyingTouches needs at least one kind of touch (${touchKinds.join(', ')}); without one no lead can ever be worked`,
    }),
    escalation: z.array(escalationStepSchema).default([]),
  }),
});

const reasonSchema = z.strictObject({
  id: idSchema,
  label: labelSchema,
  /** The lead was never a real lead (spam, duplicate, student); reports leave it out of quality. */
  invalid: z.boolean().default(false),
  /** For recycle reasons: days until the lead returns from the recycled detour. */
  recycleAfterDays: z.int().positive().optional(),
});

const feedbackSchema = z.strictObject({
  rejectReasons: z.array(reasonSchema).default([]),
  recycleReasons: z.array(reasonSchema).default([]),
  lostReasons: z.array(reasonSchema).default([]),
});

const personaSchema = z.strictObject({
  id: idSchema,
  label: labelSchema,
  description: z.string().optional(),
  match: conditionSchema,
  /** The team that specialises in this persona; routing sends its contacts there. */
  team: idSchema.optional(),
  /** What hurts this persona, in its own words: what marketing's messages and sales' calls address. */
  pains: z.array(z.string().trim().min(1).max(500)).max(50).default([]),
});

const goalSchema = z.strictObject({
  /** "2027", "2027-Q1" or "2027-03"; a bare year written as a YAML number is accepted. */
  period: z.preprocess(
    (value) => (typeof value === 'number' ? String(value) : value),
    z.string().regex(/^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/, {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is not a period; expected a year, quarter or month, like "2027", "2027-Q1" or "2027-03"`,
    }),
  ),
  /** Revenue, in the agreement's currency. */
  amount: z.number().positive(),
  averageDealSize: z.number().positive().optional(),
});

export const agreementSchema = z.strictObject({
  name: labelSchema,
  timezone: timezoneSchema,
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is not a currency code; expected ISO 4217, like "USD" or "EUR"`,
    })
    .default('USD'),
  teams: z.array(teamSchema).min(1),
  stages: z.array(stageSchema).min(1),
  detours: z.array(detourSchema).default([]),
  fit: fitSchema,
  interest: interestSchema,
  quadrants: quadrantsSchema,
  routing: routingSchema,
  sla: slaSchema,
  feedback: feedbackSchema,
  personas: z.array(personaSchema).default([]),
  goals: z.array(goalSchema).default([]),
});

/** The agreement as parsed, with every default filled in. */
export type Agreement = z.infer<typeof agreementSchema>;
export type Team = Agreement['teams'][number];
export type Stage = Agreement['stages'][number];
export type Detour = Agreement['detours'][number];
export type Quadrant = Agreement['quadrants'][QuadrantId];
