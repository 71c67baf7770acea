import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { DealEventRecord } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import { isAppError } from '../../app-error.ts';
import type { Database } from '../../db/client.ts';
import { createAnnouncement } from '../announcements/create-announcement.ts';
import { importCampaignSpend } from '../campaign-spend/import-campaign-spend.ts';
import { loadDemo } from '../demo/load-demo.ts';
import { moveStage } from '../engine/move-stage.ts';
import { runEngineUntilCaughtUp } from '../engine/run-engine.ts';
import { recordDealEvents } from '../facts/record-deal-events.ts';
import { importWorkspaceExport } from '../imports/import-workspace-export.ts';
import { ingestMessages } from '../ingest/ingest-messages.ts';
import { type TestDatabase, testDatabases } from '../notifications/test-databases.ts';
import { editPersonas } from '../personas/edit-personas.ts';
import { reassignContact } from '../reassign/reassign-contact.ts';
import { createWorkspace } from '../workspaces/create-workspace.ts';
import type { ExportHeader } from './export-format.ts';
import { exportWorkspace } from './export-workspace.ts';

const now = new Date('2027-03-01T12:00:00Z');
type TestDeps = Awaited<ReturnType<typeof openTestDeps>>;

async function exportText(
  deps: TestDeps,
  workspaceId: string,
): Promise<{ header: ExportHeader; body: string[] }> {
  const { stream } = await exportWorkspace({ workspaceId, actor: 'test', appVersion: 'test' }, deps);
  const [first, ...body] = (await text(stream)).split('\n');
  expect(body.pop()).toBe('');
  return { header: JSON.parse(first ?? '') as ExportHeader, body };
}

const fileOf = (exported: { header: ExportHeader; body: string[] }) =>
  `${[JSON.stringify(exported.header), ...exported.body].join('\n')}\n`;

async function query<T>(database: Database, statement: ReturnType<typeof sql>): Promise<T[]> {
  return ((await database.db.execute(statement)) as unknown as { rows: T[] }).rows;
}

/**
 * The engine's derived rows of a workspace, contact by contact, without the workspace id and
 * without `seq` numbers (the engine's cursor): the same facts in the same order give the same rows.
 */
async function derivedState(database: Database, workspaceId: string): Promise<Record<string, string[]>> {
  const tables = {
    contact_states: sql`contact_id`,
    scores: sql`contact_id`,
    assignments: sql`contact_id, id`,
    sla_clocks: sql`contact_id, id`,
    engine_alerts: sql`contact_id, id`,
    account_owners: sql`account_id`,
    // A rollup the triggers on contacts, scores and activities keep as the import writes them.
    contact_segments: sql`contact_id`,
  };
  const state: Record<string, string[]> = {};
  for (const [table, order] of Object.entries(tables)) {
    const found = await query<{ line: string }>(
      database,
      sql`select (to_jsonb(t) - 'workspace_id' - 'seq')::text as line from ${sql.identifier(table)} t
           where workspace_id = ${workspaceId}::uuid order by ${order}`,
    );
    state[table] = found.map((row) => row.line);
  }
  const transitions = await query<{ line: string }>(
    database,
    sql`select (to_jsonb(t) - 'workspace_id' - 'seq')::text as line from stage_transitions t
         where workspace_id = ${workspaceId}::uuid and external_id like 'engine:%' order by contact_id, id`,
  );
  state.engine_transitions = transitions.map((row) => row.line);
  return state;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a failure');
}

describe.each(testDatabases)('workspace export and import on %s', (_name, open) => {
  const opened: TestDatabase[] = [];
  let source: TestDeps;
  let workspaceId: string;
  let original: { header: ExportHeader; body: string[] };

  async function freshDeps(): Promise<TestDeps> {
    const own = await open();
    opened.push(own);
    return openTestDeps({ database: own.database, clock: () => now });
  }

  beforeAll(async () => {
    source = await freshDeps();
    const workspace = await createWorkspace({ name: 'Acme', slug: 'acme', createdBy: 'test' }, source);
    workspaceId = workspace.workspaceId;
    await createWorkspace({ name: 'Other', createdBy: 'test' }, source);
    // A second agreement version: a persona added.
    await editPersonas(
      {
        workspaceId,
        expectedVersion: 1,
        edit: {
          kind: 'create',
          persona: {
            id: 'founder',
            label: 'Founder',
            match: { trait: 'title', contains: 'founder' },
          },
        },
        editedBy: 'test',
      },
      source,
    );
    await loadDemo({ workspaceId, contacts: 40, months: 2 }, source);
    // Merges through alias and identify (two known contacts each time, so separate batches), with
    // trait changes and an account by e-mail domain.
    const messages = [
      { type: 'track', event: 'Pricing Viewed', anonymousId: 'anon-1', timestamp: '2027-02-20T10:00:00Z' },
      {
        type: 'identify',
        userId: 'u-1',
        traits: { email: 'pat@bigco.example', title: 'Founder' },
        timestamp: '2027-02-20T10:05:00Z',
      },
      { type: 'alias', previousId: 'anon-1', userId: 'u-1', timestamp: '2027-02-20T10:06:00Z' },
      { type: 'track', event: 'Demo Requested', userId: 'u-1', timestamp: '2027-02-21T09:00:00Z' },
      { type: 'page', name: 'Pricing', anonymousId: 'anon-2', timestamp: '2027-02-21T10:00:00Z' },
      {
        type: 'identify',
        anonymousId: 'anon-2',
        userId: 'u-1',
        traits: { title: 'Co-Founder & CEO' },
        timestamp: '2027-02-22T09:00:00Z',
      },
    ];
    for (const [index, message] of messages.entries()) {
      await ingestMessages({ workspaceId, messages: [{ ...message, messageId: `m${index}` }] }, source);
    }
    // Deals won and lost, with amounts and reasons.
    const deal = (dealId: string, email: string, close: Partial<DealEventRecord>): DealEventRecord[] => {
      const base = { ref: { email }, dealId, source: 'crm' };
      return [
        {
          ...base,
          kind: 'created',
          occurredAt: new Date('2027-02-23T10:00:00Z'),
          name: dealId,
          stage: 'discovery',
          amount: '12000.50',
          externalId: `${dealId}:1`,
        },
        {
          ...base,
          kind: 'won',
          occurredAt: new Date('2027-02-25T10:00:00Z'),
          externalId: `${dealId}:2`,
          ...close,
        },
      ];
    };
    await recordDealEvents(
      {
        workspaceId,
        records: [
          ...deal('crm:won', 'pat@bigco.example', {
            kind: 'won',
            reason: 'best fit',
            closeDate: '2027-02-25',
          } as DealEventRecord),
          ...deal('crm:lost', 'lee@smallco.example', {
            kind: 'lost',
            reason: 'price',
            closeDate: '2027-02-25',
          } as DealEventRecord),
        ],
      },
      source,
    );
    await runEngineUntilCaughtUp(source, { workspaceId });
    const [moved] = await query<{ id: string }>(
      source.database,
      sql`select c.id from contacts c join contact_states s on s.workspace_id = c.workspace_id and s.contact_id = c.id
           where c.workspace_id = ${workspaceId}::uuid and c.merged_into_id is null and s.stage = 'lead'
           order by c.id limit 1`,
    );
    if (moved) {
      await moveStage(
        { workspaceId, contactId: moved.id, to: 'disqualified', reason: 'no-budget', actor: 'test' },
        source,
      ).catch(() => moveStage({ workspaceId, contactId: moved.id, to: 'mql', actor: 'test' }, source));
    }
    await importCampaignSpend(
      {
        workspaceId,
        rows: [
          {
            campaign: 'spring-launch',
            source: 'google',
            periodStart: '2027-01-01',
            periodEnd: '2027-01-31',
            amount: '1234.56',
            currency: 'USD',
          },
          {
            campaign: 'spring-launch',
            periodStart: '2027-02-01',
            periodEnd: '2027-02-28',
            amount: 800,
            currency: 'USD',
          },
        ],
        importedBy: 'test',
      },
      source,
    );
    await createAnnouncement(
      {
        workspaceId,
        input: {
          kind: 'product',
          title: 'Forecasts',
          body: 'New **forecast** page',
          effectiveAt: '2027-02-15',
        },
        createdBy: 'test',
      },
      source,
    );
    const [owned] = await query<{ id: string }>(
      source.database,
      sql`select contact_id::text as id from contact_states where workspace_id = ${workspaceId}::uuid and owner_rep_id is not null and owner_rep_id <> 'sam'
           order by contact_id limit 1`,
    );
    await reassignContact(
      { workspaceId, contactId: owned?.id ?? '', repId: 'sam', reason: 'territory', actor: 'test' },
      source,
    );
    await runEngineUntilCaughtUp(source, { workspaceId });
    original = await exportText(source, workspaceId);
  }, 240_000);

  afterAll(async () => {
    for (const database of opened.reverse()) await database.dispose().catch(() => {});
  });

  test('exports every kind of fact, counted and hashed in the header', async () => {
    const { header, body } = original;
    expect(header).toMatchObject({
      kind: 'header',
      format: 'smarketing-workspace-export',
      formatVersion: 1,
      agreementVersion: 2,
    });
    expect(header.workspace.slug).toBe('acme');
    for (const kind of [
      'agreement-version',
      'account',
      'contact',
      'identity',
      'deal',
      'campaign-spend',
      'announcement',
      'contact-change',
      'activity',
      'touch',
      'deal-event',
      'feedback',
      'stage-transition',
    ] as const) {
      expect(header.counts[kind], kind).toBeGreaterThan(0);
    }
    expect(header.counts['agreement-version']).toBe(2);
    expect(header.counts['campaign-spend']).toBe(2);
    expect(body.length).toBe(Object.values(header.counts).reduce((sum, n) => sum + n, 0));
    // Counted independently of the export: the workspace's rows, engine transitions left out.
    const [stored] = await query<{ activities: number; changes: number; facts: number; merged: number }>(
      source.database,
      sql`select (select count(*)::int from activities where workspace_id = ${workspaceId}::uuid) as activities,
                 (select count(*)::int from contact_changes where workspace_id = ${workspaceId}::uuid) as changes,
                 (select count(*)::int from stage_transitions where workspace_id = ${workspaceId}::uuid and coalesce(external_id, '') not like 'engine:%') as facts,
                 (select count(*)::int from contacts where workspace_id = ${workspaceId}::uuid and merged_into_id is not null) as merged`,
    );
    expect(header.counts.activity).toBe(stored?.activities);
    expect(header.counts['contact-change']).toBe(stored?.changes);
    expect(header.counts['stage-transition']).toBe(stored?.facts);
    expect(stored?.merged).toBeGreaterThan(0);
    expect(stored?.facts).toBeGreaterThan(0);
    expect(header.counts.reassignment).toBe(1);
    expect(body.some((line) => line.includes('"verdict"') && line.startsWith('{"kind":"feedback"'))).toBe(
      true,
    );
    const dealKinds = new Set(
      body
        .filter((line) => line.startsWith('{"kind":"deal-event"'))
        .map((line) => (JSON.parse(line) as { row: { kind: string } }).row.kind),
    );
    expect([...dealKinds].sort()).toEqual(['created', 'lost', 'won']);
    expect(body.some((line) => line.includes('"engine:'))).toBe(false);
    // Nothing of another workspace.
    const other = await query<{ id: string }>(
      source.database,
      sql`select id::text from workspaces where slug <> 'acme'`,
    );
    expect(body.some((line) => line.includes(other[0]?.id ?? 'none'))).toBe(false);
  });

  test('imports into a fresh database, exports again identically, and replays to the same derived state', async () => {
    const target = await freshDeps();
    const imported = await importWorkspaceExport(
      { from: Readable.from([fileOf(original)]), actor: 'test' },
      target,
    );
    expect(imported.alreadyImported).toBe(false);
    expect(imported.adminToken).toMatch(/^smk_/);
    expect(imported.counts).toEqual(original.header.counts);
    expect(imported.replay?.contacts).toBeGreaterThan(0);

    const again = await exportText(target, imported.workspaceId);
    expect(again.body).toEqual(original.body);
    const { workspace, exportedAt, ...rest } = again.header;
    const { workspace: originalWorkspace, exportedAt: _t, ...originalRest } = original.header;
    expect(rest).toEqual(originalRest);
    expect(workspace).toEqual({ ...originalWorkspace, id: imported.workspaceId });
    expect(workspace.id).not.toBe(originalWorkspace.id);

    // Derived state: the original processed live; the copy replayed.
    const expected = await derivedState(source.database, workspaceId);
    expect(expected.scores?.length).toBeGreaterThan(40);
    expect(expected.contact_segments?.length).toBeGreaterThan(40);
    expect(await derivedState(target.database, imported.workspaceId)).toEqual(expected);

    // Idempotent: the same export again adds nothing.
    const retried = await importWorkspaceExport(
      { from: Readable.from([fileOf(original)]), actor: 'test' },
      target,
    );
    expect(retried).toMatchObject({
      alreadyImported: true,
      workspaceId: imported.workspaceId,
      adminToken: null,
      replay: null,
    });
    expect((await exportText(target, imported.workspaceId)).body).toEqual(original.body);
    await target.ingest.close();
  }, 240_000);

  test('imports beside the original in the same database under another slug', async () => {
    const copy = await importWorkspaceExport(
      { from: Readable.from([fileOf(original)]), slug: 'acme-copy', actor: 'test' },
      source,
    );
    expect((await exportText(source, copy.workspaceId)).body).toEqual(original.body);
    expect(await derivedState(source.database, copy.workspaceId)).toEqual(
      await derivedState(source.database, workspaceId),
    );
    // A workspace holding other data is refused.
    const refused = await failure(
      importWorkspaceExport(
        { from: Readable.from([fileOf(original)]), slug: 'other', actor: 'test' },
        source,
      ),
    );
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toMatch(/"other" already holds data/);
  }, 240_000);

  test('refuses a tampered, truncated or malformed export and writes nothing', async () => {
    const target = await freshDeps();
    const rowsIn = async () =>
      (
        await query<{ n: number }>(
          target.database,
          sql`select (select count(*)::int from workspaces) + (select count(*)::int from api_keys)
                   + (select count(*)::int from agreement_versions) + (select count(*)::int from contacts)
                   + (select count(*)::int from contact_changes) + (select count(*)::int from activities)
                   + (select count(*)::int from audit_log) as n`,
        )
      )[0]?.n;
    const activityLine = original.body.findIndex((line) => line.startsWith('{"kind":"activity"'));
    const tampered = original.body.map((line, index) =>
      index === activityLine
        ? line.replace(/"occurred_at": "(\d{4})/, (_m, year: string) => `"occurred_at": "${Number(year) - 1}`)
        : line,
    );
    expect(tampered[activityLine]).not.toBe(original.body[activityLine]);
    const cases: [string, string, RegExp][] = [
      [
        'tampered',
        fileOf({ ...original, body: tampered }),
        /activity records do not match the header's SHA-256/,
      ],
      [
        'truncated',
        fileOf({ ...original, body: original.body.slice(0, -5) }),
        /announces \d+ .* records and the file holds/,
      ],
      [
        'unknown kind',
        fileOf({
          ...original,
          body: [...original.body.slice(0, 4), '{"kind":"secret","row":{}}', ...original.body.slice(4)],
        }),
        /Line 6 of the export: an unknown kind "secret"/,
      ],
      [
        'bad line',
        fileOf({
          ...original,
          body: [...original.body.slice(0, 2), '{"kind":"account",', ...original.body.slice(2)],
        }),
        /Line 4 of the export: a line that is not valid JSON/,
      ],
      [
        'out of order',
        fileOf({ ...original, body: [...original.body, original.body[0] ?? ''] }),
        /agreement-version record after the facts began/,
      ],
      ['not an export', 'id,email\n1,a@b.example\n', /Line 1 is not the header/],
    ];
    for (const [label, file, message] of cases) {
      const refused = await failure(
        importWorkspaceExport({ from: Readable.from([file]), actor: 'test' }, target),
      );
      expect(refused.code, label).toBe('VALIDATION_FAILED');
      expect(refused.message, label).toMatch(message);
      expect(await rowsIn(), label).toBe(0);
    }
    await target.ingest.close();
  }, 240_000);
});
