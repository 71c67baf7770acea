import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, inject, test } from 'vitest';
import { type Database, openDatabase } from '../src/db/client.ts';
import { startServerProcess } from './server-process.ts';

/**
 * SIGKILL during sustained ingestion: every acknowledged event must be stored exactly once, and
 * no batch may be stored in part, on PGlite (its data folder) and on PostgreSQL.
 */
const batchSize = 40;

async function ingestUntilKilled(url: string, token: string, kill: () => void) {
  const acknowledged: string[] = [];
  const attempted: string[] = [];
  const auth = `Basic ${Buffer.from(`${token}:`).toString('base64')}`;
  let killed = false;
  const killer = setTimeout(() => {
    killed = true;
    kill();
  }, 1_500);
  const worker = async (lane: number) => {
    for (let round = 0; !killed && round < 10_000; round++) {
      const batchId = `k${lane}-${round}`;
      attempted.push(batchId);
      const batch = Array.from({ length: batchSize }, (_, index) => ({
        type: 'track',
        messageId: `${batchId}-${index}`,
        anonymousId: `visitor-${lane}-${index % 7}`,
        event: index % 3 === 0 ? 'Demo Requested' : 'Content Downloaded',
      }));
      try {
        const response = await fetch(`${url}/v1/batch`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ batch }),
        });
        if (response.status === 200) {
          const outcome = (await response.json()) as { accepted: number; duplicates: number };
          if (outcome.accepted + outcome.duplicates === batchSize) acknowledged.push(batchId);
        }
      } catch {
        // The connection died with the server: this batch was not acknowledged.
      }
    }
  };
  await Promise.all([worker(0), worker(1), worker(2), worker(3)]);
  clearTimeout(killer);
  return { acknowledged, attempted };
}

async function storedPerBatch(database: Database): Promise<Map<string, { rows: number; distinct: number }>> {
  const result = (await database.db.execute(
    sql`select split_part(message_id, '-', 1) || '-' || split_part(message_id, '-', 2) as batch,
               count(*) as rows, count(distinct message_id) as distinct
        from activities where message_id like 'k%' group by 1`,
  )) as unknown as { rows: { batch: string; rows: string | number; distinct: string | number }[] };
  return new Map(
    result.rows.map((row) => [row.batch, { rows: Number(row.rows), distinct: Number(row.distinct) }]),
  );
}

async function killAndVerify(env: Record<string, string>, open: () => Promise<Database>) {
  const first = await startServerProcess(env);
  const token = first.adminToken;
  if (!token) throw new Error(`the first start printed no admin token:\n${first.output()}`);
  const { acknowledged, attempted } = await ingestUntilKilled(first.url, token, () =>
    first.child.kill('SIGKILL'),
  );
  expect(await first.stop('SIGKILL')).toBeNull();
  expect(acknowledged.length).toBeGreaterThan(5);

  // The restarted server recovers the database and keeps serving.
  const second = await startServerProcess(env);
  const after = await fetch(`${second.url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      batch: [{ type: 'track', messageId: 'after-restart', userId: 'u', event: 'Form Submitted' }],
    }),
  });
  expect(await after.json()).toMatchObject({ accepted: 1 });
  expect(await second.stop('SIGTERM')).toBe(0);

  const database = await open();
  try {
    const stored = await storedPerBatch(database);
    for (const batchId of acknowledged) {
      expect(stored.get(batchId), `acknowledged batch ${batchId}`).toEqual({
        rows: batchSize,
        distinct: batchSize,
      });
    }
    for (const batchId of attempted) {
      const found = stored.get(batchId);
      if (found)
        expect(found, `batch ${batchId} is whole or absent`).toEqual({
          rows: batchSize,
          distinct: batchSize,
        });
    }
  } finally {
    await database.close();
  }
}

describe('SIGKILL during sustained ingestion', () => {
  test.each(['spool', 'commit'])(
    'loses no acknowledged event and stores no partial batch on PGlite (acknowledged on %s)',
    async (ack) => {
      const folder = await mkdtemp(join(tmpdir(), 'smarketing-kill-'));
      const dataDir = join(folder, 'data');
      try {
        const env = { DATABASE_URL: '', SMARKETING_DATA_DIR: dataDir, SMARKETING_INGEST_ACK: ack };
        await killAndVerify(env, () => openDatabase({ dataDir }));
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
    120_000,
  );

  const databaseUrl = inject('testDatabaseUrl') ?? process.env.TEST_DATABASE_URL;
  test.skipIf(!databaseUrl)(
    'loses no acknowledged event and stores no partial batch on PostgreSQL',
    async () => {
      const admin = await openDatabase({ databaseUrl: databaseUrl as string, poolSize: 1 });
      const name = `smarketing_kill_${randomUUID().replaceAll('-', '')}`;
      await admin.db.execute(sql`create database ${sql.identifier(name)}`);
      const url = new URL(databaseUrl as string);
      url.pathname = `/${name}`;
      try {
        const env = { DATABASE_URL: url.toString(), SMARKETING_SPOOL_DIR: join(tmpdir(), `${name}-spool`) };
        await killAndVerify(env, () => openDatabase({ databaseUrl: url.toString() }));
      } finally {
        await admin.db.execute(sql`drop database ${sql.identifier(name)} with (force)`);
        await rm(join(tmpdir(), `${name}-spool`), { recursive: true, force: true });
        await admin.close();
      }
    },
    120_000,
  );
});
