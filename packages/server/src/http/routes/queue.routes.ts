import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { hasPermission } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Principal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { getQueue } from '../../use-cases/queue/get-queue.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid, notFound } from './common.ts';

const time = z.string().datetime();

const queueItemSchema = z
  .object({
    contactId: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    title: z.string().nullable(),
    company: z.string().nullable(),
    account: z.object({ id: z.string(), name: z.string() }).nullable(),
    stage: z.string(),
    quadrant: z.string(),
    fit: z.object({ score: z.number(), grade: z.string() }),
    interest: z.number().openapi({ description: 'As of `asOf`: interest decays between facts.' }),
    clock: z
      .object({
        status: z.string(),
        startedAt: time,
        deadlineAt: time,
        breachedAt: time.nullable(),
        stoppedAt: time.nullable().openapi({ description: 'Set once the lead was worked, in time or late.' }),
      })
      .nullable(),
    lastActivityAt: time.nullable(),
    urgency: z.enum(['open-clock', 'breached', 'owned']).openapi({
      description:
        'open-clock: an SLA clock is running (nearest deadline first); breached: its deadline passed unworked (longest overdue first); owned: the rest, by quadrant and interest.',
    }),
  })
  .openapi('QueueItem');

const queueRoute = createRoute({
  method: 'get',
  path: '/api/v1/queue',
  tags: ['queue'],
  summary:
    "A rep's leads by urgency: open SLA clocks by time left, then breached ones, then the rest by quadrant and interest.",
  description:
    'A signed-in sales user sees their own queue (`rep` defaults to `me`); managers and admins may name any rep.',
  security: bearerSecurity,
  middleware: [requirePermission('contacts:read')] as const,
  request: {
    query: z.object({
      rep: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .openapi({ description: 'A rep id of the agreement, or `me` (the signed-in user’s rep).' }),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: {
    200: {
      description: 'The queue.',
      content: {
        'application/json': {
          schema: z
            .object({
              rep: z.object({ id: z.string(), name: z.string(), teamId: z.string() }),
              asOf: time,
              total: z.number().int(),
              items: z.array(queueItemSchema),
            })
            .openapi('Queue'),
        },
      },
    },
    ...invalid,
    ...authErrors,
    ...notFound,
  },
});

/** The rep a caller asks for: their own by default; another only with `queue:read-any`. */
function resolveRep(principal: Principal, requested: string | undefined): string {
  const own = principal.user?.repId ?? null;
  const repId = requested === undefined || requested === 'me' ? own : requested;
  if (repId === null) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'Name a rep with ?rep=<id>: this caller is not a rep.',
      details: { field: 'rep' },
    });
  }
  if (repId !== own && !hasPermission(principal.role, 'queue:read-any')) {
    throw new AppError('FORBIDDEN', {
      message: `The role "${principal.role}" may read only its own queue.`,
      details: { permission: 'queue:read-any', role: principal.role },
    });
  }
  return repId;
}

export function queueRoutes(deps: Pick<Deps, 'repos' | 'clock'>) {
  return new OpenAPIHono<AppEnv>().openapi(queueRoute, async (c) => {
    const principal = getPrincipal(c);
    const query = c.req.valid('query');
    const queue = await getQueue(
      { workspaceId: principal.workspaceId, repId: resolveRep(principal, query.rep), limit: query.limit },
      deps,
    );
    const iso = (value: Date | null) => (value === null ? null : value.toISOString());
    return c.json(
      {
        rep: queue.rep,
        asOf: queue.asOf.toISOString(),
        total: queue.total,
        items: queue.items.map((item) => ({
          ...item,
          clock:
            item.clock === null
              ? null
              : {
                  status: item.clock.status,
                  startedAt: item.clock.startedAt.toISOString(),
                  deadlineAt: item.clock.deadlineAt.toISOString(),
                  breachedAt: iso(item.clock.breachedAt),
                  stoppedAt: iso(item.clock.stoppedAt),
                },
          lastActivityAt: iso(item.lastActivityAt),
        })),
      },
      200,
    );
  });
}
