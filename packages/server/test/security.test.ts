import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type HttpApp } from '../src/http/app.ts';
import { createApiKey } from '../src/use-cases/api-keys/create-api-key.ts';
import { createUser } from '../src/use-cases/users/create-user.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { openTestDeps } from './test-runtime.ts';

/**
 * The security guarantees of docs/SECURITY.md that are not tested next to their code: secrets
 * never in storage, logs or error bodies; security headers and the CSP the built dashboard
 * works under; CORS denied unless configured; the operator token in front of process-wide
 * metrics and whole-database backups; metrics of a workspace hold nothing of another.
 */
const now = new Date('2027-03-01T12:00:00Z');
const operatorToken = 'operator-secret-0123456789abcdef0123456789abcdef';
const password = 'correct horse battery staple 42';
const webDist = fileURLToPath(new URL('../../web/dist', import.meta.url));
const logLines: string[] = [];
let deps: Awaited<ReturnType<typeof openTestDeps>>;
let http: HttpApp;
const alpha = { id: '', admin: '', ingest: '' };
const bravo = { id: '', admin: '', ingest: '' };

async function request(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
) {
  return http.app.request(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  const logTo = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  deps = await openTestDeps({ clock: () => now, logTo });
  for (const [workspace, name] of [
    [alpha, 'Alpha'],
    [bravo, 'Bravo'],
  ] as const) {
    const created = await createWorkspace({ name, createdBy: 'test' }, deps);
    workspace.id = created.workspaceId;
    workspace.admin = created.adminToken;
    workspace.ingest = (
      await createApiKey(
        { workspaceId: created.workspaceId, name: 'segment', role: 'ingest', createdBy: 'test' },
        deps,
      )
    ).token;
  }
  await createUser(
    {
      workspaceId: alpha.id,
      email: 'ops@alpha.example',
      name: 'Ops',
      role: 'admin',
      password,
      createdBy: 'test',
    },
    deps,
  );
  http = createApp(deps, {
    version: 'test',
    maxBodyBytes: 1 << 20,
    webDistDir: webDist,
    operatorToken,
    corsOrigins: ['https://crm.alpha.example'],
  });
});

afterAll(async () => {
  await deps.close();
});

describe('secrets', () => {
  test('tokens carry 256 random bits and are stored only as hashes', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        createApiKey({ workspaceId: alpha.id, name: `k${index}`, role: 'viewer', createdBy: 'test' }, deps),
      ),
    );
    const secretOf = (token: string) => /^smk_[a-z0-9]{12}_(.+)$/.exec(token)?.[1] ?? '';
    const secrets = tokens.map((created) => secretOf(created.token));
    expect(new Set(secrets).size).toBe(20);
    for (const secret of secrets) expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    const stored = (
      (await deps.database.db.execute(sql`select t::text as row from api_keys t`)) as unknown as {
        rows: { row: string }[];
      }
    ).rows.map((row) => row.row);
    for (const created of tokens) {
      expect(stored.some((row) => row.includes(secretOf(created.token)))).toBe(false);
    }
  });

  test('never appear in logs or error bodies, whether right or wrong', async () => {
    const wrong = `${alpha.admin.slice(0, -4)}AAAA`;
    const answers: string[] = [];
    for (const headers of [
      bearer(alpha.admin),
      bearer(wrong),
      { authorization: `Basic ${Buffer.from(`${alpha.ingest}:`).toString('base64')}` },
      bearer(operatorToken),
      { authorization: `Bearer ${'x'.repeat(40)}` },
    ]) {
      for (const path of [
        '/api/v1/workspace',
        '/api/v1/contacts/00000000-0000-0000-0000-000000000000',
        '/metrics',
      ]) {
        const response = await request(path, { headers });
        answers.push(await response.text());
      }
    }
    const signIn = await request('/api/v1/session', { body: { email: 'ops@alpha.example', password } });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const sessionToken = cookie.split('=')[1] ?? '';
    expect(sessionToken.length).toBeGreaterThan(20);
    answers.push(await (await request('/api/v1/workspace', { headers: { cookie } })).text());
    const badSignIn = await request('/api/v1/session', {
      body: { email: 'ops@alpha.example', password: `${password}!` },
    });
    answers.push(await badSignIn.text());

    const logged = logLines.join('');
    expect(logged).toContain('"path":"/api/v1/workspace"');
    for (const secret of [
      alpha.admin,
      wrong,
      alpha.ingest,
      operatorToken,
      password,
      sessionToken,
      'x'.repeat(40),
    ]) {
      expect(logged).not.toContain(secret);
      for (const answer of answers) expect(answer).not.toContain(secret);
    }
  });
});

describe('headers', () => {
  test('the dashboard and the API answer with a CSP and the usual hardening headers', async () => {
    for (const path of ['/', '/api/v1/workspace', '/healthz']) {
      const response = await request(path, { headers: bearer(alpha.admin) });
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  test('the built dashboard loads only same-origin scripts and styles, so the CSP lets it run', () => {
    const html = readFileSync(`${webDist}/index.html`, 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(body?.trim(), 'an inline script would be blocked').toBe('');
      expect(attributes).toMatch(/src="\/[^/]/);
    }
    for (const [, href] of html.matchAll(/<link\b[^>]*href="([^"]+)"/g)) expect(href).toMatch(/^\/[^/]/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});

describe('CORS', () => {
  test('answers no cross-origin grant to an origin that is not configured', async () => {
    const preflight = await request('/api/v1/workspace', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await request('/api/v1/workspace', {
      headers: { origin: 'https://evil.example', ...bearer(alpha.admin) },
    });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('grants a configured origin, without credentials, and nothing when none is configured', async () => {
    const preflight = await request('/api/v1/workspace', {
      method: 'OPTIONS',
      headers: { origin: 'https://crm.alpha.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://crm.alpha.example');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const closed = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
    const refused = await closed.app.request('/api/v1/workspace', {
      method: 'OPTIONS',
      headers: { origin: 'https://crm.alpha.example', 'access-control-request-method': 'GET' },
    });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('metrics and the operator token', () => {
  test("a workspace's admin sees its own series only; the operator sees the process", async () => {
    const send = (token: string, prefix: string, count: number) =>
      request('/v1/batch', {
        headers: bearer(token),
        body: {
          batch: [
            ...Array.from({ length: count }, (_, index) => ({
              type: 'track',
              event: 'Pricing Viewed',
              anonymousId: `${prefix}-visitor`,
              messageId: `${prefix}-${index}`,
            })),
            { type: 'bogus', messageId: `${prefix}-bad` },
          ],
        },
      });
    expect((await send(alpha.ingest, 'alpha', 3)).status).toBe(200);
    expect((await send(bravo.ingest, 'bravo', 7)).status).toBe(200);
    expect((await send(bravo.ingest, 'bravo', 7)).status).toBe(200);

    const alphaView = await (await request('/metrics', { headers: bearer(alpha.admin) })).text();
    expect(alphaView).toMatch(/^smarketing_ingest_stored_messages_total 3$/m);
    expect(alphaView).toMatch(/^smarketing_ingest_duplicate_messages_total 0$/m);
    expect(alphaView).toMatch(/^smarketing_ingest_dropped_messages_total\{reason="unknown-type"\} 1$/m);
    expect(alphaView).toMatch(/^smarketing_sla_breaches_total \d+$/m);
    expect(alphaView).toMatch(/^smarketing_engine_pending_facts [1-9]\d*$/m);
    expect(alphaView).not.toMatch(/bravo|queued_messages|process_resident/i);
    // Its own requests' latency, by route template, never another workspace's.
    expect(alphaView).toMatch(
      /smarketing_http_request_duration_seconds_count\{route="\/v1\/batch",method="POST",status="200"\} 1$/m,
    );

    const operatorView = await (await request('/metrics', { headers: bearer(operatorToken) })).text();
    expect(operatorView).toMatch(/^smarketing_ingest_stored_messages_total 10$/m);
    expect(operatorView).toMatch(/^smarketing_ingest_duplicate_messages_total 7$/m);
    expect(operatorView).toMatch(/^smarketing_ingest_dropped_messages_total\{reason="unknown-type"\} 3$/m);
    expect(operatorView).toMatch(/^smarketing_ingest_queued_messages 0$/m);
    expect(operatorView).toMatch(/^smarketing_engine_pending_facts\{workspace="bravo"\} [1-9]/m);
    expect(operatorView).toMatch(/^smarketing_process_resident_memory_bytes [1-9]/m);
    expect(operatorView).toMatch(
      /smarketing_http_request_duration_seconds_bucket\{route="\/v1\/batch",method="POST",status="200",le="\+Inf"\} 3$/m,
    );
    const contactRoute = await request('/api/v1/contacts/00000000-0000-0000-0000-000000000000', {
      headers: bearer(alpha.admin),
    });
    expect(contactRoute.status).toBe(404);
    expect(await (await request('/metrics', { headers: bearer(operatorToken) })).text()).toContain(
      'route="/api/v1/contacts/{id}"',
    );

    const ingestKey = await request('/metrics', { headers: bearer(alpha.ingest) });
    expect(ingestKey.status).toBe(403);
    expect((await request('/metrics', { headers: bearer(`${operatorToken}x`) })).status).toBe(401);
  });

  test('whole-database backups are for the operator token only', async () => {
    for (const headers of [{}, bearer(alpha.admin), bearer(`${operatorToken.slice(0, -1)}0`)]) {
      expect((await request('/admin/v1/backup', { method: 'POST', headers })).status).toBe(401);
    }
    const closed = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
    const disabled = await closed.app.request('/admin/v1/backup', {
      method: 'POST',
      headers: bearer(operatorToken),
    });
    expect(disabled.status).toBe(403);

    const response = await request('/admin/v1/backup', { method: 'POST', headers: bearer(operatorToken) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    const text = gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8');
    const lines = text.trimEnd().split('\n');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ $type: 'header', format: 'smarketing-backup' });
    const manifest = JSON.parse(lines.at(-1) ?? '{}') as { tables: { name: string; rows: number }[] };
    expect(manifest.tables.find((table) => table.name === 'workspaces')?.rows).toBe(2);
    expect(Number(response.headers.get('x-smarketing-backup-rows'))).toBe(
      manifest.tables.reduce((sum, table) => sum + table.rows, 0),
    );
  });
});
