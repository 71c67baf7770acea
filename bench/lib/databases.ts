import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase } from '../../packages/server/src/db/client.ts';
import { migrateDatabase } from '../../packages/server/src/db/migrate.ts';
import type { Deps } from '../../packages/server/src/deps.ts';
import { createLogger } from '../../packages/server/src/log.ts';
import { assembleDeps } from '../../packages/server/src/runtime.ts';
import { startThrowawayPostgres } from '../../packages/server/test/postgres-global-setup.ts';

/**
 * Runs a benchmark on each database: PGlite in a temporary folder, then PostgreSQL — the one in
 * BENCH_DATABASE_URL, or a throwaway cluster with PostgreSQL's durable defaults when the server
 * binaries are installed. Collects the rows each run returns.
 */
export async function onEachDatabase(
  bench: (label: string, database: Database, folder: string) => Promise<string[]>,
  options: { pgliteSharedBuffersMb?: number } = {},
): Promise<string[]> {
  const rows: string[] = [];
  const folder = await mkdtemp(join(tmpdir(), 'smarketing-bench-'));
  try {
    // BENCH_PGLITE_DIR keeps PGlite's data between runs (a filled workspace to time again).
    const dataDir = process.env.BENCH_PGLITE_DIR ?? join(folder, 'pglite');
    const pglite = await openDatabase(
      options.pgliteSharedBuffersMb === undefined
        ? { dataDir }
        : { dataDir, sharedBuffersMb: options.pgliteSharedBuffersMb },
    );
    try {
      rows.push(...(await bench('PGlite', pglite, folder)));
    } finally {
      await pglite.close();
    }

    const given = process.env.BENCH_DATABASE_URL;
    const cluster = given ? undefined : await startThrowawayPostgres({ durable: true });
    const url = given ?? cluster?.url;
    if (url) {
      const postgres = await openDatabase({ databaseUrl: url, poolSize: 10 });
      try {
        rows.push(
          ...(await bench(
            given
              ? 'PostgreSQL'
              : `PostgreSQL ${/\d+(\.\d+)?/.exec(cluster?.version ?? '')?.[0] ?? ''} (durable)`,
            postgres,
            folder,
          )),
        );
      } finally {
        await postgres.close();
        await cluster?.stop();
      }
    } else {
      console.warn('No PostgreSQL: set BENCH_DATABASE_URL or install the server binaries to bench it too.');
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return rows;
}

/** Use-case deps over a migrated database, logging nothing. */
export async function benchDeps(database: Database): Promise<Deps> {
  await migrateDatabase(database);
  return assembleDeps(database, createLogger('silent'));
}
