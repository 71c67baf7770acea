import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { recordDueTicks } from '../../use-cases/engine/record-due-ticks.ts';
import { runEngineUntilCaughtUp } from '../../use-cases/engine/run-engine.ts';
import { ingestMessages } from '../../use-cases/ingest/ingest-messages.ts';
import { createUser } from '../../use-cases/users/create-user.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

// A Monday morning in New York: the hot quadrant's 24 business hours end on Thursday.
let now = new Date('2027-03-01T14:00:00Z');
let deps: Deps & { close(): Promise<void> };
let http: HttpApp;
let adminToken: string;
let workspaceId: string;
const password = 'a long enough password';

type Answer = Record<string, unknown> & { error: { code: string } };
type QueueAnswer = {
  rep: { id: string };
  total: number;
  items: {
    contactId: string;
    name: string | null;
    email: string;
    title: string | null;
    company: string | null;
    stage: string;
    quadrant: string;
    fit: { grade: string };
    interest: number;
    urgency: string;
    clock: { status: string; deadlineAt: string } | null;
    lastActivityAt: string | null;
  }[];
};
type TimelineAnswer = {
  contactId: string;
  entries: { source: string; id: string; kind: string; occurredAt: string; data: Record<string, unknown> }[];
  nextBefore: string | null;
};

async function call<T = Answer>(
  path: string,
  init: { body?: unknown; session?: { cookie: string; csrf: string }; token?: string } = {},
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
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : {}) as T & { error: { code: string } },
  };
}

async function signIn(email: string) {
  const answer = await call<{ csrfToken: string }>('/api/v1/session', { body: { email, password } });
  return { cookie: answer.headers.get('set-cookie')?.split(';')[0] ?? '', csrf: answer.body.csrfToken };
}

const minutes = (count: number) => new Date(now.getTime() - count * 60_000).toISOString();

/** A visitor reads pages anonymously, then identifies and asks for a demo. */
async function arrive(userId: string, traits: Record<string, unknown>, options: { demo: boolean }) {
  const anonymousId = `anon-${userId}`;
  const outcome = await ingestMessages(
    {
      workspaceId,
      messages: [
        {
          type: 'page',
          anonymousId,
          name: 'Pricing',
          properties: { path: '/pricing', title: 'Pricing' },
          timestamp: minutes(30),
          messageId: `${userId}-1`,
        },
        {
          type: 'page',
          anonymousId,
          name: 'Home',
          properties: { path: '/', title: 'Home' },
          timestamp: minutes(29),
          messageId: `${userId}-2`,
        },
        { type: 'identify', anonymousId, userId, traits, timestamp: minutes(20), messageId: `${userId}-3` },
        ...(options.demo
          ? [
              {
                type: 'track',
                userId,
                event: 'Demo Requested',
                timestamp: minutes(10),
                messageId: `${userId}-4`,
              },
            ]
          : []),
      ],
    },
    deps,
  );
  expect(outcome.dropped).toEqual([]);
  await runEngineUntilCaughtUp(deps, { workspaceId });
}

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const created = await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps);
  adminToken = created.adminToken;
  workspaceId = created.workspaceId;
  for (const [email, repId] of [
    ['alex@acme.example', 'alex'],
    ['sam@acme.example', 'sam'],
  ] as const) {
    await createUser(
      { workspaceId, email, name: repId, role: 'sales', repId, password, createdBy: 'test' },
      deps,
    );
  }
  await createUser(
    { workspaceId, email: 'jo@acme.example', name: 'Jo', role: 'manager', password, createdBy: 'test' },
    deps,
  );
  http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });

  const hot = { title: 'VP of Marketing', employees: 200, industry: 'Software' };
  // Round-robin: the first hot lead goes to Alex, the second to Sam, the third to Riley, the fourth to Alex.
  await arrive(
    'dana',
    { ...hot, email: 'dana@bigco.example', firstName: 'Dana', lastName: 'Smith', company: 'BigCo' },
    { demo: true },
  );
  await arrive('eli', { ...hot, email: 'eli@other.example', name: 'Eli Park' }, { demo: true });
  await arrive('fay', { ...hot, email: 'fay@third.example', name: 'Fay Wu' }, { demo: true });
  now = new Date(now.getTime() + 3_600_000);
  await arrive('gus', { ...hot, email: 'gus@fourth.example', name: 'Gus Lee' }, { demo: true });
});

afterAll(async () => {
  await deps.close();
});

describe('GET /api/v1/queue', () => {
  test('a rep sees their leads with open clocks first, nearest deadline first, with who and why', async () => {
    const alex = await signIn('alex@acme.example');
    const queue = await call<QueueAnswer>('/api/v1/queue', { session: alex });
    expect(queue.status).toBe(200);
    expect(queue.body.rep.id).toBe('alex');
    expect(queue.body.items.map((item) => item.email)).toEqual(['dana@bigco.example', 'gus@fourth.example']);
    const [first, second] = queue.body.items;
    expect(first).toMatchObject({
      name: 'Dana Smith',
      title: 'VP of Marketing',
      company: 'BigCo',
      stage: 'mql',
      quadrant: 'hot',
      urgency: 'open-clock',
      clock: { status: 'open' },
      lastActivityAt: minutes(70),
    });
    expect(first?.fit.grade).toMatch(/^[AB]$/);
    expect(first?.interest).toBeGreaterThan(0);
    expect(Date.parse(first?.clock?.deadlineAt ?? '')).toBeLessThan(
      Date.parse(second?.clock?.deadlineAt ?? ''),
    );
  });

  test('puts breached clocks after open ones, and worked leads after both', async () => {
    const alex = await signIn('alex@acme.example');
    const before = await call<QueueAnswer>('/api/v1/queue', { session: alex });
    const [dana, gus] = before.body.items;
    // Dana's deadline passes; Gus is accepted (his clock stops, he becomes an SQL).
    const accepted = await call('/api/v1/feedback', {
      session: alex,
      body: {
        feedback: [
          {
            contact: { contactId: gus?.contactId },
            repId: 'alex',
            verdict: 'accept',
            rating: 4,
            occurredAt: now.toISOString(),
          },
        ],
      },
    });
    expect(accepted.body).toMatchObject({ created: 1, rejected: [] });
    now = new Date(Date.parse(dana?.clock?.deadlineAt ?? '') + 60_000);
    await recordDueTicks(deps, { at: now });
    await runEngineUntilCaughtUp(deps, { workspaceId });
    // Days later: the morning's session has ended, Alex signs in again.
    const after = await call<QueueAnswer>('/api/v1/queue', { session: await signIn('alex@acme.example') });
    expect(
      after.body.items.map((item) => [item.email, item.urgency, item.stage, item.clock?.status]),
    ).toEqual([
      ['dana@bigco.example', 'breached', 'mql', 'breached'],
      ['gus@fourth.example', 'owned', 'sql', 'worked'],
    ]);
  });

  test("a rep may not read another rep's queue; managers and admin keys may, naming the rep", async () => {
    const alex = await signIn('alex@acme.example');
    expect((await call('/api/v1/queue?rep=sam', { session: alex })).status).toBe(403);
    const manager = await signIn('jo@acme.example');
    const noRep = await call('/api/v1/queue', { session: manager });
    expect(noRep.status).toBe(400);
    const sams = await call<QueueAnswer>('/api/v1/queue?rep=sam', { session: manager });
    expect(sams.body.items.map((item) => item.email)).toEqual(['eli@other.example']);
    const byKey = await call<QueueAnswer>('/api/v1/queue?rep=riley&limit=5', { token: adminToken });
    expect(byKey.body.items.map((item) => item.email)).toEqual(['fay@third.example']);
    expect((await call('/api/v1/queue?rep=nobody', { token: adminToken })).status).toBe(404);
  });
});

describe('GET /api/v1/contacts/{id}/timeline', () => {
  async function danaId() {
    const queue = await call<QueueAnswer>('/api/v1/queue?rep=alex', { token: adminToken });
    const id = queue.body.items.find((item) => item.email === 'dana@bigco.example')?.contactId;
    if (!id) throw new Error('Dana is not in the queue');
    return id;
  }

  test('merges page views, events, identify calls and stage transitions, newest first', async () => {
    const timeline = await call<TimelineAnswer>(`/api/v1/contacts/${await danaId()}/timeline`, {
      token: adminToken,
    });
    expect(timeline.status).toBe(200);
    const entries = timeline.body.entries;
    const times = entries.map((entry) => Date.parse(entry.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(entries.filter((entry) => entry.source === 'activity').map((entry) => entry.kind)).toEqual([
      'track',
      'identify',
      'page',
      'page',
    ]);
    expect(entries.find((entry) => entry.kind === 'page')?.data).toMatchObject({ path: '/', title: 'Home' });
    expect(entries.find((entry) => entry.kind === 'track')?.data).toMatchObject({ event: 'Demo Requested' });
    expect(
      entries.filter((entry) => entry.source === 'transition').map((entry) => entry.data.toStage),
    ).toContain('mql');
    expect(timeline.body.nextBefore).toBeNull();
  });

  test('pages with a cursor, without gaps or repeats', async () => {
    const id = await danaId();
    const whole = await call<TimelineAnswer>(`/api/v1/contacts/${id}/timeline`, { token: adminToken });
    const seen: string[] = [];
    let before: string | null = null;
    do {
      const query: string = before === null ? '?limit=2' : `?limit=2&before=${before}`;
      const page = await call<TimelineAnswer>(`/api/v1/contacts/${id}/timeline${query}`, {
        token: adminToken,
      });
      expect(page.body.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.entries.map((entry) => `${entry.source}:${entry.id}`));
      before = page.body.nextBefore;
    } while (before !== null);
    expect(seen).toEqual(whole.body.entries.map((entry) => `${entry.source}:${entry.id}`));
  });

  test('answers 404 for an unknown contact and 400 for a forged cursor', async () => {
    expect((await call('/api/v1/contacts/not-a-contact/timeline', { token: adminToken })).status).toBe(404);
    const forged = await call(`/api/v1/contacts/${await danaId()}/timeline?before=bm9wZQ`, {
      token: adminToken,
    });
    expect(forged.status).toBe(400);
  });
});
