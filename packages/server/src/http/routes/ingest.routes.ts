import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { dropReasons } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import { getIngestDrops } from '../../use-cases/ingest/get-ingest-drops.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid } from './common.ts';

const dropsRoute = createRoute({
  method: 'get',
  path: '/api/v1/ingest/drops',
  tags: ['tracking (Segment spec)'],
  summary: 'Events the pipeline dropped: counts per reason and the latest examples.',
  security: bearerSecurity,
  middleware: [requirePermission('workspace:read')] as const,
  request: {
    query: z.object({
      since: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Default: 24 hours ago.' }),
      limit: z.coerce.number().int().min(0).max(200).default(20),
    }),
  },
  responses: {
    200: {
      description: 'The drops.',
      content: {
        'application/json': {
          schema: z.object({
            since: z.string(),
            total: z.number().int(),
            byReason: z.array(z.object({ reason: z.enum(dropReasons), count: z.number().int() })),
            recent: z.array(
              z.object({
                reason: z.enum(dropReasons),
                detail: z.string(),
                messageId: z.string().nullable(),
                excerpt: z.string().nullable(),
                receivedAt: z.string(),
              }),
            ),
          }),
        },
      },
    },
    ...invalid,
    ...authErrors,
  },
});

export function ingestRoutes(deps: Pick<Deps, 'repos' | 'clock'>) {
  return new OpenAPIHono<AppEnv>().openapi(dropsRoute, async (c) => {
    const query = c.req.valid('query');
    const since = query.since ? new Date(query.since) : new Date(deps.clock().getTime() - 24 * 3600_000);
    const drops = await getIngestDrops(
      { workspaceId: getPrincipal(c).workspaceId, since, limit: query.limit },
      deps,
    );
    type Reason = (typeof dropReasons)[number];
    return c.json(
      {
        since: drops.since.toISOString(),
        total: drops.total,
        byReason: drops.byReason.map((row) => ({ reason: row.reason as Reason, count: row.count })),
        recent: drops.recent.map((row) => ({
          ...row,
          reason: row.reason as Reason,
          receivedAt: row.receivedAt.toISOString(),
        })),
      },
      200,
    );
  });
}
