import { randomUUID } from 'node:crypto';
import { normalizeSegmentMessage } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { describe, expect, inject, test } from 'vitest';
import { isAppError } from '../src/app-error.ts';
import { openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { createIngestWriter } from '../src/ingest/ingest-writer.ts';
import { createLogger } from '../src/log.ts';
import { createRepositories } from '../src/repositories/index.ts';
import { assembleDeps } from '../src/runtime.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { describeCollaborationContract } from './collaboration-contract.ts';
import { describeEngineContract } from './engine-contract.ts';
import { describeReportContract } from './report-contract.ts';
import { committedMigrations, describeRepositoryContract } from './repository-contract.ts';

// The throwaway server of postgres-global-setup.ts, or one given by the environment.
const databaseUrl = inject('testDatabaseUrl') ?? process.env.TEST_DATABASE_URL;

if (databaseUrl) {
  describeRepositoryContract('PostgreSQL', () => openDatabase({ databaseUrl, poolSize: 12 }));
  describeEngineContract('PostgreSQL', () => openDatabase({ databaseUrl, poolSize: 4 }));
  describeReportContract('PostgreSQL', () => openDatabase({ databaseUrl, poolSize: 4 }));
  describeCollaborationContract('PostgreSQL', () => openDatabase({ databaseUrl, poolSize: 4 }));

  describe('migrateDatabase on PostgreSQL', () => {
    test('lets one of two migrators that start together on an empty database apply everything', async (context) => {
      const admin = await openDatabase({ databaseUrl, poolSize: 1 });
      const name = `smarketing_test_${randomUUID().replaceAll('-', '')}`;
      try {
        await admin.db.execute(sql`create database ${sql.identifier(name)}`);
      } catch (error) {
        await admin.close();
        context.skip(`cannot create a database here: ${error instanceof Error ? error.message : error}`);
        return;
      }
      const url = new URL(databaseUrl);
      url.pathname = `/${name}`;
      const first = await openDatabase({ databaseUrl: url.toString() });
      const second = await openDatabase({ databaseUrl: url.toString() });
      try {
        const results = await Promise.all([migrateDatabase(first), migrateDatabase(second)]);
        expect(results.map((result) => result.applied).sort()).toEqual([0, committedMigrations]);
        // Migration 0019: the engine's documents are compressed with lz4 where the server has it.
        const methods = (await first.db.execute(
          sql`select attrelid::regclass::text as "table", attname as "column", attcompression as method
                from pg_attribute
               where (attrelid, attname) in (('contact_states'::regclass, 'state'), ('scores'::regclass, 'explanation'))
               order by 1`,
        )) as unknown as { rows: { table: string; column: string; method: string }[] };
        const lz4 = (
          (await first.db.execute(
            sql`select count(*)::int as n from pg_settings
                 where name = 'default_toast_compression' and 'lz4' = any(enumvals)`,
          )) as unknown as { rows: { n: number }[] }
        ).rows[0];
        expect(methods.rows).toEqual([
          { table: 'contact_states', column: 'state', method: lz4?.n === 1 ? 'l' : '' },
          { table: 'scores', column: 'explanation', method: lz4?.n === 1 ? 'l' : '' },
        ]);
      } finally {
        await first.close();
        await second.close();
        await admin.db.execute(sql`drop database ${sql.identifier(name)}`);
        await admin.close();
      }
    });
  });

  describe('ingest statistics on PostgreSQL', () => {
    test("a new database's tables, then a second workspace, are analysed as the writer stores their first 1,000 messages", async (context) => {
      const admin = await openDatabase({ databaseUrl, poolSize: 1 });
      const name = `smarketing_test_${randomUUID().replaceAll('-', '')}`;
      try {
        await admin.db.execute(sql`create database ${sql.identifier(name)}`);
      } catch (error) {
        await admin.close();
        context.skip(`cannot create a database here: ${error instanceof Error ? error.message : error}`);
        return;
      }
      const url = new URL(databaseUrl);
      url.pathname = `/${name}`;
      const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 4 });
      try {
        await migrateDatabase(database);
        const deps = assembleDeps(database, createLogger('silent'));
        const ingest = createRepositories(database.db).ingest;
        // Statistics of a column other than workspace_id: only a whole-table analysis writes them.
        const analysed = async () => {
          const found = (await database.db.execute(
            sql`select count(*)::int as n from pg_stats
                 where (tablename, attname) in (('activities', 'contact_id'), ('contacts', 'created_at'))`,
          )) as unknown as { rows: { n: number }[] };
          return found.rows[0]?.n === 2;
        };
        expect(await analysed()).toBe(false);
        for (const workspaceName of ['First', 'Second']) {
          const { workspaceId } = await createWorkspace({ name: workspaceName, createdBy: 'test' }, deps);
          const writer = createIngestWriter(deps, { maxBatchMessages: 100 });
          for (let start = 0; start < 1_200; start += 100) {
            const messages = Array.from({ length: 100 }, (_, index) => {
              const result = normalizeSegmentMessage(
                {
                  type: 'track',
                  messageId: `${workspaceName}-${start + index}`,
                  anonymousId: `v-${index % 50}`,
                  event: 'Page Viewed',
                },
                { receivedAt: new Date('2026-11-23T10:00:00Z') },
              );
              if (!result.ok) throw new Error(result.detail);
              return result.message;
            });
            await writer.submit({ workspaceId, messages, drops: [] });
          }
          await writer.close();
          // Before its refresh the planner takes the workspace for a handful of rows at most.
          const believed = await ingest.estimateWorkspaceMessages(workspaceId);
          expect(believed).toBeGreaterThanOrEqual(900);
          expect(believed).toBeLessThanOrEqual(1_300);
          // The first refresh found the tables never analysed and analysed every column.
          expect(await analysed()).toBe(true);
        }
      } finally {
        await database.close();
        await admin.db.execute(sql`drop database ${sql.identifier(name)}`);
        await admin.close();
      }
    });
  });
} else if (process.env.CI) {
  describe('PostgreSQL storage', () => {
    test('runs in CI', () => {
      throw new Error(
        'The storage contract must run against PostgreSQL in CI: set TEST_DATABASE_URL, or install the ' +
          'PostgreSQL server binaries (initdb, pg_ctl) so that test/postgres-global-setup.ts can start one.',
      );
    });
  });
} else {
  console.warn(
    'Skipping the PostgreSQL storage tests: set TEST_DATABASE_URL or install the PostgreSQL server binaries.',
  );
  describe.skip('PostgreSQL storage', () => {
    test('needs TEST_DATABASE_URL or PostgreSQL server binaries', () => {});
  });
}

describe('openDatabase with a DATABASE_URL', () => {
  test('answers UNAVAILABLE without revealing the password when the server cannot be reached', async () => {
    const error = await openDatabase({
      databaseUrl: 'postgres://smarketing:hunter2-secret@127.0.0.1:1/smarketing',
    }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(isAppError(error) && error.code).toBe('UNAVAILABLE');
    expect(error instanceof Error && error.message).toContain('smarketing@127.0.0.1:1/smarketing');
    expect(
      JSON.stringify({
        message: (error as Error).message,
        details: (error as { details?: unknown }).details,
      }),
    ).not.toContain('hunter2');
  });
});
