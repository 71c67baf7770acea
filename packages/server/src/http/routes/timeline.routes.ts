import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import { listTimeline } from '../../use-cases/contacts/list-timeline.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid, notFound } from './common.ts';

const timelineEntrySchema = z
  .object({
    source: z.enum(['activity', 'touch', 'transition', 'feedback', 'deal-event', 'reassignment']),
    id: z.string(),
    contactId: z
      .string()
      .openapi({ description: 'The contact the fact was recorded for (a merged one, maybe).' }),
    occurredAt: z.string().datetime(),
    kind: z.string().openapi({
      description:
        'activity: page, track, identify…; touch: call, email, meeting…; transition: its cause; feedback: the verdict; deal-event: created, won…; reassignment: manual',
    }),
    data: z.record(z.string(), z.unknown()).openapi({
      description:
        'activity: event, activityType, path, title, properties; touch: repId, outcome; transition: fromStage, toStage, reason…; feedback: repId, reason, rating, comment; deal-event: dealId, name, stage, amount, currency, reason; reassignment: toRepId, reason, actor, actorName (the signed-in user who did it, when one did).',
    }),
  })
  .openapi('TimelineEntry');

const timelineRoute = createRoute({
  method: 'get',
  path: '/api/v1/contacts/{id}/timeline',
  tags: ['contacts'],
  summary:
    "A contact's whole history on one list, newest first: page views, events, touches, stage transitions, feedback, deal events and manual reassignments, with the contacts merged into it.",
  security: bearerSecurity,
  middleware: [requirePermission('contacts:read')] as const,
  request: {
    params: z.object({
      id: z
        .string()
        .max(100)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(100),
      before: z
        .string()
        .max(300)
        .optional()
        .openapi({ description: 'The `nextBefore` of the previous page.' }),
    }),
  },
  responses: {
    200: {
      description: 'One page of the timeline.',
      content: {
        'application/json': {
          schema: z
            .object({
              contactId: z.string(),
              entries: z.array(timelineEntrySchema),
              nextBefore: z.string().nullable(),
            })
            .openapi('Timeline'),
        },
      },
    },
    ...invalid,
    ...authErrors,
    ...notFound,
  },
});

export function timelineRoutes(deps: Pick<Deps, 'repos'>) {
  return new OpenAPIHono<AppEnv>().openapi(timelineRoute, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const page = await listTimeline(
      { workspaceId: getPrincipal(c).workspaceId, contactId: id, limit: query.limit, before: query.before },
      deps,
    );
    return c.json(
      {
        contactId: page.contactId,
        entries: page.entries.map((entry) => ({ ...entry, occurredAt: entry.occurredAt.toISOString() })),
        nextBefore: page.nextBefore,
      },
      200,
    );
  });
}
