import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import {
  type Announcement,
  announcementKinds,
  announcementLimits,
} from '../../use-cases/announcements/announcement-input.ts';
import { createAnnouncement } from '../../use-cases/announcements/create-announcement.ts';
import { listAnnouncements } from '../../use-cases/announcements/list-announcements.ts';
import { updateAnnouncement } from '../../use-cases/announcements/update-announcement.ts';
import { withdrawAnnouncement } from '../../use-cases/announcements/withdraw-announcement.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid, notFound } from './common.ts';

const announcementSchema = z
  .object({
    id: z.string(),
    kind: z.enum(announcementKinds),
    title: z.string(),
    body: z.string(),
    link: z.string().nullable(),
    effectiveAt: z.string().datetime(),
    createdAt: z.string().datetime(),
    createdBy: z.string(),
    updatedAt: z.string().datetime(),
    withdrawnAt: z.string().datetime().nullable(),
  })
  .openapi('Announcement');

const dateText = z.string().min(10).max(40).openapi({
  description: 'YYYY-MM-DD (local midnight in the agreement time zone) or an ISO timestamp with a zone.',
  example: '2027-03-01',
});

const fields = {
  kind: z.enum(announcementKinds),
  title: z.string().min(1).max(announcementLimits.title),
  body: z.string().max(announcementLimits.body),
  link: z
    .string()
    .max(announcementLimits.link)
    .nullable()
    .openapi({ description: 'An http(s) link (a launch page, a campaign brief); null clears it.' }),
  effectiveAt: dateText.openapi({ description: 'When it takes effect; the brief of that week shows it.' }),
};

const createBody = z
  .object({
    ...fields,
    body: fields.body.default(''),
    link: fields.link.optional(),
    effectiveAt: fields.effectiveAt.optional(),
  })
  .strict()
  .openapi('AnnouncementInput');
const editBody = z
  .object({
    kind: fields.kind.optional(),
    title: fields.title.optional(),
    body: fields.body.optional(),
    link: fields.link.optional(),
    effectiveAt: fields.effectiveAt.optional(),
  })
  .strict()
  .openapi('AnnouncementEdit');

const idParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const answer = { 'application/json': { schema: announcementSchema } };
const conflict = {
  409: {
    description: 'The announcement was withdrawn.',
    content: {
      'application/json': {
        schema: z.object({
          error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }),
        }),
      },
    },
  },
};

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/announcements',
  tags: ['announcements'],
  summary: 'Announcements taking effect in [from, to), oldest first (at most 500).',
  security: bearerSecurity,
  middleware: [requirePermission('workspace:read')] as const,
  request: {
    query: z.object({
      from: dateText.optional(),
      to: dateText.optional(),
      includeWithdrawn: z
        .enum(['true', 'false'])
        .default('false')
        .openapi({ description: 'Also list withdrawn announcements.' }),
    }),
  },
  responses: {
    200: {
      description: 'The announcements.',
      content: { 'application/json': { schema: z.object({ announcements: z.array(announcementSchema) }) } },
    },
    ...invalid,
    ...authErrors,
  },
});

const createAnnouncementRoute = createRoute({
  method: 'post',
  path: '/api/v1/announcements',
  tags: ['announcements'],
  summary: 'Publish a product, campaign or promotion announcement to both teams.',
  security: bearerSecurity,
  middleware: [requirePermission('announcements:write')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: createBody } } } },
  responses: {
    201: { description: 'Published.', content: answer },
    ...invalid,
    ...authErrors,
  },
});

const editRoute = createRoute({
  method: 'patch',
  path: '/api/v1/announcements/{id}',
  tags: ['announcements'],
  summary: 'Edit the fields given; the audit log keeps each change before and after.',
  security: bearerSecurity,
  middleware: [requirePermission('announcements:write')] as const,
  request: {
    params: idParams,
    body: { required: true, content: { 'application/json': { schema: editBody } } },
  },
  responses: {
    200: { description: 'The announcement as it now stands.', content: answer },
    ...invalid,
    ...authErrors,
    ...notFound,
    ...conflict,
  },
});

const withdrawRoute = createRoute({
  method: 'post',
  path: '/api/v1/announcements/{id}/withdraw',
  tags: ['announcements'],
  summary: 'Withdraw an announcement: kept, but no longer shown or briefed. Idempotent.',
  security: bearerSecurity,
  middleware: [requirePermission('announcements:write')] as const,
  request: { params: idParams },
  responses: {
    200: { description: 'The withdrawn announcement.', content: answer },
    ...authErrors,
    ...notFound,
  },
});

function toJson(announcement: Announcement) {
  return {
    ...announcement,
    effectiveAt: announcement.effectiveAt.toISOString(),
    createdAt: announcement.createdAt.toISOString(),
    updatedAt: announcement.updatedAt.toISOString(),
    withdrawnAt: announcement.withdrawnAt?.toISOString() ?? null,
  };
}

export function announcementRoutes(deps: Pick<Deps, 'repos' | 'clock' | 'database'>) {
  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      const query = c.req.valid('query');
      const found = await listAnnouncements(
        {
          workspaceId: getPrincipal(c).workspaceId,
          ...(query.from === undefined ? {} : { from: query.from }),
          ...(query.to === undefined ? {} : { to: query.to }),
          includeWithdrawn: query.includeWithdrawn === 'true',
        },
        deps,
      );
      return c.json({ announcements: found.map(toJson) }, 200);
    })
    .openapi(createAnnouncementRoute, async (c) => {
      const principal = getPrincipal(c);
      const created = await createAnnouncement(
        {
          workspaceId: principal.workspaceId,
          input: c.req.valid('json'),
          createdBy: describePrincipal(principal),
        },
        deps,
      );
      return c.json(toJson(created), 201);
    })
    .openapi(editRoute, async (c) => {
      const principal = getPrincipal(c);
      const edited = await updateAnnouncement(
        {
          workspaceId: principal.workspaceId,
          id: c.req.valid('param').id,
          input: c.req.valid('json'),
          updatedBy: describePrincipal(principal),
        },
        deps,
      );
      return c.json(toJson(edited), 200);
    })
    .openapi(withdrawRoute, async (c) => {
      const principal = getPrincipal(c);
      const withdrawn = await withdrawAnnouncement(
        {
          workspaceId: principal.workspaceId,
          id: c.req.valid('param').id,
          withdrawnBy: describePrincipal(principal),
        },
        deps,
      );
      return c.json(toJson(withdrawn), 200);
    });
}
