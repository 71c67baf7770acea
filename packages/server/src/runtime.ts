import type { Config } from './config/config.ts';
import { type Database, openDatabase } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import type { Deps } from './deps.ts';
import { createIngestWriter } from './ingest/ingest-writer.ts';
import { createSpoolWriter } from './ingest/spool-writer.ts';
import type { Logger } from './log.ts';
import { createRepositories } from './repositories/index.ts';

/**
 * Opens the configured database, brings its schema up to date and wires the use-case deps.
 * `ingestAck: 'spool'` (the server, by configuration) acknowledges tracking calls on the local
 * spool; command-line tools store through the database directly.
 */
export async function openRuntime(
  config: Config,
  log: Logger,
  options: { ingestAck: 'spool' | 'commit' } = { ingestAck: 'commit' },
): Promise<Deps> {
  const database = await openDatabase(
    config.databaseUrl
      ? { databaseUrl: config.databaseUrl, poolSize: config.dbPoolSize }
      : { dataDir: config.dataDir, sharedBuffersMb: config.pgliteSharedBuffersMb },
  );
  try {
    const migrated = await migrateDatabase(database);
    if (migrated.applied > 0)
      log.info({ applied: migrated.applied, database: database.kind }, 'migrations applied');
  } catch (error) {
    await database.close();
    throw error;
  }
  if (options.ingestAck === 'spool') {
    const clock = () => new Date();
    const ingest = await createSpoolWriter({ database, clock, log }, { dir: config.spoolDir });
    return { ...assembleDeps(database, log, clock), ingest };
  }
  return assembleDeps(database, log);
}

/** The use-case deps over an open, migrated database: repositories, the writer, the clock. */
export function assembleDeps(database: Database, log: Logger, clock: () => Date = () => new Date()): Deps {
  return {
    database,
    repos: createRepositories(database.db),
    clock,
    log,
    ingest: createIngestWriter({ database, clock, log }),
  };
}
