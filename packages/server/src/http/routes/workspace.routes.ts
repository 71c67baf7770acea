import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { roles } from '@smarketing/core';
import type { Deps } from '../../deps.ts';
import { getWorkspace } from '../../use-cases/workspaces/get-workspace.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { authErrors, bearerSecurity } from './common.ts';

const meRoute = createRoute({
  method: 'get',
  path: '/api/v1/me',
  tags: ['workspace'],
  summary: 'Who the key belongs to: its workspace and role.',
  security: bearerSecurity,
  responses: {
    200: {
      description: 'The caller.',
      content: {
        'application/json': {
          schema: z.object({
            workspace: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
            apiKey: z.object({ id: z.string(), name: z.string(), prefix: z.string(), role: z.enum(roles) }),
          }),
        },
      },
    },
    ...authErrors,
  },
});

export function workspaceRoutes(deps: Pick<Deps, 'repos'>) {
  return new OpenAPIHono<AppEnv>().openapi(meRoute, async (c) => {
    const principal = getPrincipal(c);
    const workspace = await getWorkspace({ workspaceId: principal.workspaceId }, deps);
    return c.json(
      {
        workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name },
        apiKey: {
          id: principal.keyId,
          name: principal.keyName,
          prefix: principal.keyPrefix,
          role: principal.role,
        },
      },
      200,
    );
  });
}
