import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { applyAgreement } from '../../use-cases/agreements/apply-agreement.ts';
import { checkAgreement } from '../../use-cases/agreements/check-agreement.ts';
import { diffAgreementVersions } from '../../use-cases/agreements/diff-agreement-versions.ts';
import { getAgreementVersion } from '../../use-cases/agreements/get-agreement-version.ts';
import { listAgreementVersions } from '../../use-cases/agreements/list-agreement-versions.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid, notFound } from './common.ts';

const versionSummarySchema = z
  .object({
    version: z.number().int(),
    checksum: z.string(),
    appliedBy: z.string(),
    appliedAt: z.string().datetime(),
    note: z.string().nullable(),
  })
  .openapi('AgreementVersionSummary');

const versionSchema = versionSummarySchema
  .extend({
    document: z.string().openapi({ description: 'The YAML document as applied.' }),
    agreement: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'The parsed agreement, defaults filled in.' }),
  })
  .openapi('AgreementVersion');

const issueSchema = z
  .object({
    code: z.string(),
    path: z.array(z.union([z.string(), z.number()])),
    pathText: z.string(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
    message: z.string(),
  })
  .openapi('AgreementIssue');

const changeSchema = z
  .object({
    path: z.string(),
    kind: z.enum(['added', 'removed', 'changed']),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
  })
  .openapi('AgreementChange');

const documentBodySchema = z.object({
  document: z.string().min(1).openapi({ description: 'The agreement as YAML text.' }),
  note: z.string().max(500).optional().openapi({ description: 'Why this version is applied.' }),
});

const versionParam = z.object({
  version: z.union([z.literal('current'), z.coerce.number().int().positive()]).openapi({
    param: { name: 'version', in: 'path' },
    example: 'current',
  }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/agreements',
  tags: ['agreements'],
  summary: 'The versions applied to this workspace, newest last.',
  security: bearerSecurity,
  middleware: [requirePermission('agreement:read')] as const,
  responses: {
    200: {
      description: 'The versions.',
      content: { 'application/json': { schema: z.object({ versions: z.array(versionSummarySchema) }) } },
    },
    ...authErrors,
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/agreements/{version}',
  tags: ['agreements'],
  summary: 'One version (or `current`) with its document.',
  security: bearerSecurity,
  middleware: [requirePermission('agreement:read')] as const,
  request: { params: versionParam },
  responses: {
    200: { description: 'The version.', content: { 'application/json': { schema: versionSchema } } },
    ...authErrors,
    ...notFound,
  },
});

const diffRoute = createRoute({
  method: 'get',
  path: '/api/v1/agreements/diff',
  tags: ['agreements'],
  summary: 'What changed from one version to another.',
  security: bearerSecurity,
  middleware: [requirePermission('agreement:read')] as const,
  request: {
    query: z.object({
      from: z.coerce.number().int().positive(),
      to: z.union([z.literal('current'), z.coerce.number().int().positive()]).default('current'),
    }),
  },
  responses: {
    200: {
      description: 'The changes, in document order.',
      content: {
        'application/json': {
          schema: z.object({ from: z.number().int(), to: z.number().int(), changes: z.array(changeSchema) }),
        },
      },
    },
    ...invalid,
    ...authErrors,
    ...notFound,
  },
});

const checkRoute = createRoute({
  method: 'post',
  path: '/api/v1/agreements/check',
  tags: ['agreements'],
  summary: 'Validate a document without applying it.',
  security: bearerSecurity,
  middleware: [requirePermission('agreement:read')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: documentBodySchema } } } },
  responses: {
    200: {
      description: 'The verdict: `ok`, with the problems or the summary.',
      content: {
        'application/json': {
          schema: z.object({
            ok: z.boolean(),
            issues: z.array(issueSchema),
            warnings: z.array(issueSchema),
            summary: z.string().optional(),
          }),
        },
      },
    },
    ...invalid,
    ...authErrors,
  },
});

const applyRoute = createRoute({
  method: 'post',
  path: '/api/v1/agreements',
  tags: ['agreements'],
  summary: 'Apply a document as the next version. Re-applying the current document changes nothing.',
  security: bearerSecurity,
  middleware: [requirePermission('agreement:apply')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: documentBodySchema } } } },
  responses: {
    201: {
      description: 'Stored as a new version.',
      content: {
        'application/json': { schema: versionSummarySchema.extend({ unchanged: z.literal(false) }) },
      },
    },
    200: {
      description: 'Identical to the current version; nothing stored.',
      content: {
        'application/json': { schema: versionSummarySchema.extend({ unchanged: z.literal(true) }) },
      },
    },
    ...invalid,
    ...authErrors,
  },
});

function serializeSummary(row: {
  version: number;
  checksum: string;
  appliedBy: string;
  appliedAt: Date;
  note: string | null;
}) {
  return {
    version: row.version,
    checksum: row.checksum,
    appliedBy: row.appliedBy,
    appliedAt: row.appliedAt.toISOString(),
    note: row.note,
  };
}

export function agreementRoutes(deps: Pick<Deps, 'repos' | 'clock' | 'database'>) {
  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      const versions = await listAgreementVersions({ workspaceId: getPrincipal(c).workspaceId }, deps);
      return c.json({ versions: versions.map(serializeSummary) }, 200);
    })
    .openapi(diffRoute, async (c) => {
      const { from, to } = c.req.valid('query');
      return c.json(
        await diffAgreementVersions({ workspaceId: getPrincipal(c).workspaceId, from, to }, deps),
        200,
      );
    })
    .openapi(getRoute, async (c) => {
      const { version } = c.req.valid('param');
      const found = await getAgreementVersion({ workspaceId: getPrincipal(c).workspaceId, version }, deps);
      return c.json(
        {
          ...serializeSummary(found),
          document: found.document,
          agreement: found.agreement as Record<string, unknown>,
        },
        200,
      );
    })
    .openapi(checkRoute, (c) => {
      const result = checkAgreement({ document: c.req.valid('json').document });
      return c.json(
        result.ok
          ? { ok: true, issues: [], warnings: result.warnings, summary: result.summary }
          : { ok: false, issues: result.issues, warnings: [] },
        200,
      );
    })
    .openapi(applyRoute, async (c) => {
      const principal = getPrincipal(c);
      const body = c.req.valid('json');
      const applied = await applyAgreement(
        {
          workspaceId: principal.workspaceId,
          document: body.document,
          note: body.note,
          appliedBy: describePrincipal(principal),
        },
        deps,
      );
      const summary = serializeSummary(applied);
      return applied.unchanged
        ? c.json({ ...summary, unchanged: true as const }, 200)
        : c.json({ ...summary, unchanged: false as const }, 201);
    });
}
