import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { describeEngine } from '../../use-cases/engine/describe-engine.ts';
import { listAlerts } from '../../use-cases/engine/list-alerts.ts';
import { moveStage } from '../../use-cases/engine/move-stage.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid, notFound } from './common.ts';

const time = z.string().datetime();
const conflict = {
  409: {
    description:
      'The move is not allowed from where the lead is; `details.allowed` lists the moves that are.',
    content: {
      'application/json': {
        schema: z.object({
          error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }),
        }),
      },
    },
  },
} as const;

const moveStageRoute = createRoute({
  method: 'post',
  path: '/api/v1/contacts/{id}/stage',
  tags: ['engine'],
  summary:
    'Move a lead by hand: to a stage it may move to, back with a reason, or onto a detour with its reason.',
  security: bearerSecurity,
  middleware: [requirePermission('facts:write')] as const,
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
              to: z.string().min(1).max(100).openapi({ example: 'recycled' }),
              reason: z.string().min(1).max(100).optional().openapi({ example: 'not-now' }),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'The move, stored as a transition fact.',
      content: {
        'application/json': {
          schema: z.object({
            transitionId: z.string(),
            contactId: z.string(),
            from: z.string(),
            to: z.string(),
            occurredAt: time,
            agreementVersion: z.number().int(),
          }),
        },
      },
    },
    ...authErrors,
    ...invalid,
    ...notFound,
    ...conflict,
  },
});

const alertSchema = z
  .object({ contactId: z.string(), id: z.string(), kind: z.string(), at: time, detail: z.unknown() })
  .openapi('EngineAlert');

const listAlertsRoute = createRoute({
  method: 'get',
  path: '/api/v1/alerts',
  tags: ['engine'],
  summary:
    'What the engine raised, newest first: SLA breaches, escalations, leads no rep could take, refused moves.',
  security: bearerSecurity,
  middleware: [requirePermission('contacts:read')] as const,
  request: {
    query: z.object({
      since: time.optional(),
      kind: z
        .string()
        .max(40)
        .optional()
        .openapi({ description: 'Comma-separated kinds, e.g. sla-breached,sla-escalated' }),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: {
    200: {
      description: 'The alerts.',
      content: { 'application/json': { schema: z.object({ alerts: z.array(alertSchema) }) } },
    },
    ...authErrors,
    ...invalid,
  },
});

const engineStatusRoute = createRoute({
  method: 'get',
  path: '/api/v1/engine',
  tags: ['engine'],
  summary: 'How far the engine is behind the stored facts, and how routing has shared leads among reps.',
  security: bearerSecurity,
  middleware: [requirePermission('metrics:read')] as const,
  responses: {
    200: {
      description: 'The engine status.',
      content: {
        'application/json': {
          schema: z.object({
            pending: z.number().int(),
            cursor: z.number().int(),
            lastRunAt: time.nullable(),
            contacts: z.number().int(),
            agreementVersion: z.number().int().nullable(),
            routing: z.array(
              z.object({
                teamId: z.string(),
                day: z.string().nullable(),
                assignedTotal: z.number().int(),
                reps: z.array(
                  z.object({
                    repId: z.string(),
                    name: z.string(),
                    capacity: z.number(),
                    away: z.boolean(),
                    assignedTotal: z.number().int(),
                    assignedToday: z.number().int(),
                    expectedShare: z.number(),
                    actualShare: z.number(),
                  }),
                ),
              }),
            ),
          }),
        },
      },
    },
    ...authErrors,
  },
});

export function engineRoutes(deps: Pick<Deps, 'database' | 'clock' | 'repos'>) {
  return new OpenAPIHono<AppEnv>()
    .openapi(moveStageRoute, async (c) => {
      const principal = getPrincipal(c);
      const body = c.req.valid('json');
      const moved = await moveStage(
        {
          workspaceId: principal.workspaceId,
          contactId: c.req.valid('param').id,
          to: body.to,
          ...(body.reason === undefined ? {} : { reason: body.reason }),
          actor: describePrincipal(principal),
        },
        deps,
      );
      return c.json({ ...moved, occurredAt: moved.occurredAt.toISOString() }, 201);
    })
    .openapi(listAlertsRoute, async (c) => {
      const query = c.req.valid('query');
      const alerts = await listAlerts(
        {
          workspaceId: getPrincipal(c).workspaceId,
          limit: query.limit,
          ...(query.since === undefined ? {} : { since: new Date(query.since) }),
          ...(query.kind === undefined ? {} : { kinds: query.kind.split(',').map((kind) => kind.trim()) }),
        },
        deps,
      );
      return c.json({ alerts: alerts.map((alert) => ({ ...alert, at: alert.at.toISOString() })) }, 200);
    })
    .openapi(engineStatusRoute, async (c) => {
      const status = await describeEngine({ workspaceId: getPrincipal(c).workspaceId }, deps);
      return c.json(
        {
          ...status,
          lastRunAt: status.lastRunAt?.toISOString() ?? null,
          routing: status.routing.map((team) => ({ ...team, day: team.day ?? null })),
        },
        200,
      );
    });
}
