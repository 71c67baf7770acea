import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { createAnnouncement } from '../../use-cases/announcements/create-announcement.ts';
import { createApiKey } from '../../use-cases/api-keys/create-api-key.ts';
import { createWebhook } from '../../use-cases/webhooks/create-webhook.ts';
import { listWebhookDeliveries } from '../../use-cases/webhooks/list-webhook-deliveries.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

// Monday 8 March 2027, 14:00 UTC: the last full week is 2027-W09 (1–7 March, New York).
const now = new Date('2027-03-08T14:00:00Z');
let deps: Deps & { close(): Promise<void> };
let http: HttpApp;
let workspaceId: string;
const tokens: Record<string, string> = {};
const webhooks: Record<string, string> = {};

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const workspace = await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps);
  workspaceId = workspace.workspaceId;
  tokens.admin = workspace.adminToken;
  for (const role of ['manager', 'marketing', 'ingest']) {
    tokens[role] = (await createApiKey({ workspaceId, name: role, role, createdBy: 'test' }, deps)).token;
  }
  http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
  const contact = randomUUID();
  const exec = (query: ReturnType<typeof sql>) => deps.database.db.execute(query);
  await exec(sql`insert into contacts (workspace_id, id, email, traits, created_at, updated_at)
    values (${workspaceId}, ${contact}, 'dana@globex.com', '{"company":"Globex"}'::jsonb, ${now}, ${now})`);
  await exec(sql`insert into deals (workspace_id, contact_id, id, name, amount, currency, stage, status, created_at,
      close_date, updated_at)
    values (${workspaceId}, ${contact}, ${randomUUID()}, 'Globex platform', '45000', 'USD', 'closed', 'won', ${now},
      '2027-03-05', ${now}),
      (${workspaceId}, ${contact}, ${randomUUID()}, 'Last week', '1000', 'USD', 'closed', 'won', ${now},
      '2027-02-28', ${now})`);
  for (const day of ['02', '03', '04']) {
    await exec(sql`insert into feedback (workspace_id, contact_id, id, rep_id, verdict, reason, comment, occurred_at,
        recorded_at)
      values (${workspaceId}, ${contact}, ${randomUUID()}, 'sam', 'reject', 'spam', ${`Bot ${day}`},
        ${`2027-03-${day}T15:00:00Z`}, ${now})`);
  }
  await createAnnouncement(
    {
      workspaceId,
      input: { kind: 'campaign', title: 'Spring <webinar>', effectiveAt: '2027-03-03' },
      createdBy: 'test',
    },
    deps,
  );
  const hook = (kinds: string[], format: string) =>
    createWebhook(
      {
        workspaceId,
        url: 'http://127.0.0.1:9/hook',
        format,
        kinds,
        allowPrivateUrls: true,
        createdBy: 'test',
      },
      deps,
    );
  webhooks.brief = (await hook(['weekly-brief'], 'slack')).id;
  webhooks.leads = (await hook(['hot-lead-routed'], 'json')).id;
});

afterAll(async () => {
  await deps.close();
});

async function call(method: string, path: string, init: { token?: string; body?: unknown } = {}) {
  const headers = new Headers({ authorization: `Bearer ${init.token ?? tokens.admin}` });
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await http.app.request(`http://smarketing.test${path}`, {
    method,
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

describe('GET /api/v1/brief', () => {
  test('answers the last full week by default, with its wins, announcements, feedback themes and questions', async () => {
    const answer = await call('GET', '/api/v1/brief', { token: tokens.marketing });
    expect(answer.status).toBe(200);
    const brief = JSON.parse(answer.text);
    expect(brief.week).toEqual({
      label: '2027-W09',
      from: '2027-03-01T05:00:00.000Z',
      to: '2027-03-08T05:00:00.000Z',
      timezone: 'America/New_York',
    });
    expect(brief.wins).toMatchObject({
      count: 1,
      revenue: 45_000,
      deals: [{ name: 'Globex platform', contact: 'Globex' }],
    });
    expect(brief.announcements.map((a: { title: string }) => a.title)).toEqual(['Spring <webinar>']);
    expect(brief.feedbackThemes).toEqual([
      expect.objectContaining({
        verdict: 'reject',
        reason: 'spam',
        count: 3,
        examples: ['Bot 04', 'Bot 03', 'Bot 02'],
      }),
    ]);
    expect(brief.leadFlow.rows).toHaveLength(8);
    expect(brief.sla.period).toBe('2027-03');
    // Three spam rejections this week and none before: the reject-reason rule fires.
    expect(brief.questions.map((q: { rule: string }) => q.rule)).toContain('reject-reason-doubled');
  });

  test('renders Markdown and a self-contained HTML page for a named week', async () => {
    const markdown = await call('GET', '/api/v1/brief?week=2027-W09&format=markdown');
    expect(markdown.type).toMatch(/^text\/markdown/);
    expect(markdown.text).toContain('# Weekly brief 2027-W09');
    const html = await call('GET', '/api/v1/brief?week=2027-W09&format=html');
    expect(html.type).toMatch(/^text\/html/);
    expect(html.text).toContain('Spring &lt;webinar&gt;');
    expect(html.text).toContain('<svg');
  });

  test('refuses a malformed week and roles without reports:read', async () => {
    expect((await call('GET', '/api/v1/brief?week=2027-09')).status).toBe(400);
    const invalidWeek = await call('GET', '/api/v1/brief?week=2027-W53');
    expect(invalidWeek.status).toBe(400);
    expect(invalidWeek.text).toMatch(/not a week of 2027/);
    expect((await call('GET', '/api/v1/brief', { token: tokens.ingest })).status).toBe(403);
  });
});

describe('POST /api/v1/brief/send', () => {
  test('queues the brief to the webhooks subscribed to weekly-brief only; marketing may not send', async () => {
    expect((await call('POST', '/api/v1/brief/send', { token: tokens.marketing, body: {} })).status).toBe(
      403,
    );
    const sent = await call('POST', '/api/v1/brief/send', {
      token: tokens.manager,
      body: { week: '2027-W09' },
    });
    expect(sent.status).toBe(202);
    expect(JSON.parse(sent.text)).toMatchObject({ week: '2027-W09', deliveries: 1 });
    expect(
      await listWebhookDeliveries({ workspaceId, webhookId: webhooks.brief as string, limit: 10 }, deps),
    ).toHaveLength(1);
    expect(
      await listWebhookDeliveries({ workspaceId, webhookId: webhooks.leads as string, limit: 10 }, deps),
    ).toHaveLength(0);
    const stored = (await deps.database.db.execute(
      sql`select payload from notifications where workspace_id = ${workspaceId} and kind = 'weekly-brief'`,
    )) as unknown as { rows: { payload: unknown }[] };
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]?.payload).toMatchObject({
      week: '2027-W09',
      link: 'http://smarketing.test/brief?week=2027-W09',
      summary: { wins: 1, revenue: 45_000, currency: 'USD' },
      brief: { brief: 'weekly', week: { label: '2027-W09' } },
    });
  });

  test('refuses a link that is not http(s)', async () => {
    const answer = await call('POST', '/api/v1/brief/send', { body: { link: 'javascript:alert(1)' } });
    expect(answer.status).toBe(400);
  });
});
