import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { createApiKey } from '../../use-cases/api-keys/create-api-key.ts';
import { listAudit } from '../../use-cases/audit/list-audit.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

let now = new Date('2027-03-03T15:00:00Z');
let deps: Deps & { close(): Promise<void> };
let http: HttpApp;
let workspaceId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const workspace = await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps);
  workspaceId = workspace.workspaceId;
  tokens.admin = workspace.adminToken;
  for (const role of ['sales', 'viewer', 'ingest']) {
    tokens[role] = (await createApiKey({ workspaceId, name: role, role, createdBy: 'test' }, deps)).token;
  }
  http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
});

afterAll(async () => {
  await deps.close();
});

type Answer = Record<string, unknown> & { error: { code: string; message: string } };

async function call(method: string, path: string, init: { token?: string; body?: unknown } = {}) {
  const headers = new Headers({ authorization: `Bearer ${init.token ?? tokens.admin}` });
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await http.app.request(path, {
    method,
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

describe('/api/v1/announcements', () => {
  test('a rep publishes, edits and withdraws an announcement; every person reads it; each change is audited', async () => {
    const created = await call('POST', '/api/v1/announcements', {
      token: tokens.sales,
      body: {
        kind: 'product',
        title: '  Forecasting ships  ',
        body: 'Forecasts per rep.',
        link: 'https://example.com/launch',
        effectiveAt: '2027-03-08',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'product',
      title: 'Forecasting ships',
      link: 'https://example.com/launch',
      // Local midnight in New York (EST, UTC−5) on 8 March.
      effectiveAt: '2027-03-08T05:00:00.000Z',
      createdBy: expect.stringContaining('api-key sales'),
      withdrawnAt: null,
    });
    const id = created.body.id as string;
    const other = await call('POST', '/api/v1/announcements', {
      body: { kind: 'campaign', title: 'Spring webinar series', effectiveAt: '2027-03-20T14:00:00Z' },
    });
    expect(other.status).toBe(201);

    const week = await call('GET', '/api/v1/announcements?from=2027-03-08&to=2027-03-15', {
      token: tokens.viewer,
    });
    expect(week.status).toBe(200);
    expect((week.body.announcements as { title: string }[]).map((a) => a.title)).toEqual([
      'Forecasting ships',
    ]);

    now = new Date('2027-03-04T10:00:00Z');
    const edited = await call('PATCH', `/api/v1/announcements/${id}`, {
      token: tokens.sales,
      body: { title: 'Forecasting ships to everyone', link: null },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      title: 'Forecasting ships to everyone',
      link: null,
      body: 'Forecasts per rep.',
      updatedAt: '2027-03-04T10:00:00.000Z',
    });

    const withdrawn = await call('POST', `/api/v1/announcements/${id}/withdraw`, { token: tokens.sales });
    expect(withdrawn.body.withdrawnAt).toBe('2027-03-04T10:00:00.000Z');
    expect((await call('POST', `/api/v1/announcements/${id}/withdraw`)).body.withdrawnAt).toBe(
      '2027-03-04T10:00:00.000Z',
    );
    const after = await call('GET', '/api/v1/announcements');
    expect((after.body.announcements as { id: string }[]).map((a) => a.id)).toEqual([other.body.id]);
    const all = await call('GET', '/api/v1/announcements?includeWithdrawn=true');
    expect((all.body.announcements as unknown[]).length).toBe(2);
    const late = await call('PATCH', `/api/v1/announcements/${id}`, { body: { title: 'x' } });
    expect([late.status, late.body.error.code]).toEqual([409, 'CONFLICT']);

    const audit = await listAudit({ workspaceId, limit: 50 }, deps);
    const mine = audit.filter((entry) => entry.action.startsWith('announcement.'));
    expect(mine.map((entry) => [entry.action, entry.target])).toEqual(
      expect.arrayContaining([
        ['announcement.create', id],
        ['announcement.update', id],
        ['announcement.withdraw', id],
      ]),
    );
    const update = mine.find((entry) => entry.action === 'announcement.update');
    expect(update?.detail).toMatchObject({
      changes: {
        title: { before: 'Forecasting ships', after: 'Forecasting ships to everyone' },
        link: { before: 'https://example.com/launch', after: null },
      },
    });
  });

  test.each([
    [{ kind: 'rumour', title: 'x' }, /kind/],
    [{ kind: 'product', title: 'x'.repeat(201) }, /title/],
    [{ kind: 'product', title: 'x', body: 'y'.repeat(10_001) }, /body/],
    [{ kind: 'product', title: 'x', link: 'javascript:alert(1)' }, /only http and https/],
    [{ kind: 'product', title: 'x', link: 'ftp://example.com/file' }, /only http and https/],
    [{ kind: 'product', title: 'x', link: 'not a url' }, /not an absolute URL/],
    [{ kind: 'product', title: '   ' }, /title is required/],
    [{ kind: 'product', title: 'x', effectiveAt: '2027-02-30' }, /effectiveAt/],
  ])('refuses %j with VALIDATION_FAILED', async (body, message) => {
    const answer = await call('POST', '/api/v1/announcements', { body });
    expect([answer.status, answer.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(answer.body.error.message).toMatch(message);
  });

  test('a viewer reads but cannot write; an ingest key can do neither; unknown ids are NOT_FOUND', async () => {
    const body = { kind: 'other', title: 'Team lunch' };
    expect((await call('POST', '/api/v1/announcements', { token: tokens.viewer, body })).status).toBe(403);
    expect((await call('GET', '/api/v1/announcements', { token: tokens.ingest })).status).toBe(403);
    expect((await call('GET', '/api/v1/announcements', { token: tokens.viewer })).status).toBe(200);
    const missing = await call('POST', '/api/v1/announcements/00000000-0000-7000-8000-000000000000/withdraw');
    expect(missing.status).toBe(404);
    expect((await call('PATCH', '/api/v1/announcements/nope', { body: { title: 'y' } })).status).toBe(404);
  });
});
