import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import { createApiKey } from '../../use-cases/api-keys/create-api-key.ts';
import { loadDemo } from '../../use-cases/demo/load-demo.ts';
import { importWorkspaceExport } from '../../use-cases/imports/import-workspace-export.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

const now = new Date('2027-03-01T12:00:00Z');
let deps: Awaited<ReturnType<typeof openTestDeps>>;
let http: HttpApp;
let workspaceId: string;
let adminToken: string;
let managerToken: string;

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const workspace = await createWorkspace({ name: 'Acme', slug: 'acme', createdBy: 'test' }, deps);
  workspaceId = workspace.workspaceId;
  adminToken = workspace.adminToken;
  managerToken = (await createApiKey({ workspaceId, name: 'm', role: 'manager', createdBy: 'test' }, deps))
    .token;
  await loadDemo({ workspaceId, contacts: 15, months: 1 }, deps);
  http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
}, 120_000);

afterAll(async () => {
  await deps.close();
});

describe('GET /api/v1/workspace/export', () => {
  test('streams the NDJSON export to an admin, audited, and import reads it back', async () => {
    const response = await http.app.request('/api/v1/workspace/export', {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const body = await response.text();
    const lines = body.trimEnd().split('\n');
    const header = JSON.parse(lines[0] ?? '') as { kind: string; counts: Record<string, number> };
    expect(header.kind).toBe('header');
    expect(Number(response.headers.get('x-smarketing-export-records'))).toBe(lines.length - 1);
    expect(header.counts.activity).toBeGreaterThan(0);

    const audited = (await deps.database.db.execute(
      sql`select actor from audit_log where workspace_id = ${workspaceId}::uuid and action = 'workspace.export'`,
    )) as unknown as { rows: { actor: string }[] };
    expect(audited.rows).toHaveLength(1);

    const copy = await importWorkspaceExport(
      { from: Readable.from([body]), slug: 'acme-copy', actor: 'test', replay: false },
      deps,
    );
    expect(copy.counts).toEqual(header.counts);
  });

  test('refuses a key without workspace:export', async () => {
    const response = await http.app.request('/api/v1/workspace/export', {
      headers: { authorization: `Bearer ${managerToken}` },
    });
    expect(response.status).toBe(403);
    const anonymous = await http.app.request('/api/v1/workspace/export');
    expect(anonymous.status).toBe(401);
  });
});
