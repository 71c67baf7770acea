import { defaultAgreementYaml } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

let deps: Awaited<ReturnType<typeof openTestDeps>>;
let http: HttpApp;
let admin: string;
let workspaceId: string;

beforeAll(async () => {
  deps = await openTestDeps();
  const created = await createWorkspace({ name: 'Audited', createdBy: 'cli alice' }, deps);
  admin = created.adminToken;
  workspaceId = created.workspaceId;
  http = createApp(deps, {
    version: 'test',
    maxBodyBytes: 1_000_000,
    webDistDir: '/nonexistent',
    webhookAllowPrivate: true,
  });
});

afterAll(async () => {
  await deps.close();
});

function call(method: string, path: string, token: string, body?: unknown) {
  return http.app.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('the audit log', () => {
  test('records who applied an agreement, created and revoked keys, and created and deleted webhooks', async () => {
    const changed = defaultAgreementYaml.replace('target: 400', 'target: 450');
    expect(
      (await call('POST', '/api/v1/agreements', admin, { document: changed, note: 'raise the target' }))
        .status,
    ).toBe(201);
    const key = (await (
      await call('POST', '/api/v1/api-keys', admin, { name: 'reporting', role: 'viewer' })
    ).json()) as {
      id: string;
      token: string;
    };
    expect((await call('DELETE', `/api/v1/api-keys/${key.id}`, admin)).status).toBe(204);
    const hook = (await (
      await call('POST', '/api/v1/webhooks', admin, { url: 'http://127.0.0.1:9/hook', format: 'json' })
    ).json()) as {
      id: string;
    };
    expect((await call('DELETE', `/api/v1/webhooks/${hook.id}`, admin)).status).toBe(204);

    const answer = await call('GET', '/api/v1/audit?limit=20', admin);
    expect(answer.status).toBe(200);
    const { entries } = (await answer.json()) as {
      entries: { action: string; actor: string; target: string | null; detail: unknown }[];
    };
    expect(entries.map((entry) => entry.action)).toEqual([
      'webhook.delete',
      'webhook.create',
      'api-key.revoke',
      'api-key.create',
      'agreement.apply',
      'api-key.create',
      'agreement.apply',
    ]);
    expect(entries[0]?.actor).toMatch(/^api-key first admin \(smk_/);
    expect(entries.at(-1)).toMatchObject({ actor: 'cli alice', target: '1' });
    expect(entries[4]).toMatchObject({ target: '2', detail: { version: 2, note: 'raise the target' } });
    expect(entries[3]).toMatchObject({ target: key.id, detail: { name: 'reporting', role: 'viewer' } });
    // Secrets never reach the log: neither the key's token nor the webhook's secret or full URL path.
    expect(JSON.stringify(entries)).not.toContain(key.token);
  });

  test('filters by action, exports NDJSON, and is for admins only', async () => {
    const filtered = (await (await call('GET', '/api/v1/audit?action=api-key.revoke', admin)).json()) as {
      entries: unknown[];
    };
    expect(filtered.entries).toHaveLength(1);
    const exported = await call('GET', '/api/v1/audit/export?limit=3', admin);
    expect(exported.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await exported.text()).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0] ?? '{}')).toHaveProperty('action', 'webhook.delete');

    const manager = (await (
      await call('POST', '/api/v1/api-keys', admin, { name: 'boss', role: 'manager' })
    ).json()) as {
      token: string;
    };
    expect((await call('GET', '/api/v1/audit', manager.token)).status).toBe(403);
    expect((await call('GET', '/api/v1/audit/export', manager.token)).status).toBe(403);
    expect((await call('GET', '/api/v1/audit?limit=0', admin)).status).toBe(400);
  });

  test('entries cannot be changed or deleted', async () => {
    const failure = async (statement: ReturnType<typeof sql>) => {
      try {
        await deps.database.db.execute(statement);
      } catch (error) {
        return String((error as { cause?: { message?: string } }).cause?.message ?? error);
      }
      return 'no error';
    };
    expect(
      await failure(sql`update audit_log set actor = 'someone else' where workspace_id = ${workspaceId}`),
    ).toMatch(/append-only/);
    expect(await failure(sql`delete from audit_log where workspace_id = ${workspaceId}`)).toMatch(
      /append-only/,
    );
  });
});
