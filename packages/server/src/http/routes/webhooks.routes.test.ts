import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { createApiKey } from '../../use-cases/api-keys/create-api-key.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

const now = new Date('2027-03-01T12:00:00Z');
let deps: Deps & { close(): Promise<void> };
let http: HttpApp;
let strictHttp: HttpApp;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const a = await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps);
  const b = await createWorkspace({ name: 'Beta', createdBy: 'test' }, deps);
  tokens.admin = a.adminToken;
  tokens.otherAdmin = b.adminToken;
  for (const role of ['manager', 'marketing', 'sales', 'viewer', 'ingest']) {
    tokens[role] = (
      await createApiKey({ workspaceId: a.workspaceId, name: role, role, createdBy: 'test' }, deps)
    ).token;
  }
  const appOptions = { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' };
  http = createApp(deps, { ...appOptions, webhookAllowPrivate: true });
  strictHttp = createApp(deps, appOptions);
});

afterAll(async () => {
  await deps.close();
});

/** The fields the answers of these routes have (each answer has some). */
type Answer = {
  error: { code: string; message: string; details: unknown };
  webhooks: { id: string; active: boolean }[];
  deliveries: Record<string, unknown>[];
  id: string;
  secret: string | null;
  deliveryId: string;
  notificationId: string;
};

async function call(
  path: string,
  init: { token?: string | undefined; body?: unknown; method?: string; app?: HttpApp } = {},
) {
  const headers = new Headers();
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await (init.app ?? http).app.request(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Answer };
}

const jsonHook = { url: 'http://127.0.0.1:9/hooks/smarketing', kinds: ['hot-lead-routed', 'sla-breached'] };

describe('webhook routes', () => {
  test.each([
    ['GET', '/api/v1/webhooks'],
    ['POST', '/api/v1/webhooks'],
    ['DELETE', '/api/v1/webhooks/0194f5a0-0000-7000-8000-000000000001'],
    ['GET', '/api/v1/webhooks/0194f5a0-0000-7000-8000-000000000001/deliveries'],
    ['POST', '/api/v1/webhooks/0194f5a0-0000-7000-8000-000000000001/test'],
  ])('%s %s needs an API key (401) of an admin or a manager (403)', async (method, path) => {
    const body = method === 'POST' ? jsonHook : undefined;
    expect((await call(path, { method, body })).status).toBe(401);
    expect((await call(path, { method, body, token: 'smk_nope_nope' })).status).toBe(401);
    for (const role of ['viewer', 'sales', 'marketing', 'ingest']) {
      const refused = await call(path, { method, body, token: tokens[role] });
      expect(refused.status).toBe(403);
      expect(refused.body.error.details).toMatchObject({
        permission: 'webhook:manage',
        allowedRoles: ['admin', 'manager'],
      });
    }
  });

  test('returns the signing secret at creation only', async () => {
    const created = await call('/api/v1/webhooks', { body: jsonHook, token: tokens.manager });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: 'http://127.0.0.1:9/hooks/smarketing',
      format: 'json',
      kinds: ['hot-lead-routed', 'sla-breached'],
      active: true,
      createdAt: now.toISOString(),
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const listed = await call('/api/v1/webhooks', { token: tokens.admin });
    expect(listed.status).toBe(200);
    const mine = listed.body.webhooks.find((webhook) => webhook.id === created.body.id);
    expect(mine).toEqual({
      id: created.body.id,
      url: 'http://127.0.0.1:9/hooks/smark…',
      format: 'json',
      kinds: ['hot-lead-routed', 'sla-breached'],
      active: true,
      createdAt: now.toISOString(),
    });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect(JSON.stringify((await call('/openapi.json')).body)).toContain('/api/v1/webhooks/{id}/deliveries');
  });

  test('creates Slack webhooks without a secret', async () => {
    const created = await call('/api/v1/webhooks', {
      body: { url: 'http://127.0.0.1:9/services/T0/B0/xyz', format: 'slack' },
      token: tokens.admin,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ format: 'slack', kinds: [], secret: null });
  });

  test.each([
    [{ url: 'ftp://example.com/x' }, 'only http and https'],
    [{ url: 'https://user:pw@example.com/x' }, 'credentials'],
    [{ url: 'not a url' }, 'not an absolute URL'],
    [{ url: 'https://example.com/x', format: 'xml' }, 'format'],
    [{ url: 'https://example.com/x', kinds: ['everything'] }, 'kinds'],
  ])('refuses %j with 400', async (body, message) => {
    const refused = await call('/api/v1/webhooks', { body, token: tokens.admin });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    expect(refused.body.error.message).toContain(message);
  });

  test('refuses loopback and private URLs unless the server allows them', async () => {
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://169.254.169.254/latest',
      'http://[::1]/x',
      'http://localhost/x',
    ]) {
      const refused = await call('/api/v1/webhooks', { body: { url }, token: tokens.admin, app: strictHttp });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain('SMARKETING_WEBHOOK_ALLOW_PRIVATE');
    }
  });

  test('queues a test notification, lists its delivery, and deletes (deactivates) the webhook', async () => {
    const created = await call('/api/v1/webhooks', { body: jsonHook, token: tokens.admin });
    const id = created.body.id;

    const queued = await call(`/api/v1/webhooks/${id}/test`, { method: 'POST', token: tokens.manager });
    expect(queued.status).toBe(202);
    const deliveries = await call(`/api/v1/webhooks/${id}/deliveries`, { token: tokens.manager });
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.deliveries).toEqual([
      {
        id: queued.body.deliveryId,
        notificationId: queued.body.notificationId,
        kind: 'test',
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now.toISOString(),
        lastStatusCode: null,
        lastError: null,
        deliveredAt: null,
        createdAt: now.toISOString(),
      },
    ]);

    expect((await call(`/api/v1/webhooks/${id}`, { method: 'DELETE', token: tokens.admin })).status).toBe(
      204,
    );
    expect((await call(`/api/v1/webhooks/${id}`, { method: 'DELETE', token: tokens.admin })).status).toBe(
      404,
    );
    expect((await call(`/api/v1/webhooks/${id}/test`, { method: 'POST', token: tokens.admin })).status).toBe(
      404,
    );
    const after = await call(`/api/v1/webhooks/${id}/deliveries?limit=5`, { token: tokens.admin });
    expect(after.body.deliveries[0]).toMatchObject({
      status: 'failed',
      lastError: 'The webhook was deleted.',
    });
    const listed = await call('/api/v1/webhooks', { token: tokens.admin });
    expect(listed.body.webhooks.find((webhook) => webhook.id === id)?.active).toBe(false);
  });

  test("keeps each workspace's webhooks to itself", async () => {
    const created = await call('/api/v1/webhooks', { body: jsonHook, token: tokens.admin });
    const id = created.body.id;
    const other = tokens.otherAdmin;
    expect((await call('/api/v1/webhooks', { token: other })).body.webhooks).toEqual([]);
    expect((await call(`/api/v1/webhooks/${id}/deliveries`, { token: other })).status).toBe(404);
    expect((await call(`/api/v1/webhooks/${id}/test`, { method: 'POST', token: other })).status).toBe(404);
    expect((await call(`/api/v1/webhooks/${id}`, { method: 'DELETE', token: other })).status).toBe(404);
    expect((await call('/api/v1/webhooks/not-a-uuid/deliveries', { token: tokens.admin })).status).toBe(404);
  });
});
