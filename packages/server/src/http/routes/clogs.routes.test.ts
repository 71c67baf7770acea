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
  for (const role of ['viewer', 'ingest']) {
    tokens[role] = (
      await createApiKey({ workspaceId: workspace.workspaceId, name: role, role, createdBy: 'test' }, deps)
    ).token;
  }
  http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
});

afterAll(async () => {
  await deps.close();
});

async function get(path: string, token = tokens.admin) {
  const response = await http.app.request(path, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & {
      definitions: Record<string, string>;
      error: { code: string; message: string };
    },
  };
}

describe('GET /api/v1/reports/clogs', () => {
  test('answers the period, the baseline before it, the options and definitions; nothing to test in an empty workspace', async () => {
    const answer = await get(
      '/api/v1/reports/clogs?from=2027-03-01&to=2027-03-08&segmentBy=source,persona&segmentBy=team&horizonDays=7&baselinePeriods=4',
      tokens.viewer,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      report: 'clogs',
      period: { from: '2027-03-01T05:00:00.000Z', to: '2027-03-08T05:00:00.000Z' },
      baseline: { from: '2027-02-01T05:00:00.000Z', to: '2027-03-01T05:00:00.000Z', periods: 4 },
      options: { horizonDays: 7, minSample: 10, alpha: 0.05, segmentBy: ['source', 'persona', 'team'] },
      clogs: [],
      checks: [],
    });
    expect(Object.keys(answer.body.definitions)).toEqual(
      expect.arrayContaining(['tests', 'multipleComparisons', 'impact']),
    );
  });

  test.each([
    ['segmentBy=colour!', /segmentBy/],
    ['minSample=2', /minSample/],
    ['alpha=0.5', /alpha/],
    ['baselinePeriods=0', /baselinePeriods/],
    ['segment=nonsense', /key=value/],
  ])('refuses %s with VALIDATION_FAILED', async (extra, message) => {
    const answer = await get(`/api/v1/reports/clogs?from=2027-03-01&to=2027-03-08&${extra}`);
    expect([answer.status, answer.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(answer.body.error.message).toMatch(message);
  });

  test('needs reports:read', async () => {
    expect((await get('/api/v1/reports/clogs?from=2027-03-01&to=2027-03-08', tokens.ingest)).status).toBe(
      403,
    );
  });
});
