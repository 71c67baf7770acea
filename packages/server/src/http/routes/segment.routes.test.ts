import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { Analytics } from '@segment/analytics-node';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import { createApiKey } from '../../use-cases/api-keys/create-api-key.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

let deps: Awaited<ReturnType<typeof openTestDeps>>;
let http: HttpApp;
let workspaceId: string;
let writeKey: string;

beforeAll(async () => {
  deps = await openTestDeps();
  const workspace = await createWorkspace({ name: 'Tracking Co', createdBy: 'test' }, deps);
  workspaceId = workspace.workspaceId;
  writeKey = (await createApiKey({ workspaceId, name: 'site', role: 'ingest', createdBy: 'test' }, deps))
    .token;
  http = createApp(deps, { version: 'test', maxBodyBytes: 64 * 1024, webDistDir: '/nonexistent' });
});

afterAll(async () => {
  await deps.close();
});

type Row = Record<string, unknown>;
async function query<T extends Row>(text: ReturnType<typeof sql>): Promise<T[]> {
  return ((await deps.database.db.execute(text)) as unknown as { rows: T[] }).rows;
}

async function countActivities(messageIdPrefix: string): Promise<number> {
  const [row] = await query<{ n: number | string }>(
    sql`select count(*) as n from activities where workspace_id = ${workspaceId}::uuid and message_id like ${`${messageIdPrefix}%`}`,
  );
  return Number(row?.n);
}

function basic(token: string) {
  return `Basic ${Buffer.from(`${token}:`).toString('base64')}`;
}

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return http.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(writeKey), ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
}

async function listen(fetch: (request: Request) => Response | Promise<Response>) {
  const server = serve({ fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the official Segment client (@segment/analytics-node)', () => {
  test('delivers identify, track, page, group and alias calls, each stored once', async () => {
    const server = await listen(http.app.fetch);
    try {
      const analytics = new Analytics({
        writeKey,
        host: server.url,
        path: '/v1/batch',
        flushAt: 3,
        maxRetries: 2,
      });
      analytics.identify({
        userId: 'sdk-u1',
        messageId: 'sdk-1',
        traits: { email: 'ana@sdkcorp.com', title: 'CTO' },
      });
      analytics.track({
        userId: 'sdk-u1',
        messageId: 'sdk-2',
        event: 'Demo Requested',
        properties: { plan: 'pro' },
      });
      analytics.page({
        anonymousId: 'sdk-a1',
        messageId: 'sdk-3',
        name: 'Pricing',
        properties: { path: '/pricing' },
      });
      analytics.group({
        userId: 'sdk-u1',
        messageId: 'sdk-4',
        groupId: 'g-42',
        traits: { name: 'SDK Corp', website: 'https://sdkcorp.com' },
      });
      analytics.alias({ userId: 'sdk-u1', previousId: 'sdk-a1', messageId: 'sdk-5' });
      await analytics.closeAndFlush({ timeout: 10_000 });
    } finally {
      await server.close();
    }
    expect(await countActivities('sdk-')).toBe(5);
    const activities = await query<{ message_id: string; activity_type: string | null; contact_id: string }>(
      sql`select message_id, activity_type, contact_id from activities
          where workspace_id = ${workspaceId}::uuid and message_id like 'sdk-%' order by message_id`,
    );
    expect(activities.map((a) => a.activity_type)).toEqual([
      null,
      'demo-requested',
      'pricing-viewed',
      null,
      null,
    ]);
    // The alias merged the anonymous visitor into the user: every activity belongs to one person.
    const survivors = await query<{ survivor: string }>(
      sql`select distinct coalesce(c.merged_into_id, c.id) as survivor from activities a
          join contacts c on c.workspace_id = a.workspace_id and c.id = a.contact_id
          where a.workspace_id = ${workspaceId}::uuid and a.message_id like 'sdk-%'`,
    );
    expect(survivors).toHaveLength(1);
  });

  test('stores a batch once when the client retries after a lost acknowledgement', async () => {
    let failures = 0;
    const flaky = new Hono();
    flaky.all('*', async (c) => {
      const response = await http.app.fetch(c.req.raw);
      if (c.req.path === '/v1/batch' && failures === 0) {
        failures++;
        return c.text('the acknowledgement was lost', 500);
      }
      return response;
    });
    const server = await listen(flaky.fetch);
    try {
      const analytics = new Analytics({
        writeKey,
        host: server.url,
        path: '/v1/batch',
        flushAt: 4,
        maxRetries: 3,
      });
      for (let index = 0; index < 4; index++) {
        analytics.track({ anonymousId: 'retry-a', messageId: `retry-${index}`, event: 'Content Downloaded' });
      }
      await analytics.closeAndFlush({ timeout: 15_000 });
    } finally {
      await server.close();
    }
    expect(failures).toBe(1);
    expect(await countActivities('retry-')).toBe(4);
  });
});

describe('POST /v1/batch', () => {
  test('answers what was accepted, what was a duplicate and what was dropped, and why', async () => {
    const batch = [
      { type: 'track', messageId: 'mix-1', anonymousId: 'mix-a', event: 'Webinar Registered' },
      { type: 'track', messageId: 'mix-2', anonymousId: 'mix-a' },
      { type: 'dance', messageId: 'mix-3', anonymousId: 'mix-a' },
      'not an object',
      { type: 'page', messageId: 'mix-4' },
      { type: 'group', messageId: 'mix-5', userId: 'mix-u' },
      { type: 'track', messageId: 'mix-6', userId: { nested: true }, event: 'x' },
      { type: 'track', messageId: 'mix-7', userId: 'mix-u', event: 'x', timestamp: 'last tuesday' },
      {
        type: 'track',
        messageId: 'mix-8',
        userId: 'mix-u',
        event: 'x',
        properties: { blob: 'y'.repeat(33 * 1024) },
      },
      { type: 'track', messageId: 'mix-1', anonymousId: 'mix-a', event: 'Webinar Registered' },
      { type: 'page', messageId: 'mix-9', anonymousId: 'mix-a', properties: { path: '/careers' } },
    ];
    const response = await post('/v1/batch', { batch, sentAt: new Date().toISOString() });
    expect(response.status).toBe(200);
    const outcome = (await response.json()) as {
      accepted: number;
      duplicates: number;
      dropped: { index: number; reason: string }[];
    };
    expect(outcome.accepted).toBe(2);
    expect(outcome.duplicates).toBe(1);
    expect(outcome.dropped.map((d) => [d.index, d.reason])).toEqual([
      [1, 'missing-field'],
      [2, 'unknown-type'],
      [3, 'not-an-object'],
      [4, 'missing-identity'],
      [5, 'missing-field'],
      [6, 'invalid-field'],
      [7, 'invalid-timestamp'],
      [8, 'too-large'],
    ]);
    expect(await countActivities('mix-')).toBe(2);
    const drops = await query<{ reason: string }>(
      sql`select reason from ingest_drops where workspace_id = ${workspaceId}::uuid and message_id like 'mix-%'`,
    );
    expect(drops).toHaveLength(7);

    const again = (await (await post('/v1/batch', { batch: batch.slice(0, 1) })).json()) as {
      accepted: number;
      duplicates: number;
    };
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await countActivities('mix-')).toBe(2);
  });

  test('accepts a gzip-compressed body and the write key in the body', async () => {
    const body = gzipSync(
      JSON.stringify({
        writeKey,
        batch: [{ type: 'track', messageId: 'gz-1', userId: 'gz-u', event: 'Form Submitted' }],
      }),
    );
    const response = await http.app.request('/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
      body,
    });
    expect(response.status).toBe(200);
    expect(await countActivities('gz-')).toBe(1);
  });

  test.each([
    [
      'a batch over 500 KB',
      '/v1/batch',
      { batch: [{ type: 'track', userId: 'u', event: 'x', properties: { a: 'z'.repeat(520 * 1024) } }] },
    ],
    [
      'a single call over 32 KB',
      '/v1/track',
      { userId: 'u', event: 'x', properties: { a: 'z'.repeat(33 * 1024) } },
    ],
  ])('refuses %s with 413', async (_label, path, body) => {
    const response = await post(path, body);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  test('drops a message nested 100,000 levels deep and keeps the rest of the batch', async () => {
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const body = `{"batch":[{"type":"track","userId":"deep","event":"x","properties":{"a":${deep}}},{"type":"track","messageId":"deep-2","userId":"deep","event":"x"}]}`;
    const response = await post('/v1/batch', body);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      accepted: 1,
      dropped: [{ index: 0, reason: 'invalid-field' }],
    });
  });

  test('refuses a gzip bomb with 413 without inflating it all', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    const response = await post('/v1/batch', bomb, { 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
  });

  test.each([
    ['invalid JSON', '{"batch": [', 'not valid JSON'],
    ['a JSON array', '[1,2]', 'must be a JSON object'],
    ['no batch array', '{"batch": 5}', '"batch": an array'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'UTF-8'],
  ])('answers 400 for %s', async (_label, body, message) => {
    const response = await post('/v1/batch', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(message);
  });
});

describe('single calls', () => {
  test('take their type from the path', async () => {
    const response = await post('/v1/track', {
      messageId: 'one-1',
      userId: 'one-u',
      event: 'Email Link Clicked',
    });
    expect(await response.json()).toMatchObject({ accepted: 1, dropped: [] });
    const page = await post('/v1/page', {
      messageId: 'one-2',
      userId: 'one-u',
      name: 'Home',
      properties: { url: 'https://x.io/' },
    });
    expect(await page.json()).toMatchObject({ accepted: 1 });
  });
});

describe('authentication of tracking calls', () => {
  test('without a key is 401, with a read-only key 403', async () => {
    const anonymous = await http.app.request('/v1/track', {
      method: 'POST',
      body: JSON.stringify({ userId: 'u', event: 'x' }),
    });
    expect(anonymous.status).toBe(401);
    const viewer = (await createApiKey({ workspaceId, name: 'v', role: 'viewer', createdBy: 'test' }, deps))
      .token;
    const forbidden = await post('/v1/track', { userId: 'u', event: 'x' }, { authorization: basic(viewer) });
    expect(forbidden.status).toBe(403);
  });

  test('a write key cannot read the API', async () => {
    const response = await http.app.request('/api/v1/agreements', {
      headers: { authorization: `Bearer ${writeKey}` },
    });
    expect(response.status).toBe(403);
  });
});

describe('identity and accounts', () => {
  test('follows a visitor from anonymous pages to an identified contact with an account', async () => {
    await post('/v1/batch', {
      batch: [
        { type: 'page', messageId: 'id-1', anonymousId: 'id-anon', properties: { path: '/blog/a' } },
        { type: 'page', messageId: 'id-2', anonymousId: 'id-anon', properties: { path: '/pricing' } },
      ],
    });
    await post('/v1/identify', {
      messageId: 'id-3',
      anonymousId: 'id-anon',
      userId: 'id-user',
      traits: { email: 'Kim@Globex.com', firstName: 'Kim' },
    });
    await post('/v1/track', { messageId: 'id-4', userId: 'id-user', event: 'Demo Requested' });
    await post('/v1/identify', {
      messageId: 'id-5',
      userId: 'id-free',
      traits: { email: 'kim.personal@gmail.com' },
    });

    const contacts = await query<{ survivor: string; n: string | number }>(
      sql`select coalesce(c.merged_into_id, c.id) as survivor, count(*) as n from activities a
          join contacts c on c.workspace_id = a.workspace_id and c.id = a.contact_id
          where a.workspace_id = ${workspaceId}::uuid and a.message_id in ('id-1','id-2','id-3','id-4')
          group by 1`,
    );
    expect(contacts).toHaveLength(1);
    const [contact] = await query<{ email: string; traits: Record<string, unknown>; domain: string | null }>(
      sql`select c.email, c.traits, a.domain from contacts c left join accounts a
            on a.workspace_id = c.workspace_id and a.id = c.account_id
          where c.workspace_id = ${workspaceId}::uuid and c.id = ${contacts[0]?.survivor}::uuid`,
    );
    expect(contact).toMatchObject({
      email: 'kim@globex.com',
      traits: { firstName: 'Kim' },
      domain: 'globex.com',
    });

    const [free] = await query<{ account_id: string | null }>(
      sql`select account_id from contacts where workspace_id = ${workspaceId}::uuid and email = 'kim.personal@gmail.com'`,
    );
    expect(free?.account_id).toBeNull();
  });

  test('merges two known people when an identify shows they are one, keeping every event', async () => {
    await post('/v1/batch', {
      batch: [
        { type: 'track', messageId: 'mg-1', anonymousId: 'mg-laptop', event: 'Content Downloaded' },
        { type: 'track', messageId: 'mg-2', userId: 'mg-user', event: 'Webinar Attended' },
      ],
    });
    await post('/v1/identify', { messageId: 'mg-3', anonymousId: 'mg-laptop', userId: 'mg-user' });
    const survivors = await query<{ survivor: string }>(
      sql`select distinct coalesce(c.merged_into_id, c.id) as survivor from activities a
          join contacts c on c.workspace_id = a.workspace_id and c.id = a.contact_id
          where a.workspace_id = ${workspaceId}::uuid and a.message_id like 'mg-%'`,
    );
    expect(survivors).toHaveLength(1);
    expect(await countActivities('mg-')).toBe(3);
  });
});

describe('group commit', () => {
  test('stores concurrent requests in fewer transactions than requests', async () => {
    const before = deps.ingest.stats().batches;
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        post('/v1/track', {
          messageId: `gc-${index}`,
          anonymousId: `gc-${index % 5}`,
          event: 'Form Submitted',
        }),
      ),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(await countActivities('gc-')).toBe(30);
    expect(deps.ingest.stats().batches - before).toBeLessThan(30);
  });
});

describe('drop counts', () => {
  test('are visible through the API and the metrics', async () => {
    await post('/v1/batch', {
      batch: [
        { type: 'track', messageId: 'vis-1', anonymousId: 'vis' },
        { type: 'bogus', messageId: 'vis-2', anonymousId: 'vis' },
      ],
    });
    const admin = (await createApiKey({ workspaceId, name: 'ops', role: 'admin', createdBy: 'test' }, deps))
      .token;
    const drops = (await (
      await http.app.request('/api/v1/ingest/drops?limit=5', {
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json()) as {
      total: number;
      byReason: { reason: string; count: number }[];
      recent: { messageId: string }[];
    };
    expect(drops.total).toBeGreaterThanOrEqual(2);
    expect(drops.byReason.map((row) => row.reason)).toEqual(
      expect.arrayContaining(['missing-field', 'unknown-type']),
    );
    expect(drops.recent.map((row) => row.messageId)).toEqual(expect.arrayContaining(['vis-1', 'vis-2']));

    const metrics = await http.app.request('/metrics', { headers: { authorization: `Bearer ${admin}` } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/smarketing_ingest_dropped_messages_total\{reason="unknown-type"\} [1-9]/);
    expect(text).toMatch(/smarketing_ingest_stored_messages_total [1-9]/);
    expect((await http.app.request('/metrics')).status).toBe(401);
    expect((await http.app.request('/metrics', { headers: { authorization: basic(writeKey) } })).status).toBe(
      403,
    );
  });
});
