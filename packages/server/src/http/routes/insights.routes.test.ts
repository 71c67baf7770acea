import { parseAgreement } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { createApiKey } from '../../use-cases/api-keys/create-api-key.ts';
import { loadDemo } from '../../use-cases/demo/load-demo.ts';
import { runEngineUntilCaughtUp } from '../../use-cases/engine/run-engine.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

const now = new Date('2027-06-15T12:00:00Z');
let deps: Deps & { close(): Promise<void> };
let http: HttpApp;
let workspaceId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const workspace = await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps);
  workspaceId = workspace.workspaceId;
  tokens.admin = workspace.adminToken;
  for (const role of ['marketing', 'viewer', 'ingest', 'sales']) {
    tokens[role] = (await createApiKey({ workspaceId, name: role, role, createdBy: 'test' }, deps)).token;
  }
  await loadDemo({ workspaceId, contacts: 600, months: 12 }, deps);
  await runEngineUntilCaughtUp(deps, { workspaceId });
  http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
}, 300_000);

afterAll(async () => {
  await deps.close();
});

async function call(path: string, init: { token?: string; body?: unknown; method?: string } = {}) {
  const headers = new Headers();
  headers.set('authorization', `Bearer ${init.token ?? tokens.admin}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return http.app.request(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

type Json = Record<string, unknown> & { error: { code: string; message: string; details?: unknown } };
const json = async (response: Response) => (await response.json()) as Json;

async function countRows(table: 'scores' | 'contact_states' | 'stage_transitions') {
  const result = (await deps.database.db.execute(
    sql`select count(*) as n from ${sql.identifier(table)} where workspace_id = ${workspaceId}::uuid`,
  )) as unknown as { rows: { n: string | number }[] };
  return Number(result.rows[0]?.n);
}

describe('GET /api/v1/insights', () => {
  test('answers close rates with intervals, censoring, triggers and the model for every reader', async () => {
    const response = await call('/api/v1/insights?horizonDays=90&minLeads=10', { token: tokens.viewer });
    expect(response.status).toBe(200);
    const body = await json(response);
    const population = body.population as { leads: number; known: number; censored: number };
    expect(population.known).toBeGreaterThan(0);
    expect(population.censored).toBeGreaterThan(0);
    expect(population.known + population.censored).toBe(population.leads);
    const rows = body.closeRates as { key: string; low: number; high: number; closeRate: number }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.low).toBeLessThanOrEqual(row.closeRate);
      expect(row.high).toBeGreaterThanOrEqual(row.closeRate);
    }
    expect(body.horizonDays).toBe(90);
    expect((body.model as { weights: unknown[] }).weights.length).toBeGreaterThan(0);
  });

  test('refuses a key without insights:read and a bad horizon', async () => {
    expect((await call('/api/v1/insights', { token: tokens.ingest })).status).toBe(403);
    const bad = await call('/api/v1/insights?horizonDays=0');
    expect([bad.status, (await json(bad)).error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

describe('POST /api/v1/insights/suggestions and /api/v1/backtests', () => {
  test('suggests a valid candidate and backtests it beside the current agreement without writing anything', async () => {
    const suggestion = await call('/api/v1/insights/suggestions?horizonDays=90&minLeads=10', {
      token: tokens.marketing,
      method: 'POST',
    });
    expect(suggestion.status).toBe(200);
    const suggested = await json(suggestion);
    expect(parseAgreement(suggested.yaml as string).ok).toBe(true);
    expect(suggested.diff).toMatch(/interest\.activities/);

    const before = await Promise.all([
      countRows('scores'),
      countRows('contact_states'),
      countRows('stage_transitions'),
    ]);
    const response = await call('/api/v1/backtests', {
      token: tokens.marketing,
      body: { candidate: suggested.yaml, months: 3, horizonDays: 90 },
    });
    expect(response.status).toBe(200);
    const report = await json(response);
    expect(report.months).toHaveLength(3);
    const current = report.current as { months: { mqls: number }[]; totals: { mqls: number } };
    expect(current.months.reduce((sum, m) => sum + m.mqls, 0)).toBe(current.totals.mqls);
    expect(report.candidate).toMatchObject({ sla: { period: 'month' } });
    const after = await Promise.all([
      countRows('scores'),
      countRows('contact_states'),
      countRows('stage_transitions'),
    ]);
    expect(after).toEqual(before);
  }, 120_000);

  test('answers a candidate that does not validate with its issues, and refuses sales and viewers', async () => {
    const response = await call('/api/v1/backtests', { body: { candidate: 'name: [unclosed', months: 6 } });
    const body = await json(response);
    expect([response.status, body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((body.error.details as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
    for (const role of ['sales', 'viewer']) {
      const refused = await call('/api/v1/backtests', {
        token: tokens[role],
        body: { candidate: 'x', months: 6 },
      });
      expect(refused.status).toBe(403);
    }
  });
});

describe('GET /api/v1/scores/export', () => {
  test('streams every scored contact as CSV and as JSON with probability and reasons', async () => {
    const scores = await countRows('scores');
    expect(scores).toBeGreaterThan(0);
    const csv = await call('/api/v1/scores/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'contactId,email,fit,fitGrade,interest,quadrant,probability,reasons,agreementVersion',
    );
    expect(lines).toHaveLength(scores + 1);
    const items = (await (await call('/api/v1/scores/export?format=json')).json()) as {
      probability: number | null;
      reasons: { points: number }[];
      quadrant: string;
    }[];
    expect(items).toHaveLength(scores);
    const scored = items.filter((item) => item.probability !== null);
    expect(scored.length).toBeGreaterThan(0);
    for (const item of scored) {
      expect(item.probability).toBeGreaterThan(0);
      expect(item.probability).toBeLessThan(1);
    }
    expect(scored.some((item) => item.reasons.length > 0)).toBe(true);
    expect((await call('/api/v1/scores/export', { token: tokens.ingest })).status).toBe(403);
  });
});
