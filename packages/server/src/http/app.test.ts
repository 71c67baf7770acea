import { Writable } from 'node:stream';
import { defaultAgreementYaml } from '@smarketing/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../test/test-runtime.ts';
import type { Deps } from '../deps.ts';
import { createApiKey } from '../use-cases/api-keys/create-api-key.ts';
import { bootstrapWorkspace } from '../use-cases/workspaces/bootstrap-workspace.ts';
import { createApp, type HttpApp } from './app.ts';

let deps: Deps & { close(): Promise<void> };
let http: HttpApp;
let adminToken: string;
let workspaceId: string;
const logLines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  deps = await openTestDeps({ logTo: sink });
  const first = await bootstrapWorkspace({ name: 'Acme' }, deps);
  if (!first.created) throw new Error('expected a new workspace');
  adminToken = first.adminToken;
  workspaceId = first.workspaceId;
  http = createApp(deps, { version: '0.0.0-test', maxBodyBytes: 64 * 1024, webDistDir: '/nonexistent' });
});

afterAll(async () => {
  await deps.close();
});

function call(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return http.app.request(path, { ...init, headers });
}

async function keyWithRole(role: string, inWorkspace = workspaceId) {
  const created = await createApiKey(
    { workspaceId: inWorkspace, name: `${role} key`, role, createdBy: 'test' },
    deps,
  );
  return created.token;
}

const changedAgreement = defaultAgreementYaml.replace(/firstTouchWithin: 24h/, 'firstTouchWithin: 8h');

describe('public routes', () => {
  test('healthz answers without a key', async () => {
    const response = await call('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version: '0.0.0-test' });
  });

  test('readyz reports the database', async () => {
    const response = await call('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', database: 'pglite' });
  });

  test('openapi.json describes the API routes and their security', async () => {
    const document = (await (await call('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/agreements',
        '/api/v1/agreements/{version}',
        '/api/v1/api-keys',
        '/api/v1/me',
      ]),
    );
    expect(document.components.securitySchemes.bearer).toBeDefined();
  });

  test('an unknown route answers 404 in the error shape', async () => {
    const response = await call('/nope', { token: adminToken });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('authentication', () => {
  test('a request without a key gets 401 and a challenge', async () => {
    const response = await call('/api/v1/agreements');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
    expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  test.each([
    ['a malformed token', 'not-a-token'],
    ['an unknown well-formed token', `smk_aaaaaaaaaaaa_${'A'.repeat(43)}`],
  ])('%s gets 401', async (_label, token) => {
    expect((await call('/api/v1/me', { token })).status).toBe(401);
  });

  test('a correct prefix with a wrong secret gets 401', async () => {
    const forged = `${adminToken.slice(0, 18)}${'B'.repeat(43)}`;
    expect((await call('/api/v1/me', { token: forged })).status).toBe(401);
  });

  test('HTTP Basic with the token as user name is accepted', async () => {
    const basic = Buffer.from(`${adminToken}:`).toString('base64');
    const response = await call('/api/v1/me', { headers: { authorization: `Basic ${basic}` } });
    expect(response.status).toBe(200);
  });

  test('a revoked key stops working at once', async () => {
    const token = await keyWithRole('viewer');
    const me = (await (await call('/api/v1/me', { token })).json()) as { apiKey: { id: string } };
    const revoked = await call(`/api/v1/api-keys/${me.apiKey.id}`, { method: 'DELETE', token: adminToken });
    expect(revoked.status).toBe(204);
    expect((await call('/api/v1/me', { token })).status).toBe(401);
  });

  test('the clear token never reaches the log', async () => {
    await call('/api/v1/me', { token: adminToken });
    const created = (await (
      await call('/api/v1/api-keys', {
        method: 'POST',
        token: adminToken,
        body: JSON.stringify({ name: 'ci', role: 'sales' }),
      })
    ).json()) as { token: string };
    const log = logLines.join('');
    expect(log).toContain('"path":"/api/v1/api-keys"');
    expect(log).not.toContain(adminToken);
    expect(log).not.toContain(created.token);
    expect(log).not.toContain(adminToken.slice(18));
  });
});

describe('roles', () => {
  test.each([
    ['viewer', 'POST', '/api/v1/agreements'],
    ['sales', 'POST', '/api/v1/agreements'],
    ['marketing', 'GET', '/api/v1/api-keys'],
    ['ingest', 'GET', '/api/v1/agreements'],
    ['ingest', 'GET', '/api/v1/agreements/current'],
  ])('a %s key gets 403 on %s %s', async (role, method, path) => {
    const token = await keyWithRole(role);
    const response = await call(path, {
      method,
      token,
      ...(method === 'POST' ? { body: JSON.stringify({ document: changedAgreement }) } : {}),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'FORBIDDEN', details: { role } } });
  });

  test('a viewer may read the current agreement', async () => {
    const response = await call('/api/v1/agreements/current', { token: await keyWithRole('viewer') });
    expect(response.status).toBe(200);
  });
});

describe('agreements', () => {
  test('applying stores the next version, and re-applying it stores nothing', async () => {
    const managerToken = await keyWithRole('manager');
    const applied = await call('/api/v1/agreements', {
      method: 'POST',
      token: managerToken,
      body: JSON.stringify({ document: changedAgreement, note: 'faster first touch' }),
    });
    expect(applied.status).toBe(201);
    const body = (await applied.json()) as { version: number; appliedBy: string; unchanged: boolean };
    expect(body).toMatchObject({ version: 2, unchanged: false });
    expect(body.appliedBy).toContain('manager key');

    const again = await call('/api/v1/agreements', {
      method: 'POST',
      token: managerToken,
      body: JSON.stringify({ document: changedAgreement }),
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ version: 2, unchanged: true });

    const list = (await (await call('/api/v1/agreements', { token: adminToken })).json()) as {
      versions: { version: number; note: string | null }[];
    };
    expect(list.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(list.versions[1]?.note).toBe('faster first touch');
  });

  test('diff shows what changed between versions', async () => {
    const response = await call('/api/v1/agreements/diff?from=1&to=2', { token: adminToken });
    expect(response.status).toBe(200);
    const diff = (await response.json()) as { changes: { path: string; before: unknown; after: unknown }[] };
    expect(diff.changes).toEqual([
      expect.objectContaining({
        kind: 'changed',
        before: '24h',
        after: '8h',
        path: expect.stringContaining('firstTouchWithin'),
      }),
    ]);
  });

  test('an invalid document is refused with the line of each problem, and nothing is stored', async () => {
    const broken = defaultAgreementYaml.replace('halfLifeDays: 30', 'halfLifeDays: -3');
    expect(broken).not.toBe(defaultAgreementYaml);
    const response = await call('/api/v1/agreements', {
      method: 'POST',
      token: adminToken,
      body: JSON.stringify({ document: broken }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { code: string; details: { issues: { line: number; pathText: string }[] } };
    };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.issues[0]?.pathText).toBe('interest.halfLifeDays');
    expect(body.error.details.issues[0]?.line).toBeGreaterThan(1);
    const current = (await (await call('/api/v1/agreements/current', { token: adminToken })).json()) as {
      version: number;
    };
    expect(current.version).toBe(2);
  });

  test('check validates without storing', async () => {
    const response = await call('/api/v1/agreements/check', {
      method: 'POST',
      token: adminToken,
      body: JSON.stringify({ document: 'stages: [' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ok: false,
      issues: [expect.objectContaining({ line: 1 })],
    });
  });

  test('an unknown version is 404 and a bad one 400', async () => {
    expect((await call('/api/v1/agreements/99', { token: adminToken })).status).toBe(404);
    expect((await call('/api/v1/agreements/zero', { token: adminToken })).status).toBe(400);
  });
});

describe('request bodies', () => {
  test('malformed JSON is a 400 in the error shape', async () => {
    const response = await call('/api/v1/agreements/check', {
      method: 'POST',
      token: adminToken,
      body: '{"document":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  test('a body over the limit is a 413', async () => {
    const response = await call('/api/v1/agreements/check', {
      method: 'POST',
      token: adminToken,
      body: JSON.stringify({ document: 'x'.repeat(70 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  test('a missing field names the field', async () => {
    const response = await call('/api/v1/api-keys', {
      method: 'POST',
      token: adminToken,
      body: JSON.stringify({ name: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { details: { issues: [expect.objectContaining({ path: ['role'] })] } },
    });
  });
});

describe('workspace isolation', () => {
  test("a key of another workspace sees none of this workspace's versions or keys", async () => {
    await deps.repos.workspaces.create({
      id: crypto.randomUUID(),
      slug: 'other',
      name: 'Other',
      createdAt: new Date(),
    });
    const other = await deps.repos.workspaces.findBySlug('other');
    if (!other) throw new Error('workspace not created');
    const otherAdmin = await keyWithRole('admin', other.id);

    const versions = (await (await call('/api/v1/agreements', { token: otherAdmin })).json()) as {
      versions: unknown[];
    };
    expect(versions.versions).toEqual([]);
    expect((await call('/api/v1/agreements/1', { token: otherAdmin })).status).toBe(404);

    const keys = (await (await call('/api/v1/api-keys', { token: adminToken })).json()) as {
      apiKeys: { id: string }[];
    };
    const someKey = keys.apiKeys[0];
    if (!someKey) throw new Error('expected keys');
    expect(
      (await call(`/api/v1/api-keys/${someKey.id}`, { method: 'DELETE', token: otherAdmin })).status,
    ).toBe(404);
    expect((await call('/api/v1/me', { token: adminToken })).status).toBe(200);
  });
});

describe('drain', () => {
  test('waits for in-flight requests, and readiness turns 503 meanwhile', async () => {
    const draining = createApp(deps, { version: 'x', maxBodyBytes: 1024, webDistDir: '/nonexistent' });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    draining.app.get('/slow', async (c) => {
      await gate;
      return c.text('finished');
    });

    const slow = draining.app.request('/slow');
    await new Promise((resolve) => setTimeout(resolve, 10));
    let drained = false;
    const done = draining.drain(5_000).then((result) => {
      drained = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drained).toBe(false);
    expect((await draining.app.request('/readyz')).status).toBe(503);

    release();
    expect(await (await slow).text()).toBe('finished');
    expect(await done).toEqual({ drained: true, inFlight: 0 });
  });

  test('gives up after the timeout and says how many requests were left', async () => {
    const stuck = createApp(deps, { version: 'x', maxBodyBytes: 1024, webDistDir: '/nonexistent' });
    stuck.app.get('/stuck', () => new Promise<Response>(() => {}));
    void stuck.app.request('/stuck');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await stuck.drain(30)).toEqual({ drained: false, inFlight: 1 });
  });
});
