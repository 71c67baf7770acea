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
  for (const role of ['marketing', 'viewer']) {
    tokens[role] = (
      await createApiKey({ workspaceId: workspace.workspaceId, name: role, role, createdBy: 'test' }, deps)
    ).token;
  }
  http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
});

afterAll(async () => {
  await deps.close();
});

type Answer = Record<string, unknown> & { error: { code: string; message: string; details?: unknown } };

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

const row = {
  campaign: 'brand',
  source: 'google',
  periodStart: '2027-03-01',
  periodEnd: '2027-03-31',
  amount: 200,
  currency: 'USD',
};

describe('POST /api/v1/campaign-spend', () => {
  test('upserts rows idempotently for a key that writes facts; readers may not', async () => {
    const first = await call('/api/v1/campaign-spend', { token: tokens.marketing, body: { rows: [row] } });
    expect(first).toEqual({ status: 200, body: { received: 1, inserted: 1, updated: 0 } });
    const again = await call('/api/v1/campaign-spend', { body: { rows: [{ ...row, amount: '250.00' }] } });
    expect(again.body).toEqual({ received: 1, inserted: 0, updated: 1 });
    const refused = await call('/api/v1/campaign-spend', { token: tokens.viewer, body: { rows: [row] } });
    expect(refused.status).toBe(403);
  });

  test('refuses the whole call with every bad row named', async () => {
    const bad = await call('/api/v1/campaign-spend', {
      body: {
        rows: [
          row,
          { ...row, periodStart: '2027-02-30', currency: 'usd' },
          { ...row, periodEnd: '2027-02-01', amount: '12.345' },
          row,
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details).toEqual({
      problems: [
        { row: 1, field: 'periodStart', message: 'period_start "2027-02-30" is not a date like 2027-03-01' },
        { row: 1, field: 'currency', message: 'currency "usd" is not an ISO 4217 code like USD' },
        { row: 2, field: 'periodEnd', message: 'period_end 2027-02-01 is before period_start 2027-03-01' },
        { row: 2, field: 'amount', message: 'amount 12.345 has more than two decimals' },
        {
          row: 3,
          field: 'row',
          message: 'repeats campaign brand, source "google" and period_start 2027-03-01 of row 1',
        },
      ],
    });
  });
});

describe('GET /api/v1/reports/ (sales reports)', () => {
  test('answers follow-through, close rates, attribution and the goal tree with their meta', async () => {
    for (const path of [
      '/api/v1/reports/follow-through?from=2027-03&to=2027-04&attemptDays=14',
      '/api/v1/reports/close-rates?from=2027-03&to=2027-04&segment=source=webinar',
      '/api/v1/reports/attribution?from=2027-03&to=2027-04&halfLifeDays=3.5',
      '/api/v1/reports/goal-tree?period=2027-Q1',
    ]) {
      const answer = await call(path, { token: tokens.viewer });
      expect(answer.status, path).toBe(200);
      expect(answer.body).toMatchObject({ agreementVersion: 1, asOf: now.toISOString() });
      expect(Object.keys(answer.body.definitions as object).length).toBeGreaterThan(2);
    }
    const follow = await call('/api/v1/reports/follow-through?from=2027-03&to=2027-04&attemptDays=14');
    expect(follow.body).toMatchObject({ attemptDays: 14, total: { handed: 0 } });
    const attribution = await call('/api/v1/reports/attribution?from=2027-03&to=2027-04');
    // The spend imported above counts for March: no revenue, so ROI is −100 %.
    expect(attribution.body).toMatchObject({
      halfLifeDays: 7,
      roi: { byCampaign: [{ key: 'brand', spend: 250, roi: { linear: -1 } }] },
    });
    const goal = await call('/api/v1/reports/goal-tree?period=2027-Q1');
    expect(goal.body).toMatchObject({
      total: { revenueGoal: 1_000_000 },
      averageDealSize: { amount: 24_000 },
    });
  });

  test('bad parameters are refused with a reason', async () => {
    const period = await call('/api/v1/reports/goal-tree?period=2027-Q5');
    expect(period.status).toBe(400);
    expect(period.body.error.message).toContain('is not a goal period');
    const days = await call('/api/v1/reports/follow-through?from=2027-03&to=2027-04&attemptDays=0');
    expect(days.status).toBe(400);
  });
});
