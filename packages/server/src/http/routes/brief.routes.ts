import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { renderBriefHtml, renderBriefMarkdown } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { getBrief } from '../../use-cases/brief/get-brief.ts';
import { sendBrief } from '../../use-cases/brief/send-brief.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid } from './common.ts';

const weekText = z
  .string()
  .regex(/^\d{4}-W\d{2}$/, 'an ISO week, like 2027-W09')
  .optional()
  .openapi({
    description: 'The ISO week (Monday first, agreement time zone); default: the last full week.',
    example: '2027-W09',
  });

const briefSchema = z
  .object({
    brief: z.literal('weekly'),
    week: z.object({ label: z.string(), from: z.string(), to: z.string(), timezone: z.string() }),
    agreementVersion: z.number().int(),
    asOf: z.string(),
    currency: z.string(),
    definitions: z.record(z.string(), z.string()),
    wins: z.record(z.string(), z.unknown()),
    announcements: z.array(z.record(z.string(), z.unknown())),
    leadFlow: z.record(z.string(), z.unknown()),
    waterfall: z.record(z.string(), z.unknown()),
    sla: z.record(z.string(), z.unknown()),
    clogs: z.array(z.record(z.string(), z.unknown())),
    feedbackThemes: z.array(z.record(z.string(), z.unknown())),
    questions: z.array(z.object({ rule: z.string(), question: z.string(), evidence: z.string() })),
  })
  .openapi('WeeklyBrief');

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/brief',
  tags: ['reports'],
  summary:
    'The weekly meeting brief: wins, announcements, lead flow and waterfall, SLA standing, clogs, feedback themes and open questions — as JSON, Markdown or a printable HTML page.',
  security: bearerSecurity,
  middleware: [requirePermission('reports:read')] as const,
  request: {
    query: z.object({ week: weekText, format: z.enum(['json', 'markdown', 'html']).default('json') }),
  },
  responses: {
    200: {
      description: 'The brief.',
      content: {
        'application/json': { schema: briefSchema },
        'text/markdown': { schema: z.string() },
        'text/html': { schema: z.string() },
      },
    },
    ...authErrors,
    ...invalid,
  },
});

const sendRoute = createRoute({
  method: 'post',
  path: '/api/v1/brief/send',
  tags: ['reports'],
  summary:
    'Send the brief to the webhooks subscribed to weekly-brief (Slack: a summary with a link; JSON: the whole brief).',
  security: bearerSecurity,
  middleware: [requirePermission('reports:close')] as const,
  request: {
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z
            .object({
              week: weekText,
              link: z.string().url().max(2048).optional().openapi({
                description:
                  'Where readers open the brief; default: the dashboard’s /brief page on this server.',
              }),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    202: {
      description: 'Queued; follow each delivery under the webhook.',
      content: {
        'application/json': {
          schema: z.object({ notificationId: z.string(), week: z.string(), deliveries: z.number().int() }),
        },
      },
    },
    ...authErrors,
    ...invalid,
  },
});

export function briefRoutes(deps: Pick<Deps, 'repos' | 'clock'>) {
  return new OpenAPIHono<AppEnv>()
    .openapi(getRoute, async (c) => {
      const { week, format } = c.req.valid('query');
      const brief = await getBrief(
        { workspaceId: getPrincipal(c).workspaceId, ...(week ? { week } : {}) },
        deps,
      );
      if (format === 'markdown') {
        return c.body(renderBriefMarkdown(brief), 200, { 'content-type': 'text/markdown; charset=utf-8' });
      }
      if (format === 'html') {
        // The page is self-contained: nothing to load, nothing to run.
        return c.body(renderBriefHtml(brief), 200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        });
      }
      return c.json(brief, 200);
    })
    .openapi(sendRoute, async (c) => {
      const principal = getPrincipal(c);
      const body = c.req.header('content-type')?.includes('application/json') ? c.req.valid('json') : {};
      if (body.link !== undefined && !/^https?:\/\//i.test(body.link)) {
        throw new AppError('VALIDATION_FAILED', {
          message: 'link: only http and https links are allowed.',
          details: { field: 'link' },
        });
      }
      const sent = await sendBrief(
        {
          workspaceId: principal.workspaceId,
          ...(body.week ? { week: body.week } : {}),
          link: body.link ?? ((week) => `${new URL(c.req.url).origin}/brief?week=${week}`),
        },
        deps,
      );
      return c.json(
        { notificationId: sent.notificationId, week: sent.week, deliveries: sent.deliveries },
        202,
      );
    });
}
