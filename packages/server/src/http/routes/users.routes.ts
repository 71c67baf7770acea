import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { createUser, userRoles } from '../../use-cases/users/create-user.ts';
import { listUsers } from '../../use-cases/users/list-users.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid } from './common.ts';

const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(userRoles),
    repId: z.string().nullable(),
    createdAt: z.string().datetime(),
    disabledAt: z.string().datetime().nullable(),
  })
  .openapi('User');

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/users',
  tags: ['users'],
  summary: "The workspace's dashboard users (never their passwords).",
  security: bearerSecurity,
  middleware: [requirePermission('user:manage')] as const,
  responses: {
    200: {
      description: 'The users, oldest first.',
      content: { 'application/json': { schema: z.object({ users: z.array(userSchema) }) } },
    },
    ...authErrors,
  },
});

const createUserRoute = createRoute({
  method: 'post',
  path: '/api/v1/users',
  tags: ['users'],
  summary: 'Create a dashboard user. Without a password, one is generated and shown in this answer only.',
  security: bearerSecurity,
  middleware: [requirePermission('user:manage')] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              email: z.string().min(3).max(320),
              name: z.string().min(1).max(200),
              role: z.enum(userRoles),
              repId: z
                .string()
                .min(1)
                .max(200)
                .optional()
                .openapi({ description: 'A rep id of the agreement.' }),
              password: z.string().max(200).optional(),
            })
            .openapi('UserInput'),
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
            user: userSchema,
            password: z.string().optional().openapi({ description: 'The generated password, shown once.' }),
          }),
        },
      },
    },
    ...invalid,
    ...authErrors,
    409: { description: 'The e-mail is taken in this workspace.' },
  },
});

export function userRoutes(deps: Pick<Deps, 'repos' | 'clock' | 'database'>) {
  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      const users = await listUsers({ workspaceId: getPrincipal(c).workspaceId }, deps);
      return c.json(
        {
          users: users.map((user) => ({
            id: user.id,
            email: user.email,
            name: user.name,
            role: user.role as (typeof userRoles)[number],
            repId: user.repId,
            createdAt: user.createdAt.toISOString(),
            disabledAt: user.disabledAt?.toISOString() ?? null,
          })),
        },
        200,
      );
    })
    .openapi(createUserRoute, async (c) => {
      const principal = getPrincipal(c);
      const body = c.req.valid('json');
      const created = await createUser(
        { workspaceId: principal.workspaceId, ...body, createdBy: describePrincipal(principal) },
        deps,
      );
      return c.json(
        {
          user: {
            id: created.id,
            email: created.email,
            name: created.name,
            role: created.role,
            repId: created.repId,
            createdAt: created.createdAt.toISOString(),
            disabledAt: null,
          },
          ...(created.generatedPassword === undefined ? {} : { password: created.generatedPassword }),
        },
        201,
      );
    });
}
