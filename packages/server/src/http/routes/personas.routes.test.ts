import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { createApiKey } from '../../use-cases/api-keys/create-api-key.ts';
import { listAudit } from '../../use-cases/audit/list-audit.ts';
import { createWorkspace } from '../../use-cases/workspaces/create-workspace.ts';
import { createApp, type HttpApp } from '../app.ts';

const now = new Date('2027-03-03T15:00:00Z');
let deps: Deps & { close(): Promise<void> };
let http: HttpApp;
let workspaceId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  deps = await openTestDeps({ clock: () => now });
  const workspace = await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps);
  workspaceId = workspace.workspaceId;
  tokens.admin = workspace.adminToken;
  for (const role of ['marketing', 'viewer']) {
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

const cfo = {
  id: 'finance-leader',
  label: 'Finance leader',
  description: 'Signs off the budget.',
  match: { trait: 'title', contains: 'cfo' },
  pains: ['Cannot tie marketing spend to revenue'],
};

describe('/api/v1/personas', () => {
  test('lists the personas of the current agreement with their version and contact counts', async () => {
    const listed = await call('GET', '/api/v1/personas', { token: tokens.viewer });
    expect(listed.status).toBe(200);
    expect(listed.body.version).toBe(1);
    const personas = listed.body.personas as {
      id: string;
      pains: string[];
      contacts: number;
      team?: string;
    }[];
    expect(personas.map((persona) => persona.id)).toEqual([
      'revops-leader',
      'marketing-leader',
      'sales-leader',
    ]);
    expect(personas[2]).toMatchObject({ team: 'enterprise-sales', contacts: 0 });
    expect(personas[0]?.pains.length).toBeGreaterThan(0);
  });

  test('each edit is a new agreement version whose only change is the persona, with its diff, audited', async () => {
    const created = await call('POST', '/api/v1/personas', {
      token: tokens.marketing,
      body: { version: 1, ...cfo },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      previousVersion: 1,
      version: 2,
      unchanged: false,
      persona: { ...cfo },
      changes: [{ path: 'personas[finance-leader]', kind: 'added' }],
    });

    const updated = await call('PUT', '/api/v1/personas/finance-leader', {
      token: tokens.marketing,
      body: { version: 2, ...cfo, id: undefined, team: 'enterprise-sales', pains: ['Board asks for ROI'] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(3);
    expect(updated.body.changes).toHaveLength(2);
    expect(updated.body.changes).toEqual(
      expect.arrayContaining([
        { path: 'personas[finance-leader].team', kind: 'added', after: 'enterprise-sales' },
        {
          path: 'personas[finance-leader].pains',
          kind: 'changed',
          before: ['Cannot tie marketing spend to revenue'],
          after: ['Board asks for ROI'],
        },
      ]),
    );

    // The stored document keeps the rest of the agreement as written, comments included.
    const current = await call('GET', '/api/v1/agreements/current');
    expect(current.body.document).toContain('# Personas: the people we sell to');
    expect(current.body.document).toContain('Board asks for ROI');
    const diff = await call('GET', '/api/v1/agreements/diff?from=1&to=3');
    expect(
      (diff.body.changes as { path: string }[]).every((change) => change.path.startsWith('personas')),
    ).toBe(true);

    const same = await call('PUT', '/api/v1/personas/finance-leader', {
      body: { version: 3, ...cfo, id: undefined, team: 'enterprise-sales', pains: ['Board asks for ROI'] },
    });
    expect(same.body).toMatchObject({ version: 3, unchanged: true, changes: [] });

    const deleted = await call('DELETE', '/api/v1/personas/finance-leader?version=3');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({
      version: 4,
      changes: [{ path: 'personas[finance-leader]', kind: 'removed' }],
    });
    expect(deleted.body.persona).toBeUndefined();

    const audit = await listAudit({ workspaceId, limit: 100 }, deps);
    expect(
      audit
        .filter((entry) => entry.action.startsWith('persona.'))
        .map((entry) => [entry.action, entry.target]),
    ).toEqual(
      expect.arrayContaining([
        ['persona.create', 'finance-leader'],
        ['persona.update', 'finance-leader'],
        ['persona.delete', 'finance-leader'],
      ]),
    );
    expect(audit.find((entry) => entry.action === 'persona.create')?.actor).toMatch(/api-key marketing/);
  });

  test('refuses a stale version with 409, and changes that break the agreement with its own checks', async () => {
    const stale = await call('PUT', '/api/v1/personas/revops-leader', {
      body: { version: 1, label: 'RevOps', match: { trait: 'title', contains: 'revops' } },
    });
    expect([stale.status, stale.body.error.code]).toEqual([409, 'CONFLICT']);
    expect(stale.body.error.message).toMatch(/version 4, not 1/);

    const referenced = await call('DELETE', '/api/v1/personas/sales-leader?version=4');
    expect([referenced.status, referenced.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(referenced.body.error.message).toMatch(/unknown persona "sales-leader"/);

    const badTeam = await call('PUT', '/api/v1/personas/sales-leader', {
      body: {
        version: 4,
        label: 'Sales leader',
        match: { trait: 'department', equals: 'sales' },
        team: 'nobody',
      },
    });
    expect(badTeam.status).toBe(400);
    expect(badTeam.body.error.message).toMatch(/personas\[2\]\.team|team/);

    const badMatch = await call('POST', '/api/v1/personas', {
      body: { version: 4, id: 'x', label: 'X', match: { activity: 'demo-requested' } },
    });
    expect(badMatch.status).toBe(400);

    const taken = await call('POST', '/api/v1/personas', {
      body: { version: 4, ...cfo, id: 'revops-leader' },
    });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'CONFLICT']);
    expect((await call('DELETE', '/api/v1/personas/nobody?version=4')).status).toBe(404);
    expect((await call('GET', '/api/v1/agreements')).body.versions).toHaveLength(4);
  });

  test('viewers read but cannot edit', async () => {
    const answer = await call('POST', '/api/v1/personas', {
      token: tokens.viewer,
      body: { version: 4, ...cfo },
    });
    expect(answer.status).toBe(403);
  });
});
