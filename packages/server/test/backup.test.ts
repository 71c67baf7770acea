import { PassThrough, Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAppError } from '../src/app-error.ts';
import type { Database } from '../src/db/client.ts';
import { createBackup } from '../src/use-cases/backup/create-backup.ts';
import { restoreBackup } from '../src/use-cases/backup/restore-backup.ts';
import { loadDemo } from '../src/use-cases/demo/load-demo.ts';
import { runEngineUntilCaughtUp } from '../src/use-cases/engine/run-engine.ts';
import { ingestMessages } from '../src/use-cases/ingest/ingest-messages.ts';
import { type TestDatabase, testDatabases } from '../src/use-cases/notifications/test-databases.ts';
import { createUser } from '../src/use-cases/users/create-user.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { openTestDeps } from './test-runtime.ts';

const now = new Date('2027-03-01T12:00:00Z');

async function backupToBuffer(deps: { database: Database; clock: () => Date }): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await createBackup({ to: sink, appVersion: 'test' }, deps);
  return Buffer.concat(chunks);
}

/**
 * Every table's rows and every sequence, as counts and digests computed independently of the
 * backup code (the row's text form, sorted byte-wise).
 */
async function contentsOf(database: Database): Promise<Record<string, string>> {
  const query = async <T>(statement: ReturnType<typeof sql>) =>
    ((await database.db.execute(statement)) as unknown as { rows: T[] }).rows;
  await database.db.execute(sql`set timezone = 'UTC'`);
  const tables = await query<{ name: string }>(
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const contents: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await query<{ n: string; digest: string }>(
      sql`select count(*)::text as n, md5(coalesce(string_agg(t::text, '|' order by t::text collate "C"), '')) as digest
          from ${sql.identifier(name)} t`,
    );
    contents[name] = `${row?.n} ${row?.digest}`;
  }
  const sequences = await query<{ name: string }>(
    sql`select sequence_name as name from information_schema.sequences where sequence_schema = 'public'`,
  );
  for (const { name } of sequences) {
    const [row] = await query<{ value: string }>(
      sql`select last_value::text || ' ' || is_called::text as value from ${sql.identifier(name)}`,
    );
    contents[`sequence ${name}`] = row?.value ?? '';
  }
  return contents;
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

describe.each(testDatabases)('backup and restore on %s', (_name, open) => {
  const opened: TestDatabase[] = [];
  let source: Awaited<ReturnType<typeof openTestDeps>>;
  let workspaceId: string;

  async function emptyTarget() {
    const target = await open();
    opened.push(target);
    return openTestDeps({ database: target.database, clock: () => now });
  }

  beforeAll(async () => {
    const own = await open();
    opened.push(own);
    source = await openTestDeps({ database: own.database, clock: () => now });
    const workspace = await createWorkspace({ name: 'Acme', createdBy: 'test' }, source);
    workspaceId = workspace.workspaceId;
    await createWorkspace({ name: 'Other', createdBy: 'test' }, source);
    await loadDemo({ workspaceId, contacts: 30, months: 2 }, source);
    await runEngineUntilCaughtUp(source, { workspaceId });
    await createUser(
      {
        workspaceId,
        email: 'ops@acme.example',
        name: 'Ops',
        role: 'admin',
        password: 'a long passphrase 1',
        createdBy: 'test',
      },
      source,
    );
  }, 120_000);

  afterAll(async () => {
    for (const database of opened.reverse()) await database.dispose().catch(() => {});
  });

  test('restores every table and sequence exactly, then refuses a database that is not empty', async () => {
    const before = await contentsOf(source.database);
    expect(Number(before.activities?.split(' ')[0])).toBeGreaterThan(50);
    expect(Number(before.scores?.split(' ')[0])).toBeGreaterThan(0);
    const file = await backupToBuffer(source);

    const target = await emptyTarget();
    const result = await restoreBackup({ from: Readable.from([file]) }, target);
    expect(result.erased).toBe(0);
    expect(result.tables.find((table) => table.name === 'activities')?.rows).toBe(
      Number(before.activities?.split(' ')[0]),
    );
    expect(await contentsOf(target.database)).toEqual(before);

    const refused = await failure(restoreBackup({ from: Readable.from([file]) }, target));
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toMatch(/not empty.*--force/);
    const forced = await restoreBackup({ from: Readable.from([file]), force: true }, target);
    expect(forced.erased).toBeGreaterThan(0);
    expect(await contentsOf(target.database)).toEqual(before);

    // The restored database keeps working: new facts get new sequence numbers, not used ones.
    await ingestMessages(
      {
        workspaceId,
        messages: [
          { type: 'track', event: 'Demo Requested', userId: 'after-restore', messageId: 'after-restore-1' },
        ],
      },
      target,
    );
    await target.ingest.close();
  });

  test('refuses a damaged or incomplete file and leaves the database untouched', async () => {
    const file = await backupToBuffer(source);
    const target = await emptyTarget();
    const empty = await contentsOf(target.database);
    const { gunzipSync, gzipSync } = await import('node:zlib');
    const text = gunzipSync(file).toString('utf8');

    const truncated = gzipSync(text.slice(0, text.lastIndexOf('{"$type":"manifest"')));
    expect((await failure(restoreBackup({ from: Readable.from([truncated]) }, target))).message).toMatch(
      /ends before its manifest/,
    );
    const tampered = gzipSync(text.replace('"Acme"', '"Acmf"'));
    const damaged = await failure(restoreBackup({ from: Readable.from([tampered]) }, target));
    expect(damaged.code).toBe('VALIDATION_FAILED');
    expect(damaged.message).toMatch(/workspaces.*checksum/);
    expect(
      (await failure(restoreBackup({ from: Readable.from([Buffer.from('not gzip')]) }, target))).message,
    ).toMatch(/cannot be decompressed/);
    expect(
      (await failure(restoreBackup({ from: Readable.from([gzipSync('{"hello":1}\n')]) }, target))).message,
    ).toMatch(/not a Smarketing backup/);
    expect(await contentsOf(target.database)).toEqual(empty);
    await target.ingest.close();
  });

  test('taken while events are being ingested, holds whole transactions only', async () => {
    let stop = false;
    const sent: string[][] = [];
    const writer = (async () => {
      for (let batch = 0; !stop || batch < 3; batch += 1) {
        const ids = Array.from({ length: 20 }, (_, index) => `live-${batch}-${index}`);
        await ingestMessages(
          {
            workspaceId,
            messages: ids.map((messageId) => ({
              type: 'track',
              event: 'Pricing Viewed',
              anonymousId: `visitor-${batch % 7}`,
              messageId,
            })),
          },
          source,
        );
        sent.push(ids);
        if (stop && batch > 3) break;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    })();
    // Let some batches commit before the backup starts.
    while (sent.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const file = await backupToBuffer(source);
    const sentBeforeEnd = sent.length;
    stop = true;
    await writer;

    const target = await emptyTarget();
    await restoreBackup({ from: Readable.from([file]) }, target);
    const restored = new Set(
      (
        (await target.database.db.execute(
          sql`select message_id as id from ingested_messages where message_id like 'live-%'`,
        )) as unknown as { rows: { id: string }[] }
      ).rows.map((row) => row.id),
    );
    // Each batch was one transaction: in the backup entirely or not at all.
    const whole = sent.map((ids) => ids.filter((id) => restored.has(id)).length);
    expect(whole.every((count) => count === 0 || count === 20)).toBe(true);
    expect(whole.filter((count) => count === 20).length).toBeGreaterThanOrEqual(2);
    expect(whole.filter((count) => count === 20).length).toBeLessThanOrEqual(sentBeforeEnd);
    expect(restored.size).toBe(whole.filter((count) => count === 20).length * 20);
    await target.ingest.close();
  });
});
