import type { Writable } from 'node:stream';
import { type Database, openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import type { Deps } from '../src/deps.ts';
import { createLogger } from '../src/log.ts';
import { assembleDeps } from '../src/runtime.ts';

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
