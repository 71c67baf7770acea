import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { roles } from '@smarketing/core';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { exportWorkspace } from '../../use-cases/export/export-workspace.ts';
import { getWorkspace } from '../../use-cases/workspaces/get-workspace.ts';
import { version } from '../../version.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
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

export function workspaceRoutes(deps: Pick<Deps, 'repos' | 'database' | 'clock'>) {
  const app = new OpenAPIHono<AppEnv>();
  // The workspace export (docs/IMPORT.md): NDJSON, so not in the OpenAPI document. Read in one
  // snapshot into a temporary file, then streamed: a slow client does not hold the database.
  app.get('/api/v1/workspace/export', requirePermission('workspace:export'), async (c) => {
    const principal = getPrincipal(c);
    const { header, stream } = await exportWorkspace(
      { workspaceId: principal.workspaceId, actor: describePrincipal(principal), appVersion: version },
      deps,
    );
    const records = Object.values(header.counts).reduce((sum, n) => sum + n, 0);
    const name = `${header.workspace.slug}-${header.exportedAt.replaceAll(':', '-').slice(0, 19)}.ndjson`;
    return c.body(Readable.toWeb(stream) as ReadableStream, 200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'x-smarketing-export-records': String(records),
      'cache-control': 'no-store',
    });
  });
  return app.openapi(meRoute, async (c) => {
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
