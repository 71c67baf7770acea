import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../db/client.ts';

/**
 * For the notification storage tests: the databases to run them on, in-memory PGlite always and
 * PostgreSQL when test/postgres-global-setup.ts (or TEST_DATABASE_URL) gives one. The notifier
 * claims due deliveries across workspaces, so on PostgreSQL each suite gets a database of its own.
 */
export type TestDatabase = { database: Database; dispose(): Promise<void> };

const databaseUrl = inject('testDatabaseUrl') ?? process.env.TEST_DATABASE_URL;

export const testDatabases: [name: string, open: () => Promise<TestDatabase>][] = [
  [
    'PGlite',
    async () => {
      const database = await openDatabase({ memory: true });
      return { database, dispose: () => database.close() };
    },
  ],
  ...(databaseUrl
    ? [['PostgreSQL', () => openOwnPostgres(databaseUrl)] as [string, () => Promise<TestDatabase>]]
    : []),
];

async function openOwnPostgres(url: string): Promise<TestDatabase> {
  const admin = await openDatabase({ databaseUrl: url, poolSize: 1 });
  const name = `smarketing_notify_${randomUUID().replaceAll('-', '')}`;
  await admin.db.execute(sql`create database ${sql.identifier(name)}`);
  const own = new URL(url);
  own.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: own.toString(), poolSize: 4 });
  return {
    database,
    async dispose() {
      await database.close();
      await admin.db.execute(sql`drop database ${sql.identifier(name)}`);
      await admin.close();
    },
  };
}
