import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describePrincipal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';
import { deliveryStatuses, notificationKinds, webhookFormats } from '../../notify/notification-kinds.ts';
import { createWebhook } from '../../use-cases/webhooks/create-webhook.ts';
import { deleteWebhook } from '../../use-cases/webhooks/delete-webhook.ts';
import { listWebhookDeliveries } from '../../use-cases/webhooks/list-webhook-deliveries.ts';
import { listWebhooks } from '../../use-cases/webhooks/list-webhooks.ts';
import { sendTestNotification } from '../../use-cases/webhooks/send-test-notification.ts';
import { type AppEnv, getPrincipal } from '../app-env.ts';
import { requirePermission } from '../auth.ts';
import { authErrors, bearerSecurity, invalid, notFound } from './common.ts';

const kindsSchema = z.array(z.enum(notificationKinds)).openapi({
  description: 'The notification kinds it receives; empty means all.',
});

const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string().openapi({ description: 'Shortened: the path of an incoming-webhook URL is a secret.' }),
    format: z.enum(webhookFormats),
    kinds: kindsSchema,
    active: z.boolean(),
    createdAt: z.string().datetime(),
  })
  .openapi('Webhook');

const deliverySchema = z
  .object({
    id: z.string().openapi({ description: 'Sent as Smarketing-Delivery; the same on every retry.' }),
    notificationId: z.string(),
    kind: z.string().nullable(),
    status: z.enum(deliveryStatuses),
    attempts: z.number().int(),
    nextAttemptAt: z.string().datetime().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().datetime().nullable(),
    createdAt: z.string().datetime(),
  })
  .openapi('WebhookDelivery');

const idParams = z.object({ id: z.string().min(1).max(100) });

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/webhooks',
  tags: ['webhooks'],
  summary: "The workspace's webhooks (never their secrets).",
  security: bearerSecurity,
  middleware: [requirePermission('webhook:manage')] as const,
  responses: {
    200: {
      description: 'The webhooks, deactivated ones included.',
      content: { 'application/json': { schema: z.object({ webhooks: z.array(webhookSchema) }) } },
    },
    ...authErrors,
  },
});

const createWebhookRoute = createRoute({
  method: 'post',
  path: '/api/v1/webhooks',
  tags: ['webhooks'],
  summary:
    'Send notifications to a URL, as signed JSON or as Slack messages. The secret is in this answer only.',
  security: bearerSecurity,
  middleware: [requirePermission('webhook:manage')] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            url: z.string().min(1).max(2048).openapi({ example: 'https://crm.example.com/hooks/smarketing' }),
            format: z.enum(webhookFormats).default('json'),
            kinds: kindsSchema.max(notificationKinds.length).default([]),
          }),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'Created.',
      content: {
        'application/json': {
          schema: webhookSchema.omit({ url: true }).extend({
            url: z.string(),
            secret: z.string().nullable().openapi({
              description:
                'HMAC-SHA256 key of the Smarketing-Signature header (json format). Shown once; store it now.',
            }),
          }),
        },
      },
    },
    ...invalid,
    ...authErrors,
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/api/v1/webhooks/{id}',
  tags: ['webhooks'],
  summary: 'Deactivate a webhook; its pending deliveries are dropped.',
  security: bearerSecurity,
  middleware: [requirePermission('webhook:manage')] as const,
  request: { params: idParams },
  responses: {
    204: { description: 'Deactivated.' },
    ...authErrors,
    ...notFound,
  },
});

const deliveriesRoute = createRoute({
  method: 'get',
  path: '/api/v1/webhooks/{id}/deliveries',
  tags: ['webhooks'],
  summary: "A webhook's deliveries, newest first.",
  security: bearerSecurity,
  middleware: [requirePermission('webhook:manage')] as const,
  request: {
    params: idParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
  },
  responses: {
    200: {
      description: 'The deliveries.',
      content: { 'application/json': { schema: z.object({ deliveries: z.array(deliverySchema) }) } },
    },
    ...invalid,
    ...authErrors,
    ...notFound,
  },
});

const testRoute = createRoute({
  method: 'post',
  path: '/api/v1/webhooks/{id}/test',
  tags: ['webhooks'],
  summary: 'Queue a test notification to this webhook.',
  security: bearerSecurity,
  middleware: [requirePermission('webhook:manage')] as const,
  request: { params: idParams },
  responses: {
    202: {
      description: 'Queued; follow it in the deliveries.',
      content: {
        'application/json': {
          schema: z.object({ notificationId: z.string(), deliveryId: z.string() }),
        },
      },
    },
    ...authErrors,
    ...notFound,
  },
});

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function webhookRoutes(
  deps: Pick<Deps, 'repos' | 'clock' | 'database'>,
  options: { allowPrivateUrls: boolean },
) {
  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      const webhooks = await listWebhooks({ workspaceId: getPrincipal(c).workspaceId }, deps);
      return c.json(
        {
          webhooks: webhooks.map((webhook) => ({
            ...webhook,
            createdAt: webhook.createdAt.toISOString(),
          })),
        },
        200,
      );
    })
    .openapi(createWebhookRoute, async (c) => {
      const body = c.req.valid('json');
      const principal = getPrincipal(c);
      const created = await createWebhook(
        {
          workspaceId: principal.workspaceId,
          ...body,
          allowPrivateUrls: options.allowPrivateUrls,
          createdBy: describePrincipal(principal),
        },
        deps,
      );
      return c.json({ ...created, createdAt: created.createdAt.toISOString() }, 201);
    })
    .openapi(deleteRoute, async (c) => {
      const principal = getPrincipal(c);
      await deleteWebhook(
        {
          workspaceId: principal.workspaceId,
          id: c.req.valid('param').id,
          deletedBy: describePrincipal(principal),
        },
        deps,
      );
      return c.body(null, 204);
    })
    .openapi(deliveriesRoute, async (c) => {
      const deliveries = await listWebhookDeliveries(
        {
          workspaceId: getPrincipal(c).workspaceId,
          webhookId: c.req.valid('param').id,
          limit: c.req.valid('query').limit,
        },
        deps,
      );
      return c.json(
        {
          deliveries: deliveries.map((delivery) => ({
            id: delivery.id,
            notificationId: delivery.notificationId,
            kind: delivery.kind,
            status: delivery.status,
            attempts: delivery.attempts,
            nextAttemptAt: iso(delivery.nextAttemptAt),
            lastStatusCode: delivery.lastStatusCode,
            lastError: delivery.lastError,
            deliveredAt: iso(delivery.deliveredAt),
            createdAt: delivery.createdAt.toISOString(),
          })),
        },
        200,
      );
    })
    .openapi(testRoute, async (c) => {
      const queued = await sendTestNotification(
        { workspaceId: getPrincipal(c).workspaceId, webhookId: c.req.valid('param').id },
        deps,
      );
      return c.json(queued, 202);
    });
}
