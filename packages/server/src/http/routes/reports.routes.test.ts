import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { createApiKey } from '../../use-cases/api-keys/create-api-key.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

const now = new Date('2027-04-15T12:00:00Z');
let deps: Deps & { close(): Promise<void> };
let http: HttpApp;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const workspace = await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps);
  tokens.admin = workspace.adminToken;
  for (const role of ['manager', 'marketing', 'viewer', 'ingest']) {
    tokens[role] = (
      await createApiKey({ workspaceId: workspace.workspaceId, name: role, role, createdBy: 'test' }, deps)
    ).token;
  }
  http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
});

afterAll(async () => {
  await deps.close();
});

type Answer = Record<string, unknown> & { error: { code: string; message: string } };

async function call(path: string, init: { token?: string; body?: unknown } = {}) {
  const headers = new Headers();
  headers.set('authorization', `Bearer ${init.token ?? tokens.admin}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await http.app.request(path, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

describe('GET /api/v1/reports/*', () => {
  test('answers each report with its period, filters, agreement version and definitions', async () => {
    const funnel = await call(
      '/api/v1/reports/funnel?from=2027-03&to=2027-04&segment=source=webinar&segment=employees=400',
    );
    expect(funnel.status).toBe(200);
    expect(funnel.body).toMatchObject({
      report: 'funnel',
      period: {
        from: '2027-03-01T05:00:00.000Z',
        to: '2027-04-01T04:00:00.000Z',
        timezone: 'America/New_York',
      },
      filters: { source: 'webinar', traits: { employees: '400' } },
      agreementVersion: 1,
      asOf: now.toISOString(),
    });
    expect(Object.keys(funnel.body.definitions as object)).toContain('strictOrder');
    const flow = await call('/api/v1/reports/lead-flow?from=2027-03-01&to=2027-03-15&unit=week', {
      token: tokens.manager,
    });
    expect(flow.status).toBe(200);
    expect((flow.body.rows as { label: string }[]).map((row) => row.label)).toEqual(['2027-W09', '2027-W10']);
    expect((await call('/api/v1/reports/waterfall?from=2027-01&to=2027-04')).body.report).toBe('waterfall');
    const sla = await call('/api/v1/reports/sla');
    expect(sla.body).toMatchObject({ report: 'sla', period: { label: '2027-04' } });
  });

  test('refuses a bad period or segment with VALIDATION_FAILED, and roles without reports:read (an ingest key)', async () => {
    const backwards = await call('/api/v1/reports/funnel?from=2027-04&to=2027-03');
    expect([backwards.status, backwards.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(backwards.body.error.message).toMatch(/must end after it starts/);
    const segment = await call('/api/v1/reports/funnel?from=2027-03&to=2027-04&segment=webinar');
    expect(segment.body.error.message).toMatch(/not key=value/);
    expect((await call('/api/v1/reports/sla?period=2027-Q1')).status).toBe(400);
    expect(
      (await call('/api/v1/reports/funnel?from=2027-03&to=2027-04', { token: tokens.ingest })).status,
    ).toBe(403);
    // Both teams read the same numbers: a viewer and a marketer may.
    for (const role of ['viewer', 'marketing']) {
      expect(
        (await call('/api/v1/reports/funnel?from=2027-03&to=2027-04', { token: tokens[role] })).status,
      ).toBe(200);
    }
  });
});

describe('/api/v1/reports/sla/settlements', () => {
  test('closes a period that is over once, answers the stored settlement after, lists it', async () => {
    const early = await call('/api/v1/reports/sla/settlements', { body: { period: '2027-04' } });
    expect([early.status, early.body.error.code]).toEqual([409, 'CONFLICT']);
    expect(
      (
        await call('/api/v1/reports/sla/settlements', {
          body: { period: '2027-03' },
          token: tokens.marketing,
        })
      ).status,
    ).toBe(403);

    const closed = await call('/api/v1/reports/sla/settlements', {
      body: { period: '2027-03' },
      token: tokens.manager,
    });
    expect(closed.status).toBe(201);
    expect(closed.body).toMatchObject({
      period: '2027-03',
      from: '2027-03-01T05:00:00.000Z',
      closedAt: now.toISOString(),
      report: { report: 'sla', marketing: { total: { target: 400, leads: 0 } } },
    });
    expect(closed.body.closedBy).toMatch(/^api-key manager/);
    const again = await call('/api/v1/reports/sla/settlements', { body: { period: '2027-03' } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(closed.body);
    const list = await call('/api/v1/reports/sla/settlements');
    expect((list.body.settlements as { period: string }[]).map((settlement) => settlement.period)).toEqual([
      '2027-03',
    ]);
  });
});
