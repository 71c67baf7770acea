import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.ts';
import type { AppEnv } from '../app-env.ts';

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['health'],
  summary: 'Liveness: the process answers.',
  responses: {
    200: {
      description: 'Alive.',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok'), version: z.string() }) } },
    },
  },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['health'],
  summary: 'Readiness: the database answers and the server is not shutting down.',
  responses: {
    200: {
      description: 'Ready.',
      content: {
        'application/json': { schema: z.object({ status: z.literal('ready'), database: z.string() }) },
      },
    },
    503: {
      description: 'Not ready.',
      content: {
        'application/json': { schema: z.object({ status: z.literal('unavailable'), reason: z.string() }) },
      },
    },
  },
});

export function healthRoutes(
  deps: Pick<Deps, 'database'>,
  state: { version: string; isDraining: () => boolean },
) {
  return new OpenAPIHono<AppEnv>()
    .openapi(healthRoute, (c) => c.json({ status: 'ok' as const, version: state.version }, 200))
    .openapi(readyRoute, async (c) => {
      if (state.isDraining()) return c.json({ status: 'unavailable' as const, reason: 'shutting down' }, 503);
      try {
        await deps.database.ping();
        return c.json({ status: 'ready' as const, database: deps.database.kind }, 200);
      } catch {
        return c.json({ status: 'unavailable' as const, reason: 'database not reachable' }, 503);
      }
    });
}
