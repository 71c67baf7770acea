import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type HttpApp } from '../src/http/app.ts';
import { createApiKey } from '../src/use-cases/api-keys/create-api-key.ts';
import { loadDemo } from '../src/use-cases/demo/load-demo.ts';
import { replayEngine } from '../src/use-cases/engine/replay-engine.ts';
import { runEngineUntilCaughtUp } from '../src/use-cases/engine/run-engine.ts';
import { type TestDatabase, testDatabases } from '../src/use-cases/notifications/test-databases.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { openTestDeps } from './test-runtime.ts';

const now = new Date('2027-03-01T12:00:00Z');
const at = '2027-02-27T10:00:00Z';
const person = {
  email: 'erase.me@target-person.example',
  userId: 'target-user-4711',
  anonymousId: 'target-anon-4711',
  name: 'Erica Target-Person',
};

describe.each(testDatabases)('erasing a person on %s', (_name, open) => {
  let own: TestDatabase;
  let deps: Awaited<ReturnType<typeof openTestDeps>>;
  let http: HttpApp;
  let workspaceId: string;
  let admin: string;

  async function call(method: string, path: string, token: string, body?: unknown) {
    const response = await http.app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const query = async <T>(statement: ReturnType<typeof sql>) =>
    ((await deps.database.db.execute(statement)) as unknown as { rows: T[] }).rows;

  async function tables(): Promise<string[]> {
    return (
      await query<{ name: string }>(
        sql`select table_name as name from information_schema.tables
            where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
      )
    ).map((row) => row.name);
  }

  /** Rows of every table that mention one of `secrets`, as "table: row text". */
  async function mentionsOf(secrets: string[]): Promise<string[]> {
    const found: string[] = [];
    for (const table of await tables()) {
      const rows = await query<{ text: string }>(
        sql`select t::text as text from ${sql.identifier(table)} t
            where t::text like any(array(select '%' || s || '%' from jsonb_array_elements_text(${JSON.stringify(secrets)}::jsonb) s))`,
      );
      for (const row of rows) found.push(`${table}: ${row.text.slice(0, 300)}`);
    }
    return found;
  }

  /** Every table's rows that do not mention a secret, as a digest per table. */
  async function othersDigest(secrets: string[]): Promise<Record<string, string>> {
    const digest: Record<string, string> = {};
    // API keys record when they were last used, which the requests here change.
    for (const table of (await tables()).filter((name) => name !== 'api_keys')) {
      const [row] = await query<{ d: string }>(
        sql`select count(*)::text || ' ' || md5(coalesce(string_agg(t::text, '|' order by t::text collate "C"), '')) as d
            from ${sql.identifier(table)} t
            where not (t::text like any(array(select '%' || s || '%' from jsonb_array_elements_text(${JSON.stringify(secrets)}::jsonb) s)))`,
      );
      digest[table] = row?.d ?? '';
    }
    return digest;
  }

  async function derivedDigest(): Promise<Record<string, string>> {
    const digest: Record<string, string> = {};
    for (const table of [
      'contact_states',
      'scores',
      'assignments',
      'sla_clocks',
      'engine_alerts',
      'stage_transitions',
    ]) {
      const [row] = await query<{ d: string }>(
        sql`select count(*)::text || ' ' || md5(coalesce(string_agg(t::text, '|' order by t::text collate "C"), '')) as d
            from ${sql.identifier(table)} t where workspace_id = ${workspaceId}`,
      );
      digest[table] = row?.d ?? '';
    }
    return digest;
  }

  beforeAll(async () => {
    own = await open();
    deps = await openTestDeps({ database: own.database, clock: () => now });
    const workspace = await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps);
    workspaceId = workspace.workspaceId;
    admin = workspace.adminToken;
    http = createApp(deps, { version: 'test', maxBodyBytes: 1 << 20, webDistDir: '/nonexistent' });
    await loadDemo({ workspaceId, contacts: 25, months: 2 }, deps);
    const ingest = (
      await createApiKey({ workspaceId, name: 'segment', role: 'ingest', createdBy: 'test' }, deps)
    ).token;
    // Two contacts (an anonymous visitor and a known user) that an identify call merges.
    const batch = await call('POST', '/v1/batch', ingest, {
      batch: [
        {
          type: 'page',
          messageId: 'target-1',
          anonymousId: person.anonymousId,
          name: 'Pricing',
          // A touchpoint: the contact's row in the segments rollup gets a first touchpoint.
          context: { page: { url: 'https://example.com/pricing?utm_campaign=spring&utm_source=ads' } },
          timestamp: at,
        },
        {
          type: 'track',
          messageId: 'target-2',
          userId: person.userId,
          event: 'Demo Requested',
          timestamp: at,
        },
        {
          type: 'identify',
          messageId: 'target-3',
          userId: person.userId,
          anonymousId: person.anonymousId,
          traits: { email: person.email, name: person.name, title: 'VP Marketing', company: 'Target Co' },
          timestamp: at,
        },
        { type: 'bogus', messageId: 'target-4', userId: person.userId, traits: { email: person.email } },
      ],
    });
    expect(batch.body).toMatchObject({ accepted: 3 });
    const ref = { email: person.email };
    for (const [path, body] of [
      [
        '/api/v1/touches',
        { touches: [{ contact: ref, repId: 'alex', kind: 'call', occurredAt: at, externalId: 't-target' }] },
      ],
      [
        '/api/v1/feedback',
        {
          feedback: [
            {
              contact: ref,
              repId: 'alex',
              verdict: 'accept',
              rating: 4,
              occurredAt: at,
              externalId: 'f-target',
            },
          ],
        },
      ],
      [
        '/api/v1/deal-events',
        {
          events: [
            {
              contact: ref,
              dealId: 'deal-target',
              kind: 'created',
              name: 'Target deal',
              amount: '900.00',
              occurredAt: at,
              externalId: 'd-target',
            },
          ],
        },
      ],
    ] as const) {
      expect((await call('POST', path, admin, body)).body).toMatchObject({ created: 1, rejected: [] });
    }
    await runEngineUntilCaughtUp(deps, { workspaceId });
  }, 120_000);

  afterAll(async () => {
    await deps?.close();
    await own?.dispose();
  });

  test('removes every row about the person and nothing else, and the engine does not bring it back', async () => {
    const family = await query<{ id: string }>(
      sql`select distinct contact_id::text as id from contact_identities
          where workspace_id = ${workspaceId} and value in (${person.email}, ${person.userId}, ${person.anonymousId})
          union select id::text from contacts where workspace_id = ${workspaceId}
            and merged_into_id in (select contact_id from contact_identities where value = ${person.email})`,
    );
    const ids = family.map((row) => row.id);
    expect(ids.length).toBeGreaterThanOrEqual(1);
    const secrets = [person.email, person.userId, person.anonymousId, person.name, ...ids];
    const before = await mentionsOf(secrets);
    for (const table of [
      'contacts',
      'contact_identities',
      'contact_changes',
      'activities',
      'touches',
      'feedback',
      'deal_events',
      'scores',
      'contact_states',
      'ingest_drops',
      'contact_segments',
    ]) {
      expect(
        before.some((row) => row.startsWith(`${table}:`)),
        table,
      ).toBe(true);
    }
    const viewer = (await createApiKey({ workspaceId, name: 'v', role: 'viewer', createdBy: 'test' }, deps))
      .token;
    const others = await othersDigest(secrets);

    // Refused to other roles; found by e-mail in any case.
    expect(
      (await call('DELETE', `/api/v1/contacts/${encodeURIComponent(person.email)}`, viewer)).status,
    ).toBe(403);
    const erased = await call(
      'DELETE',
      `/api/v1/contacts/${encodeURIComponent(person.email.toUpperCase())}`,
      admin,
    );
    expect(erased.status).toBe(200);
    expect([...(erased.body.contactIds as string[])].sort()).toEqual(
      expect.arrayContaining(ids.filter((id) => id)),
    );

    const left = await mentionsOf(secrets);
    // Only the audit entry remains, holding ids and counts: no e-mail, user id, name.
    expect(left.filter((row) => !row.startsWith('audit_log:'))).toEqual([]);
    const audit = left.filter((row) => row.startsWith('audit_log:'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toContain('contact.erase');
    for (const personal of [person.email, person.userId, person.anonymousId, person.name]) {
      expect(audit[0]).not.toContain(personal);
    }
    // Nothing about anyone else changed.
    expect(await othersDigest(secrets)).toEqual(others);

    // Live processing and a replay from the facts agree, and neither brings the person back.
    await runEngineUntilCaughtUp(deps, { workspaceId });
    const live = await derivedDigest();
    await replayEngine(deps, { workspaceId });
    expect(await derivedDigest()).toEqual(live);
    expect((await mentionsOf(secrets)).filter((row) => !row.startsWith('audit_log:'))).toEqual([]);

    expect((await call('DELETE', `/api/v1/contacts/${ids[0]}`, admin)).status).toBe(404);
  });
});
