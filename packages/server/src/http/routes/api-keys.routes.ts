import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { roles } from '@smarketing/core';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { createApiKey } from '../../use-cases/api-keys/create-api-key.ts';
import { listApiKeys } from '../../use-cases/api-keys/list-api-keys.ts';
import { revokeApiKey } from '../../use-cases/api-keys/revoke-api-key.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid, notFound } from './common.ts';

const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(roles),
    prefix: z.string().openapi({ description: 'The public part of the token, to recognise it in lists.' }),
    createdAt: z.string().datetime(),
    createdBy: z.string().nullable(),
    lastUsedAt: z.string().datetime().nullable(),
    revokedAt: z.string().datetime().nullable(),
  })
  .openapi('ApiKey');

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/api-keys',
  tags: ['api-keys'],
  summary: "The workspace's API keys (never their secrets).",
  security: bearerSecurity,
  middleware: [requirePermission('api-key:manage')] as const,
  responses: {
    200: {
      description: 'The keys.',
      content: { 'application/json': { schema: z.object({ apiKeys: z.array(apiKeySchema) }) } },
    },
    ...authErrors,
  },
});

const createKeyRoute = createRoute({
  method: 'post',
  path: '/api/v1/api-keys',
  tags: ['api-keys'],
  summary: 'Create a key. The token is in this answer only.',
  security: bearerSecurity,
  middleware: [requirePermission('api-key:manage')] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({ name: z.string().min(1).max(100), role: z.enum(roles) }),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'Created.',
      content: {
        'application/json': {
          schema: z.object({
            id: z.string(),
            name: z.string(),
            role: z.enum(roles),
            prefix: z.string(),
            createdAt: z.string().datetime(),
            token: z.string().openapi({ description: 'Shown once; store it now.' }),
          }),
        },
      },
    },
    ...invalid,
    ...authErrors,
  },
});

const revokeRoute = createRoute({
  method: 'delete',
  path: '/api/v1/api-keys/{id}',
  tags: ['api-keys'],
  summary: 'Revoke a key; it stops working at once.',
  security: bearerSecurity,
  middleware: [requirePermission('api-key:manage')] as const,
  request: { params: z.object({ id: z.string().min(1).max(100) }) },
  responses: {
    204: { description: 'Revoked.' },
    ...authErrors,
    ...notFound,
  },
});

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function apiKeyRoutes(deps: Pick<Deps, 'repos' | 'clock' | 'database'>) {
  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      const keys = await listApiKeys({ workspaceId: getPrincipal(c).workspaceId }, deps);
      return c.json(
        {
          apiKeys: keys.map((key) => ({
            id: key.id,
            name: key.name,
            role: key.role as (typeof roles)[number],
            prefix: key.prefix,
            createdAt: key.createdAt.toISOString(),
            createdBy: key.createdBy,
            lastUsedAt: iso(key.lastUsedAt),
            revokedAt: iso(key.revokedAt),
          })),
        },
        200,
      );
    })
    .openapi(createKeyRoute, async (c) => {
      const principal = getPrincipal(c);
      const body = c.req.valid('json');
      const created = await createApiKey(
        {
          workspaceId: principal.workspaceId,
          name: body.name,
          role: body.role,
          createdBy: describePrincipal(principal),
        },
        deps,
      );
      return c.json({ ...created, createdAt: created.createdAt.toISOString() }, 201);
    })
    .openapi(revokeRoute, async (c) => {
      const principal = getPrincipal(c);
      await revokeApiKey(
        {
          workspaceId: principal.workspaceId,
          id: c.req.valid('param').id,
          revokedBy: describePrincipal(principal),
        },
        deps,
      );
      return c.body(null, 204);
    });
}
