import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  type AccountRecord,
  type ContactRecord,
  type ContactRef,
  type DealEventRecord,
  dealEventKinds,
  type FeedbackRecord,
  feedbackKinds,
  type TouchRecord,
  touchKinds,
} from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import { factRejectCodes } from '../../use-cases/facts/fact-checks.ts';
import { recordDealEvents } from '../../use-cases/facts/record-deal-events.ts';
import { recordFeedback } from '../../use-cases/facts/record-feedback.ts';
import { recordTouches } from '../../use-cases/facts/record-touches.ts';
import { upsertContacts } from '../../use-cases/facts/upsert-contacts.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid } from './common.ts';

/**
 * The sales side of ingestion: touches, deal events, feedback and contact upserts as JSON, in
 * calls of up to 1,000 items. The request's shape (JSON types, required fields, closed lists) is
 * checked whole: a malformed call is refused with the path of each problem and stores nothing.
 * Everything that depends on the agreement, the clock or stored data is checked per item: the
 * answer lists the rejected items by index, and the rest of the call is stored.
 */
const maxItemsPerCall = 1_000;

const text = (max: number) => z.string().max(max);
const optionalText = (max: number) => z.string().max(max).nullish();
const instant = z.string().max(64).openapi({
  format: 'date-time',
  example: '2027-03-01T14:30:00Z',
  description: 'ISO 8601 with a time zone.',
});
const source = z.string().min(1).max(100).default('api').openapi({
  description:
    'Where the fact comes from (`api`, `salesforce`, `hubspot`…); external ids are unique per source.',
});
const externalId = optionalText(500).openapi({
  description: 'Idempotency key within the source: sending the same one again stores nothing.',
});
const traitsSchema = z
  .record(z.string().min(1).max(200), z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]))
  .openapi('Traits', { description: 'Trait values: text, numbers or booleans; null clears a trait.' });

const contactRefSchema = z
  .object({
    contactId: optionalText(500),
    email: optionalText(500),
    userId: optionalText(500),
    anonymousId: optionalText(500),
    crmId: optionalText(500).openapi({ example: 'salesforce:00Q5e00000AbCdE' }),
  })
  .openapi('ContactRef', {
    description:
      'Who the fact is about. `contactId` must name a contact of this workspace; other identities find or create the contact, and naming two known contacts merges them.',
  });

const accountInputSchema = z
  .object({
    crmId: optionalText(500),
    domain: optionalText(500),
    name: optionalText(500),
    traits: traitsSchema.default({}),
  })
  .openapi('AccountInput', { description: 'Found by crmId, else domain, else name; created when new.' });

const touchInputSchema = z
  .object({
    contact: contactRefSchema,
    repId: text(200).openapi({ description: 'A rep of a sales team in the agreement.' }),
    kind: z.enum(touchKinds),
    occurredAt: instant,
    outcome: optionalText(200),
    externalId,
    source,
  })
  .openapi('TouchInput');

const dealEventInputSchema = z
  .object({
    contact: contactRefSchema,
    dealId: text(200).openapi({
      description: "The deal's id in its source; events of one deal share it.",
      example: 'salesforce:0065e00000XyZ',
    }),
    kind: z.enum(dealEventKinds),
    name: optionalText(500),
    account: accountInputSchema.nullish(),
    stage: optionalText(200),
    amount: z
      .union([z.string().max(40), z.number()])
      .nullish()
      .openapi({
        description: 'Non-negative, at most 2 decimals; a string keeps it exact.',
        example: '12500.00',
      }),
    currency: optionalText(10).openapi({ description: "ISO 4217; defaults to the agreement's currency." }),
    closeDate: optionalText(40).openapi({ format: 'date', example: '2027-03-31' }),
    reason: optionalText(500),
    occurredAt: instant,
    externalId,
    source,
  })
  .openapi('DealEventInput');

const feedbackInputSchema = z
  .object({
    contact: contactRefSchema,
    repId: text(200),
    verdict: z.enum(feedbackKinds),
    reason: optionalText(200).openapi({
      description: "A reason id from the agreement's list for the verdict.",
    }),
    rating: z.number().nullish().openapi({ description: 'Lead quality, a whole number from 1 to 5.' }),
    comment: optionalText(10_000),
    occurredAt: instant,
    externalId,
    source,
  })
  .openapi('FeedbackInput');

const contactInputSchema = z
  .object({
    contact: contactRefSchema,
    traits: traitsSchema.default({}),
    account: accountInputSchema.nullish(),
    ownerRepId: optionalText(200),
    createdAt: instant.nullish(),
    stageHistory: z
      .array(z.object({ stage: text(100), at: instant }))
      .max(100)
      .nullish()
      .openapi({ description: 'Stages of the agreement the contact entered in the source, with when.' }),
    source,
  })
  .openapi('ContactInput');

const recordOutcomeSchema = z
  .object({
    created: z.number().int(),
    duplicates: z
      .number()
      .int()
      .openapi({ description: 'Items already stored (same external id): nothing changed.' }),
    rejected: z.array(
      z.object({
        index: z.number().int().openapi({ description: 'Position of the item in the call.' }),
        code: z
          .string()
          .openapi({ description: `One of ${factRejectCodes.join(', ')}.`, example: 'UNKNOWN_REP' }),
        message: z.string(),
      }),
    ),
  })
  .openapi('RecordOutcome');

const items = <T extends z.ZodTypeAny>(schema: T, noun: string) =>
  z.array(schema).max(maxItemsPerCall, {
    error: `At most ${maxItemsPerCall.toLocaleString('en-US')} ${noun} per call; split larger batches.`,
  });

function factRoute<T extends z.ZodTypeAny, R extends z.ZodTypeAny>(options: {
  path: string;
  summary: string;
  body: T;
  response: R;
}) {
  return createRoute({
    method: 'post',
    path: options.path,
    tags: ['facts'],
    summary: options.summary,
    security: bearerSecurity,
    middleware: [requirePermission('facts:write')] as const,
    request: { body: { required: true, content: { 'application/json': { schema: options.body } } } },
    responses: {
      200: {
        description: 'What was stored, what was already there, and each rejected item with why.',
        content: { 'application/json': { schema: options.response } },
      },
      ...invalid,
      ...authErrors,
    },
  });
}

const touchesRoute = factRoute({
  path: '/api/v1/touches',
  summary: "Record reps' calls, e-mails and meetings, with when they happened.",
  body: z.object({ touches: items(touchInputSchema, 'touches') }),
  response: recordOutcomeSchema,
});

const dealEventsRoute = factRoute({
  path: '/api/v1/deal-events',
  summary: 'Record what happened to deals; each deal is rebuilt from all of its events.',
  body: z.object({ events: items(dealEventInputSchema, 'events') }),
  response: recordOutcomeSchema,
});

const feedbackRoute = factRoute({
  path: '/api/v1/feedback',
  summary: "Record reps' accept / reject / recycle verdicts on leads.",
  body: z.object({ feedback: items(feedbackInputSchema, 'feedback items') }),
  response: recordOutcomeSchema,
});

const contactsRoute = factRoute({
  path: '/api/v1/contacts',
  summary: 'Create or update contacts: identities, traits, account, owner and stage history.',
  body: z.object({ contacts: items(contactInputSchema, 'contacts') }),
  response: recordOutcomeSchema.extend({
    updated: z.number().int().openapi({ description: 'Existing contacts that changed.' }),
  }),
});

type ContactRefInput = z.infer<typeof contactRefSchema>;
type AccountInput = z.infer<typeof accountInputSchema>;

export function factRoutes(deps: Pick<Deps, 'database' | 'clock'>) {
  return new OpenAPIHono<AppEnv>()
    .openapi(touchesRoute, async (c) => {
      const { touches } = c.req.valid('json');
      const records = touches.map(
        (item): TouchRecord => ({
          ref: toRef(item.contact),
          repId: item.repId,
          kind: item.kind,
          occurredAt: parseInstant(item.occurredAt),
          ...defined({ outcome: item.outcome, externalId: item.externalId }),
          source: item.source,
        }),
      );
      return c.json(await recordTouches({ workspaceId: getPrincipal(c).workspaceId, records }, deps), 200);
    })
    .openapi(dealEventsRoute, async (c) => {
      const { events } = c.req.valid('json');
      const records = events.map(
        (item): DealEventRecord => ({
          ref: toRef(item.contact),
          dealId: item.dealId,
          kind: item.kind,
          occurredAt: parseInstant(item.occurredAt),
          ...defined({
            name: item.name,
            account: toAccount(item.account),
            stage: item.stage,
            amount: item.amount === null || item.amount === undefined ? undefined : String(item.amount),
            currency: item.currency,
            closeDate: item.closeDate,
            reason: item.reason,
            externalId: item.externalId,
          }),
          source: item.source,
        }),
      );
      return c.json(await recordDealEvents({ workspaceId: getPrincipal(c).workspaceId, records }, deps), 200);
    })
    .openapi(feedbackRoute, async (c) => {
      const { feedback } = c.req.valid('json');
      const records = feedback.map(
        (item): FeedbackRecord => ({
          ref: toRef(item.contact),
          repId: item.repId,
          verdict: item.verdict,
          occurredAt: parseInstant(item.occurredAt),
          ...defined({
            reason: item.reason,
            // Checked (1–5, whole) by the use case, which names the item when it is not.
            rating: item.rating as FeedbackRecord['rating'],
            comment: item.comment,
            externalId: item.externalId,
          }),
          source: item.source,
        }),
      );
      return c.json(await recordFeedback({ workspaceId: getPrincipal(c).workspaceId, records }, deps), 200);
    })
    .openapi(contactsRoute, async (c) => {
      const { contacts } = c.req.valid('json');
      const records = contacts.map(
        (item): ContactRecord => ({
          ref: toRef(item.contact),
          traits: item.traits,
          ...defined({
            account: toAccount(item.account),
            ownerRepId: item.ownerRepId,
            createdAt: item.createdAt ? parseInstant(item.createdAt) : undefined,
            stageHistory: item.stageHistory?.map((entry) => ({
              stage: entry.stage,
              at: parseInstant(entry.at),
            })),
          }),
          source: item.source,
        }),
      );
      return c.json(await upsertContacts({ workspaceId: getPrincipal(c).workspaceId, records }, deps), 200);
    });
}

function toRef(contact: ContactRefInput): ContactRef {
  return defined({
    contactId: contact.contactId,
    email: contact.email,
    userId: contact.userId,
    anonymousId: contact.anonymousId,
    crmId: contact.crmId,
  });
}

function toAccount(account: AccountInput | null | undefined): AccountRecord | undefined {
  if (!account) return undefined;
  return {
    ...defined({ crmId: account.crmId, domain: account.domain, name: account.name }),
    traits: account.traits,
  };
}

/** The object without its null and undefined entries (JSON null means "not given" here). */
function defined<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== null && entry !== undefined),
  ) as { [K in keyof T]?: Exclude<T[K], null | undefined> };
}

const instantPattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * An RFC 3339 instant; anything else (no time zone, 30 February, a bare number) is an invalid
 * Date, which the use case rejects as INVALID_TIME for that item only.
 */
export function parseInstant(value: string): Date {
  const match = instantPattern.exec(value.trim());
  if (!match) return new Date(Number.NaN);
  const [, year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.map(Number);
  const calendar = new Date(Date.UTC(year as number, (month as number) - 1, day as number));
  const realDay =
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() + 1 === month &&
    calendar.getUTCDate() === day;
  const inRange =
    (hour as number) <= 23 &&
    (minute as number) <= 59 &&
    (second === undefined || Number.isNaN(second) || second <= 59) &&
    (offsetHours === undefined || Number.isNaN(offsetHours) || offsetHours <= 23) &&
    (offsetMinutes === undefined || Number.isNaN(offsetMinutes) || offsetMinutes <= 59);
  return realDay && inRange ? new Date(value.trim()) : new Date(Number.NaN);
}
