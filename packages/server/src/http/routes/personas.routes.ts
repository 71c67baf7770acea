import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { editPersonas } from '../../use-cases/personas/edit-personas.ts';
import { listPersonas } from '../../use-cases/personas/list-personas.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid, notFound } from './common.ts';

const idPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const personaFields = {
  label: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  match: z.record(z.string(), z.unknown()).openapi({
    description:
      'Who is this persona: a condition over traits, as in the agreement (e.g. `{ "trait": "title", "contains": "revops" }`).',
  }),
  team: z
    .string()
    .min(1)
    .max(63)
    .optional()
    .openapi({ description: 'The team specialised on it (a team id).' }),
  pains: z.array(z.string().min(1).max(500)).max(50).default([]),
};

const personaSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    description: z.string().optional(),
    match: z.unknown(),
    team: z.string().optional(),
    pains: z.array(z.string()),
  })
  .openapi('Persona');

const versionField = z.number().int().positive().openapi({
  description: 'The agreement version the edit was made on (from GET); 409 when it has moved on.',
});

const editResultSchema = z
  .object({
    previousVersion: z.number().int(),
    version: z.number().int(),
    unchanged: z.boolean(),
    persona: personaSchema.optional(),
    changes: z.array(
      z.object({
        path: z.string(),
        kind: z.enum(['added', 'removed', 'changed']),
        before: z.unknown().optional(),
        after: z.unknown().optional(),
      }),
    ),
  })
  .openapi('PersonaEdit');

const errorContent = {
  'application/json': {
    schema: z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }) }),
  },
};
const conflict = {
  409: {
    description: 'The agreement moved on since that version, or the id is taken.',
    content: errorContent,
  },
};
const idParams = z.object({
  id: z
    .string()
    .regex(idPattern)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'revops-leader' }),
});
const editAnswer = { 'application/json': { schema: editResultSchema } };

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/personas',
  tags: ['personas'],
  summary: 'The personas of the current agreement, and how many contacts match each.',
  security: bearerSecurity,
  middleware: [requirePermission('workspace:read')] as const,
  responses: {
    200: {
      description: 'The agreement version and its personas.',
      content: {
        'application/json': {
          schema: z.object({
            version: z.number().int(),
            personas: z.array(personaSchema.extend({ contacts: z.number().int() })),
          }),
        },
      },
    },
    ...authErrors,
    ...notFound,
  },
});

const createPersonaRoute = createRoute({
  method: 'post',
  path: '/api/v1/personas',
  tags: ['personas'],
  summary: 'Add a persona: a new agreement version whose only change is this persona.',
  security: bearerSecurity,
  middleware: [requirePermission('personas:write')] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({ version: versionField, id: z.string().regex(idPattern), ...personaFields })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'Stored as a new agreement version; the diff says what changed.',
      content: editAnswer,
    },
    ...invalid,
    ...authErrors,
    ...notFound,
    ...conflict,
  },
});

const updateRoute = createRoute({
  method: 'put',
  path: '/api/v1/personas/{id}',
  tags: ['personas'],
  summary: 'Replace a persona (label, description, match, team, pains) as a new agreement version.',
  security: bearerSecurity,
  middleware: [requirePermission('personas:write')] as const,
  request: {
    params: idParams,
    body: {
      required: true,
      content: {
        'application/json': { schema: z.object({ version: versionField, ...personaFields }).strict() },
      },
    },
  },
  responses: {
    200: { description: 'The new version and the diff (unchanged: nothing to store).', content: editAnswer },
    ...invalid,
    ...authErrors,
    ...notFound,
    ...conflict,
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/api/v1/personas/{id}',
  tags: ['personas'],
  summary:
    'Remove a persona nothing refers to (routing, fit rules, other personas) as a new agreement version.',
  security: bearerSecurity,
  middleware: [requirePermission('personas:write')] as const,
  request: { params: idParams, query: z.object({ version: z.coerce.number().int().positive() }) },
  responses: {
    200: { description: 'The new version and the diff.', content: editAnswer },
    ...invalid,
    ...authErrors,
    ...notFound,
    ...conflict,
  },
});

export function personaRoutes(deps: Pick<Deps, 'repos' | 'clock' | 'database'>) {
  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      return c.json(await listPersonas({ workspaceId: getPrincipal(c).workspaceId }, deps), 200);
    })
    .openapi(createPersonaRoute, async (c) => {
      const principal = getPrincipal(c);
      const { version, ...persona } = c.req.valid('json');
      const result = await editPersonas(
        {
          workspaceId: principal.workspaceId,
          expectedVersion: version,
          edit: { kind: 'create', persona },
          editedBy: describePrincipal(principal),
        },
        deps,
      );
      return c.json(result, 201);
    })
    .openapi(updateRoute, async (c) => {
      const principal = getPrincipal(c);
      const { version, ...fields } = c.req.valid('json');
      const result = await editPersonas(
        {
          workspaceId: principal.workspaceId,
          expectedVersion: version,
          edit: { kind: 'update', persona: { id: c.req.valid('param').id, ...fields } },
          editedBy: describePrincipal(principal),
        },
        deps,
      );
      return c.json(result, 200);
    })
    .openapi(deleteRoute, async (c) => {
      const principal = getPrincipal(c);
      const result = await editPersonas(
        {
          workspaceId: principal.workspaceId,
          expectedVersion: c.req.valid('query').version,
          edit: { kind: 'delete', id: c.req.valid('param').id },
          editedBy: describePrincipal(principal),
        },
        deps,
      );
      return c.json(result, 200);
    });
}
