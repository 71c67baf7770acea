import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { runEngineUntilCaughtUp } from '../../use-cases/engine/run-engine.ts';
import { ingestMessages } from '../../use-cases/ingest/ingest-messages.ts';
import { createUser } from '../../use-cases/users/create-user.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

// A Monday morning in New York: hot leads get 24 business hours for a first touch.
let now = new Date('2027-03-01T14:00:00Z');
let deps: Deps & { close(): Promise<void> };
let http: HttpApp;
let adminToken: string;
let workspaceId: string;
let otherWorkspaceToken: string;
const password = 'a long enough password';

type Session = { cookie: string; csrf: string };
type Answer = Record<string, unknown> & { error: { code: string; message: string; details: unknown } };
type QueueAnswer = { items: { contactId: string; email: string; clock: { deadlineAt: string } | null }[] };
type TimelineAnswer = { entries: { source: string; kind: string; data: Record<string, unknown> }[] };
type ReassignAnswer = {
  reassignmentId: string;
  contactId: string;
  toRepId: string;
  fromRepId: string | null;
  reason: string | null;
  duplicate: boolean;
};
type AuditAnswer = { entries: { action: string; actor: string; target: string | null; detail: unknown }[] };
type ContactAnswer = {
  lead: {
    owner: { repId: string | null } | null;
    clock: { repId: string | null; status: string; startedAt: string } | null;
    assignments: { repId: string | null; reasonKind: string }[];
  } | null;
};

async function call<T = Answer>(
  path: string,
  init: { body?: unknown; session?: Session; token?: string } = {},
) {
  const headers = new Headers();
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  if (init.session) {
    headers.set('cookie', init.session.cookie);
    headers.set('x-csrf-token', init.session.csrf);
  }
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const response = await http.app.request(path, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T & Answer };
}

async function signIn(email: string): Promise<Session> {
  const response = await http.app.request('/api/v1/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json()) as { csrfToken: string };
  return { cookie: response.headers.get('set-cookie')?.split(';')[0] ?? '', csrf: body.csrfToken };
}

const minutes = (count: number) => new Date(now.getTime() - count * 60_000).toISOString();

/** A hot lead: reads the pricing page, identifies and asks for a demo. */
async function arrive(userId: string, email: string, name: string) {
  const outcome = await ingestMessages(
    {
      workspaceId,
      messages: [
        {
          type: 'page',
          userId,
          properties: { path: '/pricing', title: 'Pricing' },
          timestamp: minutes(30),
          messageId: `${userId}-1`,
        },
        {
          type: 'identify',
          userId,
          traits: { email, name, title: 'VP of Marketing', employees: 200, industry: 'Software' },
          timestamp: minutes(20),
          messageId: `${userId}-2`,
        },
        { type: 'track', userId, event: 'Demo Requested', timestamp: minutes(10), messageId: `${userId}-3` },
      ],
    },
    deps,
  );
  expect(outcome.dropped).toEqual([]);
  await runEngineUntilCaughtUp(deps, { workspaceId });
}

async function contactIdOf(email: string): Promise<string> {
  for (const rep of ['alex', 'sam', 'riley']) {
    const queue = await call<QueueAnswer>(`/api/v1/queue?rep=${rep}`, { token: adminToken });
    const found = queue.body.items.find((item) => item.email === email);
    if (found) return found.contactId;
  }
  throw new Error(`${email} is in no queue`);
}

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const created = await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps);
  adminToken = created.adminToken;
  workspaceId = created.workspaceId;
  otherWorkspaceToken = (await createWorkspace({ name: 'Globex', createdBy: 'test' }, deps)).adminToken;
  await createUser(
    {
      workspaceId,
      email: 'alex@acme.example',
      name: 'Alex',
      role: 'sales',
      repId: 'alex',
      password,
      createdBy: 'test',
    },
    deps,
  );
  await createUser(
    {
      workspaceId,
      email: 'jo@acme.example',
      name: 'Jo Manager',
      role: 'manager',
      password,
      createdBy: 'test',
    },
    deps,
  );
  http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
  // Round-robin: the first hot lead goes to Alex.
  await arrive('dana', 'dana@bigco.example', 'Dana Smith');
});

afterAll(async () => {
  await deps.close();
});

describe('POST /api/v1/contacts/{id}/reassign', () => {
  test('a manager reassigns a lead: the fact, its audit entry and its timeline entry are stored', async () => {
    const dana = await contactIdOf('dana@bigco.example');
    const jo = await signIn('jo@acme.example');
    const answer = await call<ReassignAnswer>(`/api/v1/contacts/${dana}/reassign`, {
      session: jo,
      body: { repId: 'sam', reason: 'Sam covers BigCo', idempotencyKey: 'reassign-1' },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      contactId: dana,
      toRepId: 'sam',
      fromRepId: 'alex',
      reason: 'Sam covers BigCo',
      duplicate: false,
    });

    const audit = await call<AuditAnswer>('/api/v1/audit?action=contact.reassign', { token: adminToken });
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        actor: 'user jo@acme.example',
        target: dana,
        detail: expect.objectContaining({ fromRepId: 'alex', toRepId: 'sam', reason: 'Sam covers BigCo' }),
      }),
    ]);

    const timeline = await call<TimelineAnswer>(`/api/v1/contacts/${dana}/timeline`, { token: adminToken });
    const entries = timeline.body.entries.filter((entry) => entry.source === 'reassignment');
    expect(entries).toEqual([
      expect.objectContaining({
        kind: 'manual',
        data: {
          toRepId: 'sam',
          reason: 'Sam covers BigCo',
          actor: 'user jo@acme.example',
          actorName: 'Jo Manager',
        },
      }),
    ]);
  });

  test('a repeated idempotency key stores nothing more and answers the first reassignment', async () => {
    const dana = await contactIdOf('dana@bigco.example');
    const repeat = await call<ReassignAnswer>(`/api/v1/contacts/${dana}/reassign`, {
      token: adminToken,
      body: { repId: 'sam', reason: 'Sam covers BigCo', idempotencyKey: 'reassign-1' },
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ toRepId: 'sam', duplicate: true });
    const audit = await call<AuditAnswer>('/api/v1/audit?action=contact.reassign', { token: adminToken });
    expect(audit.body.entries).toHaveLength(1);
    const timeline = await call<TimelineAnswer>(`/api/v1/contacts/${dana}/timeline`, { token: adminToken });
    expect(timeline.body.entries.filter((entry) => entry.source === 'reassignment')).toHaveLength(1);
  });

  test('refuses a rep who is not in the agreement, naming the reps who are', async () => {
    const dana = await contactIdOf('dana@bigco.example');
    const answer = await call(`/api/v1/contacts/${dana}/reassign`, {
      token: adminToken,
      body: { repId: 'nobody' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('VALIDATION_FAILED');
    expect(answer.body.error.message).toContain('"nobody" is not a sales rep');
    expect(answer.body.error.message).toContain('sam');
    expect(answer.body.error.details).toMatchObject({
      field: 'repId',
      reps: expect.arrayContaining([expect.objectContaining({ id: 'alex' })]),
    });
  });

  test('answers 404 for an unknown contact and for a contact of another workspace', async () => {
    const dana = await contactIdOf('dana@bigco.example');
    const unknown = await call('/api/v1/contacts/00000000-0000-7000-8000-000000000000/reassign', {
      token: adminToken,
      body: { repId: 'sam' },
    });
    expect(unknown.status).toBe(404);
    expect(
      (await call('/api/v1/contacts/not-a-uuid/reassign', { token: adminToken, body: { repId: 'sam' } }))
        .status,
    ).toBe(404);
    // Globex's admin has no Dana: the answer is the same as for an id that exists nowhere.
    const elsewhere = await call(`/api/v1/contacts/${dana}/reassign`, {
      token: otherWorkspaceToken,
      body: { repId: 'alex' },
    });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.message).not.toContain('Dana');
  });

  test('is for managers and admins: a rep is refused, and a cookie request needs the CSRF token', async () => {
    const dana = await contactIdOf('dana@bigco.example');
    const alex = await signIn('alex@acme.example');
    const refused = await call(`/api/v1/contacts/${dana}/reassign`, {
      session: alex,
      body: { repId: 'alex' },
    });
    expect(refused.status).toBe(403);
    const jo = await signIn('jo@acme.example');
    const noCsrf = await call(`/api/v1/contacts/${dana}/reassign`, {
      session: { cookie: jo.cookie, csrf: 'wrong' },
      body: { repId: 'alex' },
    });
    expect(noCsrf.status).toBe(403);
    const bad = await call(`/api/v1/contacts/${dana}/reassign`, {
      session: jo,
      body: { repId: 'alex', extra: 1 },
    });
    expect(bad.status).toBe(400);
  });

  test('refuses a contact merged into another, naming the survivor', async () => {
    const touch = (contact: Record<string, string>) =>
      call<{ created: number }>('/api/v1/touches', {
        token: adminToken,
        body: { touches: [{ contact, repId: 'alex', kind: 'call', occurredAt: minutes(5) }] },
      });
    await touch({ email: 'merge.me@bigco.example' });
    await touch({ userId: 'merged-user' });
    // Naming both known contacts merges them.
    expect((await touch({ userId: 'merged-user', email: 'merge.me@bigco.example' })).body.created).toBe(1);
    const merged = (await deps.database.db.execute(
      sql`select id, merged_into_id from contacts where merged_into_id is not null and workspace_id = ${workspaceId}::uuid`,
    )) as unknown as { rows: { id: string; merged_into_id: string }[] };
    const row = merged.rows[0];
    if (!row) throw new Error('the touches merged no contacts');
    const answer = await call(`/api/v1/contacts/${row.id}/reassign`, {
      token: adminToken,
      body: { repId: 'sam' },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error.details).toMatchObject({ mergedInto: row.merged_into_id });
  });
});

describe('the engine applies a reassignment', () => {
  test('the owner changes, the running SLA clock restarts for the new rep, and the assignment says manual', async () => {
    await arrive('hal', 'hal@fifth.example', 'Hal Diaz');
    const hal = await contactIdOf('hal@fifth.example');
    const before = await call<ContactAnswer>(`/api/v1/contacts/${hal}`, { token: adminToken });
    const from = before.body.lead?.owner?.repId;
    expect(before.body.lead?.clock).toMatchObject({ status: 'open', repId: from });
    const to = from === 'sam' ? 'riley' : 'sam';

    now = new Date(now.getTime() + 30 * 60_000);
    const jo = await signIn('jo@acme.example');
    const answer = await call(`/api/v1/contacts/${hal}/reassign`, {
      session: jo,
      body: { repId: to, reason: 'Covers the region' },
    });
    expect(answer.status).toBe(201);
    await runEngineUntilCaughtUp(deps, { workspaceId });

    const after = await call<ContactAnswer>(`/api/v1/contacts/${hal}`, { token: adminToken });
    expect(after.body.lead?.owner?.repId).toBe(to);
    expect(after.body.lead?.clock).toMatchObject({ status: 'open', repId: to, startedAt: now.toISOString() });
    expect(after.body.lead?.assignments.at(-1)).toMatchObject({ repId: to, reasonKind: 'manual' });
    const queue = await call<QueueAnswer>(`/api/v1/queue?rep=${to}`, { token: adminToken });
    expect(queue.body.items.map((item) => item.contactId)).toContain(hal);
  });
});
