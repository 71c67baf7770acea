import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { type ContactView, getContact } from '../../use-cases/facts/get-contact.ts';
import { reassignContact } from '../../use-cases/reassign/reassign-contact.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid, notFound } from './common.ts';

const time = z.string().datetime();
const traits = z.record(z.string(), z.unknown());

const touchSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    repId: z.string(),
    kind: z.string(),
    outcome: z.string().nullable(),
    occurredAt: time,
    recordedAt: time,
    source: z.string(),
    externalId: z.string().nullable(),
  })
  .openapi('Touch');

const dealSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    externalId: z.string().nullable(),
    name: z.string(),
    accountId: z.string().nullable(),
    stage: z.string(),
    status: z.enum(['open', 'won', 'lost']),
    amount: z.string().nullable(),
    currency: z.string().nullable(),
    reason: z.string().nullable(),
    closeDate: z.string().nullable(),
    createdAt: time,
    updatedAt: time,
  })
  .openapi('Deal');

const dealEventSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    dealId: z.string(),
    kind: z.string(),
    name: z.string().nullable(),
    accountId: z.string().nullable(),
    stage: z.string().nullable(),
    amount: z.string().nullable(),
    currency: z.string().nullable(),
    closeDate: z.string().nullable(),
    reason: z.string().nullable(),
    occurredAt: time,
    recordedAt: time,
    source: z.string(),
    externalId: z.string().nullable(),
  })
  .openapi('DealEvent');

const feedbackSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    repId: z.string(),
    verdict: z.string(),
    reason: z.string().nullable(),
    rating: z.number().int().nullable(),
    comment: z.string().nullable(),
    occurredAt: time,
    recordedAt: time,
    source: z.string(),
    externalId: z.string().nullable(),
  })
  .openapi('Feedback');

const transitionSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    fromStage: z.string().nullable(),
    toStage: z.string(),
    occurredAt: time,
    recordedAt: time,
    cause: z.string(),
    actor: z.string().nullable(),
    ruleId: z.string().nullable(),
    reason: z.string().nullable(),
    agreementVersion: z.number().int(),
    externalId: z.string().nullable(),
  })
  .openapi('Transition');

const contributionSchema = z
  .object({ id: z.string(), label: z.string(), points: z.number(), detail: z.string().optional() })
  .openapi('ScoreContribution');

const leadSchema = z
  .object({
    stage: z.string(),
    stageSince: time.nullable(),
    furthestStage: z.string(),
    detour: z
      .object({ id: z.string(), from: z.string(), reason: z.string().nullable(), returnsAt: time.nullable() })
      .nullable(),
    owner: z.object({ repId: z.string().nullable(), teamId: z.string().nullable(), since: time }).nullable(),
    scoredAt: time.openapi({ description: 'Scores are as of this instant: interest decays between facts.' }),
    quadrant: z.string(),
    fit: z.object({
      score: z.number(),
      grade: z.string(),
      personas: z.array(z.string()),
      explanation: z
        .array(contributionSchema)
        .openapi({ description: 'What makes up the score, largest first.' }),
    }),
    interest: z.object({ score: z.number(), explanation: z.array(contributionSchema) }),
    clock: z
      .object({
        id: z.string(),
        repId: z.string().nullable(),
        status: z.enum(['open', 'worked', 'breached', 'cancelled']),
        startedAt: time,
        deadlineAt: time,
        businessHours: z.boolean(),
        stoppedAt: time.nullable(),
        stopCause: z.string().nullable(),
        breachedAt: time.nullable(),
      })
      .nullable(),
    assignments: z.array(
      z.object({
        id: z.string(),
        repId: z.string().nullable(),
        teamId: z.string().nullable(),
        reasonKind: z.string(),
        reason: z.string(),
        at: time,
      }),
    ),
    alerts: z.array(z.object({ id: z.string(), kind: z.string(), at: time, detail: z.unknown() })),
    account: z
      .object({
        fit: z.number(),
        fitGrade: z.string(),
        interest: z.number(),
        quadrant: z.string(),
        contacts: z.number().int(),
        explanation: z.array(contributionSchema),
      })
      .nullable()
      .openapi({
        description: "The account's scores rolled up from its contacts: best fit, summed interest.",
      }),
    agreementVersion: z.number().int(),
  })
  .openapi('LeadStatus');

const contactViewSchema = z
  .object({
    id: z.string(),
    mergedIds: z
      .array(z.string())
      .openapi({ description: 'Contacts merged into this one; their facts are included.' }),
    email: z.string().nullable(),
    traits,
    createdAt: time,
    updatedAt: time,
    identities: z.array(z.object({ kind: z.string(), value: z.string(), createdAt: time })),
    account: z
      .object({
        id: z.string(),
        name: z.string(),
        domain: z.string().nullable(),
        externalId: z.string().nullable(),
        traits,
      })
      .nullable(),
    touches: z.array(touchSchema),
    deals: z.array(dealSchema),
    dealEvents: z.array(dealEventSchema),
    feedback: z.array(feedbackSchema),
    transitions: z.array(transitionSchema),
    activities: z.object({ count: z.number().int(), lastAt: time.nullable() }),
    lead: leadSchema.nullable(),
  })
  .openapi('ContactView');

const getContactRoute = createRoute({
  method: 'get',
  path: '/api/v1/contacts/{id}',
  tags: ['contacts'],
  summary:
    "One contact with its touches, deals, feedback, stage history and where the engine has it: stage, owner, fit and interest with their explanation, SLA clock (the rep's view).",
  description: 'The id of a merged contact answers the contact it was merged into.',
  security: bearerSecurity,
  middleware: [requirePermission('contacts:read')] as const,
  request: {
    params: z.object({
      id: z
        .string()
        .max(100)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: {
    200: { description: 'The contact.', content: { 'application/json': { schema: contactViewSchema } } },
    ...authErrors,
    ...notFound,
  },
});

const reassignmentSchema = z
  .object({
    reassignmentId: z.string(),
    contactId: z.string(),
    toRepId: z.string(),
    fromRepId: z
      .string()
      .nullable()
      .openapi({ description: 'The owner the engine had when the reassignment was stored.' }),
    reason: z.string().nullable(),
    occurredAt: time,
    duplicate: z
      .boolean()
      .openapi({ description: 'The idempotency key was used before: nothing was stored.' }),
  })
  .openapi('Reassignment');

const reassignRoute = createRoute({
  method: 'post',
  path: '/api/v1/contacts/{id}/reassign',
  tags: ['contacts'],
  summary:
    'Give a lead to another rep by hand (managers and admins). The engine moves the owner and restarts a running SLA clock for the new rep.',
  description:
    'The rep must be a sales rep of the current agreement (the error lists them); a merged contact is refused with the contact it was merged into. Audited as `contact.reassign`.',
  security: bearerSecurity,
  middleware: [requirePermission('leads:reassign')] as const,
  request: {
    params: z.object({
      id: z
        .string()
        .max(100)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
    body: {
      content: {
        'application/json': {
          schema: z
            .object({
              repId: z.string().min(1).max(200).openapi({ example: 'sam' }),
              reason: z.string().max(500).optional().openapi({ example: 'Sam covers this account' }),
              idempotencyKey: z
                .string()
                .min(1)
                .max(200)
                .optional()
                .openapi({ description: 'Sending the same key again for the contact stores nothing.' }),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'The reassignment, stored as a fact.',
      content: { 'application/json': { schema: reassignmentSchema } },
    },
    200: {
      description: 'A repeat of an idempotency key: the reassignment stored the first time.',
      content: { 'application/json': { schema: reassignmentSchema } },
    },
    ...invalid,
    ...authErrors,
    ...notFound,
    409: {
      description: 'The contact was merged into another (`details.mergedInto`).',
      content: {
        'application/json': {
          schema: z.object({
            error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }),
          }),
        },
      },
    },
  },
});

export function contactRoutes(deps: Pick<Deps, 'database' | 'clock'>) {
  return new OpenAPIHono<AppEnv>()
    .openapi(getContactRoute, async (c) => {
      const { id } = c.req.valid('param');
      const view = await getContact({ workspaceId: getPrincipal(c).workspaceId, contactId: id }, deps);
      return c.json(serializeContact(view), 200);
    })
    .openapi(reassignRoute, async (c) => {
      const principal = getPrincipal(c);
      const body = c.req.valid('json');
      const result = await reassignContact(
        {
          workspaceId: principal.workspaceId,
          contactId: c.req.valid('param').id,
          repId: body.repId,
          reason: body.reason,
          idempotencyKey: body.idempotencyKey,
          actor: describePrincipal(principal),
        },
        deps,
      );
      return c.json({ ...result, occurredAt: result.occurredAt.toISOString() }, result.duplicate ? 200 : 201);
    });
}

const iso = (value: Date) => value.toISOString();

function serializeContact(view: ContactView) {
  return {
    id: view.id,
    mergedIds: view.mergedIds,
    email: view.email,
    traits: view.traits,
    createdAt: iso(view.createdAt),
    updatedAt: iso(view.updatedAt),
    identities: view.identities.map((identity) => ({ ...identity, createdAt: iso(identity.createdAt) })),
    account: view.account,
    touches: view.touches.map(({ workspaceId: _, ...touch }) => ({
      ...touch,
      occurredAt: iso(touch.occurredAt),
      recordedAt: iso(touch.recordedAt),
    })),
    deals: view.deals.map(({ workspaceId: _, ...deal }) => ({
      ...deal,
      createdAt: iso(deal.createdAt),
      updatedAt: iso(deal.updatedAt),
    })),
    dealEvents: view.dealEvents.map(({ workspaceId: _, ...event }) => ({
      ...event,
      occurredAt: iso(event.occurredAt),
      recordedAt: iso(event.recordedAt),
    })),
    feedback: view.feedback.map(({ workspaceId: _, ...entry }) => ({
      ...entry,
      occurredAt: iso(entry.occurredAt),
      recordedAt: iso(entry.recordedAt),
    })),
    transitions: view.transitions.map(({ workspaceId: _, ...transition }) => ({
      ...transition,
      occurredAt: iso(transition.occurredAt),
      recordedAt: iso(transition.recordedAt),
    })),
    activities: {
      count: view.activities.count,
      lastAt: view.activities.lastAt ? iso(view.activities.lastAt) : null,
    },
    lead: view.lead === null ? null : serializeLead(view.lead),
  };
}

function serializeLead(lead: NonNullable<ContactView['lead']>) {
  const optional = (value: Date | null) => (value === null ? null : iso(value));
  return {
    ...lead,
    stageSince: optional(lead.stageSince),
    detour: lead.detour === null ? null : { ...lead.detour, returnsAt: optional(lead.detour.returnsAt) },
    owner: lead.owner === null ? null : { ...lead.owner, since: iso(lead.owner.since) },
    scoredAt: iso(lead.scoredAt),
    clock:
      lead.clock === null
        ? null
        : {
            ...lead.clock,
            status: lead.clock.status as 'open' | 'worked' | 'breached' | 'cancelled',
            startedAt: iso(lead.clock.startedAt),
            deadlineAt: iso(lead.clock.deadlineAt),
            stoppedAt: optional(lead.clock.stoppedAt),
            breachedAt: optional(lead.clock.breachedAt),
          },
    assignments: lead.assignments.map((assignment) => ({ ...assignment, at: iso(assignment.at) })),
    alerts: lead.alerts.map((alert) => ({ ...alert, at: iso(alert.at) })),
  };
}
