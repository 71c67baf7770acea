import type { Writable } from 'node:stream';
import type { SQL } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import { type Database, openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import type { Deps } from '../src/deps.ts';
import { createLogger } from '../src/log.ts';
import { assembleDeps } from '../src/runtime.ts';
import type { TestDatabase } from '../src/use-cases/notifications/test-databases.ts';

/**
 * Use-case deps over a fresh, migrated in-memory PGlite (or the given database), for tests.
 * `close()` stops the writer and closes the database.
 */
export async function openTestDeps(
  options: { database?: Database; clock?: () => Date; logTo?: Writable } = {},
): Promise<Deps & { close(): Promise<void> }> {
  const database = options.database ?? (await openDatabase({ memory: true }));
  await migrateDatabase(database);
  const log = createLogger(options.logTo ? 'info' : 'silent', options.logTo);
  const deps = assembleDeps(database, log, options.clock);
  return {
    ...deps,
    async close() {
      await deps.ingest.close();
      await database.close();
    },
  };
}

/**
 * A suite's deps over a database from `open` (one of `testDatabases`), opened before its tests and
 * closed after them; `query` runs a statement and returns its rows.
 */
export function suiteDeps(open: () => Promise<TestDatabase>, clock: () => Date) {
  let own: TestDatabase | undefined;
  const suite = {
    deps: undefined as unknown as Deps & { close(): Promise<void> },
    query: async <T>(statement: SQL) =>
      ((await suite.deps.database.db.execute(statement)) as unknown as { rows: T[] }).rows,
  };
  beforeAll(async () => {
    own = await open();
    suite.deps = await openTestDeps({ database: own.database, clock });
  });
  afterAll(async () => {
    await suite.deps?.close();
    await own?.dispose();
  });
  return suite;
}
