import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { createUser } from '../../use-cases/users/create-user.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

let now = new Date('2027-03-01T12:00:00Z');
let deps: Deps & { close(): Promise<void> };
let http: HttpApp;
let adminToken: string;
let workspaceId: string;
const password = 'a long enough password';

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const created = await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps);
  adminToken = created.adminToken;
  workspaceId = created.workspaceId;
  for (const [email, role, repId] of [
    ['alex@acme.example', 'sales', 'alex'],
    ['val@acme.example', 'viewer', undefined],
  ] as const) {
    await createUser({ workspaceId, email, name: email, role, repId, password, createdBy: 'test' }, deps);
  }
  http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
});

afterAll(async () => {
  await deps.close();
});

type Answer = Record<string, unknown> & { error: { code: string; message: string; details?: unknown } };

async function call(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    cookie?: string;
    csrf?: string;
    token?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  if (init.cookie) headers.set('cookie', init.cookie);
  if (init.csrf) headers.set('x-csrf-token', init.csrf);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const response = await http.app.request(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : {}) as Answer,
  };
}

async function signIn(email: string, secret = password, headers: Record<string, string> = {}) {
  const answer = await call('/api/v1/session', { body: { email, password: secret }, headers });
  const setCookie = answer.headers.get('set-cookie') ?? '';
  return {
    ...answer,
    setCookie,
    cookie: setCookie.split(';')[0] ?? '',
    csrf: answer.body.csrfToken as string,
  };
}

describe('dashboard sessions', () => {
  test('signing in sets an HttpOnly, SameSite=Strict cookie and answers the user and a CSRF token', async () => {
    const session = await signIn('Alex@Acme.example');
    expect(session.status).toBe(200);
    expect(session.setCookie).toMatch(/^smk_session=[A-Za-z0-9_-]{43};/);
    expect(session.setCookie).toContain('HttpOnly');
    expect(session.setCookie).toContain('SameSite=Strict');
    expect(session.setCookie).toContain('Path=/');
    expect(session.setCookie).not.toContain('Secure');
    expect(session.body).toMatchObject({
      user: { email: 'alex@acme.example', role: 'sales', repId: 'alex' },
      workspace: { id: workspaceId, slug: 'acme' },
    });
    const current = await call('/api/v1/session', { cookie: session.cookie });
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ user: { repId: 'alex' }, csrfToken: session.csrf });
  });

  test('marks the cookie Secure behind a proxy that says the request was https', async () => {
    const session = await signIn('alex@acme.example', password, { 'x-forwarded-proto': 'https' });
    expect(session.setCookie).toContain('Secure');
  });

  test('answers the same error for an unknown e-mail and a wrong password', async () => {
    const unknown = await signIn('nobody@acme.example');
    const wrong = await signIn('alex@acme.example', 'not the password');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body.error).toEqual(wrong.body.error);
    expect(unknown.setCookie).toBe('');
  });

  test('limits failed sign-ins per e-mail and address', async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await signIn('val@acme.example', 'wrong password!')).status).toBe(401);
    }
    const limited = await signIn('val@acme.example', password);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('900');
    now = new Date(now.getTime() + 15 * 60_000);
    expect((await signIn('val@acme.example')).status).toBe(200);
  });

  test('requires the CSRF token on state-changing requests made with the cookie, not with an API key', async () => {
    const session = await signIn('alex@acme.example');
    const touch = {
      touches: [
        {
          contact: { email: 'lead@client.example' },
          repId: 'alex',
          kind: 'call',
          occurredAt: now.toISOString(),
        },
      ],
    };
    const without = await call('/api/v1/touches', { body: touch, cookie: session.cookie });
    expect(without.status).toBe(403);
    expect(without.body.error.details).toEqual({ csrf: 'missing-or-wrong' });
    const wrong = await call('/api/v1/touches', {
      body: touch,
      cookie: session.cookie,
      csrf: 'x'.repeat(43),
    });
    expect(wrong.status).toBe(403);
    const right = await call('/api/v1/touches', { body: touch, cookie: session.cookie, csrf: session.csrf });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ created: 1 });
    expect((await call('/api/v1/touches', { body: touch, token: adminToken })).status).toBe(200);
  });

  test("refuses a viewer's writes even with the CSRF token", async () => {
    const session = await signIn('val@acme.example');
    const refused = await call('/api/v1/feedback', {
      body: { feedback: [] },
      cookie: session.cookie,
      csrf: session.csrf,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
  });

  test('signing out revokes the session', async () => {
    const session = await signIn('alex@acme.example');
    expect((await call('/api/v1/session', { method: 'DELETE', cookie: session.cookie })).status).toBe(403);
    const out = await call('/api/v1/session', {
      method: 'DELETE',
      cookie: session.cookie,
      csrf: session.csrf,
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^smk_session=;/);
    expect((await call('/api/v1/session', { cookie: session.cookie })).status).toBe(401);
  });

  test('ends a session after 12 idle hours, and 7 days after sign-in whatever happens', async () => {
    const idle = await signIn('alex@acme.example');
    now = new Date(now.getTime() + 12 * 3_600_000 + 1_000);
    expect((await call('/api/v1/session', { cookie: idle.cookie })).status).toBe(401);

    const busy = await signIn('alex@acme.example');
    for (let hour = 0; hour < 7 * 24 - 10; hour += 10) {
      now = new Date(now.getTime() + 10 * 3_600_000);
      expect((await call('/api/v1/session', { cookie: busy.cookie })).status).toBe(200);
    }
    now = new Date(now.getTime() + 11 * 3_600_000);
    expect((await call('/api/v1/session', { cookie: busy.cookie })).status).toBe(401);
  });
});

describe('/api/v1/users', () => {
  test('an admin creates a user with a generated password, recorded in the audit log', async () => {
    const created = await call('/api/v1/users', {
      token: adminToken,
      body: { email: 'Sam@Acme.example', name: 'Sam Chen', role: 'sales', repId: 'sam' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ user: { email: 'sam@acme.example', role: 'sales', repId: 'sam' } });
    const generated = created.body.password as string;
    expect(generated).toHaveLength(20);
    expect((await signIn('sam@acme.example', generated)).status).toBe(200);

    const audit = await deps.repos.audit.list(workspaceId, { action: 'user.create', limit: 10 });
    expect(audit.map((entry) => entry.detail)).toContainEqual({
      email: 'sam@acme.example',
      name: 'Sam Chen',
      role: 'sales',
      repId: 'sam',
    });
    expect(audit.find((entry) => entry.target === (created.body.user as { id: string }).id)?.actor).toMatch(
      /^api-key /,
    );
  });

  test('refuses an unknown rep, a taken e-mail, and callers who are not admins', async () => {
    const unknownRep = await call('/api/v1/users', {
      token: adminToken,
      body: { email: 'x@acme.example', name: 'X', role: 'sales', repId: 'nobody' },
    });
    expect(unknownRep.status).toBe(400);
    expect(unknownRep.body.error.details).toMatchObject({ field: 'repId' });
    const taken = await call('/api/v1/users', {
      token: adminToken,
      body: { email: 'alex@acme.example', name: 'Alex', role: 'sales' },
    });
    expect(taken.status).toBe(409);
    const session = await signIn('alex@acme.example');
    const notAdmin = await call('/api/v1/users', {
      cookie: session.cookie,
      csrf: session.csrf,
      body: { email: 'y@acme.example', name: 'Y', role: 'viewer' },
    });
    expect(notAdmin.status).toBe(403);
  });
});
