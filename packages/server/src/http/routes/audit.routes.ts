import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { listAudit } from '../../use-cases/audit/list-audit.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid } from './common.ts';

const time = z.string().datetime();

const entrySchema = z
  .object({
    id: z.string(),
    at: time,
    actor: z.string(),
    action: z.string().openapi({ example: 'agreement.apply' }),
    target: z.string().nullable(),
    detail: z.unknown(),
  })
  .openapi('AuditEntry');

const auditQuery = z.object({
  since: time.optional(),
  before: time.optional().openapi({ description: 'Page back: entries strictly before this instant.' }),
  action: z.string().max(60).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});

const listAuditRoute = createRoute({
  method: 'get',
  path: '/api/v1/audit',
  tags: ['audit'],
  summary:
    'Who changed what, newest first: agreement versions, API keys, manual stage moves, webhooks, users, erasures.',
  security: bearerSecurity,
  middleware: [requirePermission('audit:read')] as const,
  request: { query: auditQuery },
  responses: {
    200: {
      description: 'The entries.',
      content: { 'application/json': { schema: z.object({ entries: z.array(entrySchema) }) } },
    },
    ...authErrors,
    ...invalid,
  },
});

export function auditRoutes(deps: Pick<Deps, 'repos'>) {
  const load = async (workspaceId: string, query: z.infer<typeof auditQuery>) =>
    (
      await listAudit(
        {
          workspaceId,
          limit: query.limit,
          ...(query.since === undefined ? {} : { since: new Date(query.since) }),
          ...(query.before === undefined ? {} : { before: new Date(query.before) }),
          ...(query.action === undefined ? {} : { action: query.action }),
        },
        deps,
      )
    ).map((entry) => ({ ...entry, at: entry.at.toISOString() }));
  return (
    new OpenAPIHono<AppEnv>()
      .openapi(listAuditRoute, async (c) => {
        const entries = await load(getPrincipal(c).workspaceId, c.req.valid('query'));
        return c.json({ entries }, 200);
      })
      // The NDJSON export, for archiving elsewhere (not in the OpenAPI document: it is not JSON).
      .get('/api/v1/audit/export', requirePermission('audit:read'), async (c) => {
        const query = auditQuery.safeParse(c.req.query());
        if (!query.success) {
          throw new AppError('VALIDATION_FAILED', {
            message: 'Invalid query.',
            details: { issues: query.error.issues },
          });
        }
        const entries = await load(getPrincipal(c).workspaceId, query.data);
        const body = entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
        return c.body(body, 200, { 'content-type': 'application/x-ndjson' });
      })
  );
}
