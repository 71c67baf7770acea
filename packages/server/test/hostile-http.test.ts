import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type HttpApp } from '../src/http/app.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { openTestDeps } from './test-runtime.ts';

/**
 * Hostile bodies through the real HTTP stack: whatever arrives, the answer is a 2xx with what was
 * kept, or a 4xx with the error shape — never a 500 — and what was stored before is untouched.
 */

let deps: Awaited<ReturnType<typeof openTestDeps>>;
let http: HttpApp;
let token: string;
let workspaceId: string;

beforeAll(async () => {
  deps = await openTestDeps();
  const created = await createWorkspace({ name: 'Hostile', createdBy: 'test' }, deps);
  token = created.adminToken;
  workspaceId = created.workspaceId;
  http = createApp(deps, { version: 'test', maxBodyBytes: 64 * 1024, webDistDir: '/nonexistent' });
});

afterAll(async () => {
  await deps.close();
});

async function count(table: 'activities' | 'touches' | 'contacts'): Promise<number> {
  const result = (await deps.database.db.execute(
    sql`select count(*) as n from ${sql.identifier(table)} where workspace_id = ${workspaceId}`,
  )) as unknown as { rows: { n: string | number }[] };
  return Number(result.rows[0]?.n);
}

const nasty = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '__proto__',
    'constructor',
    "'; DROP TABLE touches; --",
    '\u0000',
    '\ud800',
    'x'.repeat(5000),
    '1e999',
  ),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const hostile: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nasty,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'type', 'batch', 'touches')),
      tie('value'),
      {
        maxKeys: 5,
      },
    ),
  ),
})).value;

const routes = [
  '/v1/batch',
  '/v1/track',
  '/v1/identify',
  '/api/v1/touches',
  '/api/v1/contacts',
  '/api/v1/feedback',
  '/api/v1/deal-events',
];

describe('hostile JSON through every write route', () => {
  test('never a 500, always the error shape on refusal, and nothing stored before is damaged', async () => {
    // Something good first, to check it survives.
    const good = await http.app.request('/api/v1/touches', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        touches: [
          {
            contact: { email: 'kept@acme.io' },
            repId: 'alex',
            kind: 'call',
            occurredAt: '2026-01-05T10:00:00Z',
          },
        ],
      }),
    });
    expect(good.status).toBe(200);
    const touchesBefore = await count('touches');

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(hostile, fc.record({ batch: fc.array(hostile, { maxLength: 5 }) })),
        async (route, body) => {
          const response = await http.app.request(route, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body) ?? 'null',
          });
          expect(response.status).toBeLessThan(500);
          const answer = (await response.json()) as Record<string, unknown>;
          if (response.status >= 400) expect(answer).toHaveProperty('error.code');
        },
      ),
      { numRuns: 250 },
    );

    // Bytes that are not JSON at all, and not UTF-8.
    for (const body of [new Uint8Array([0xff, 0xfe, 0x00, 0x7b]), '{"batch": [', '\u0000'.repeat(100)]) {
      for (const route of ['/v1/batch', '/api/v1/touches']) {
        const response = await http.app.request(route, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });
        expect(response.status).toBe(400);
      }
    }

    expect(await count('touches')).toBeGreaterThanOrEqual(touchesBefore);
    const kept = (await deps.database.db.execute(
      sql`select t.rep_id, t.kind from touches t join contacts c on c.workspace_id = t.workspace_id and c.id = t.contact_id
           where t.workspace_id = ${workspaceId} and c.email = 'kept@acme.io'`,
    )) as unknown as { rows: { rep_id: string; kind: string }[] };
    expect(kept.rows).toEqual([{ rep_id: 'alex', kind: 'call' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
