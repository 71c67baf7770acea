import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { eraseContact } from '../../use-cases/erase/erase-contact.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid, notFound } from './common.ts';

const eraseContactRoute = createRoute({
  method: 'delete',
  path: '/api/v1/contacts/{id}',
  tags: ['contacts'],
  summary:
    'Erase a person completely on request (GDPR): the contact, every contact merged into it, and everything about them. Recorded in the audit log without personal data.',
  security: bearerSecurity,
  middleware: [requirePermission('contacts:erase')] as const,
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(320)
        .openapi({ description: 'The contact id, or an e-mail address of the person.' }),
    }),
  },
  responses: {
    200: {
      description: 'Erased; what was removed, per table.',
      content: {
        'application/json': {
          schema: z.object({
            contactId: z.string(),
            contactIds: z.array(z.string()),
            removed: z.record(z.string(), z.number().int()),
          }),
        },
      },
    },
    ...authErrors,
    ...notFound,
    ...invalid,
  },
});

export function eraseRoutes(deps: Pick<Deps, 'database' | 'repos' | 'clock'>) {
  return new OpenAPIHono<AppEnv>().openapi(eraseContactRoute, async (c) => {
    const principal = getPrincipal(c);
    const erased = await eraseContact(
      {
        workspaceId: principal.workspaceId,
        contact: c.req.valid('param').id,
        erasedBy: describePrincipal(principal),
      },
      deps,
    );
    return c.json(erased, 200);
  });
}
