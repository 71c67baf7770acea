/**
 * The baseline of bench/import: a raw `COPY … FROM` of a CSV file into a staging table with one
 * text column per CSV column, on either driver. No parsing beyond CSV, no identities, no
 * idempotency: the fastest way the database can take the same bytes.
 */
import { openAsBlob } from 'node:fs';
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type Database, driverOf } from '../../packages/server/src/db/client.ts';
import {
  type CsvFormat,
  type CsvProblem,
  detectCsvFormat,
  readCsvRecords,
} from '../../packages/server/src/ingest/csv/read-csv.ts';

export type CsvSource = {
  /** The file the database reads: the original for PGlite, a world-readable copy for PostgreSQL. */
  path: string;
  delimiter: string;
  columns: number;
  /** Removes the copy, if one was made. */
  dispose(): Promise<void>;
};

const stagingTable = 'bench_import_staging';

/**
 * Prepares `file` for COPY: its delimiter and column count, and for PostgreSQL a copy the server
 * process can read (the throwaway cluster runs as the `postgres` OS user when we are root).
 */
export async function prepareCsvSource(database: Database, file: string): Promise<CsvSource> {
  const format = await detectCsvFormat(file);
  if (format.encoding !== 'utf-8') throw new Error(`${file}: COPY here reads UTF-8 only.`);
  const columns = await countColumns(file, format);
  if (database.kind === 'pglite') {
    return { path: file, delimiter: format.delimiter, columns, dispose: async () => {} };
  }
  const folder = await mkdtemp(join(tmpdir(), 'smarketing-bench-copy-'));
  const path = join(folder, basename(file));
  await copyFile(file, path);
  await chmod(folder, 0o755);
  await chmod(path, 0o644);
  return {
    path,
    delimiter: format.delimiter,
    columns,
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
}

async function countColumns(file: string, format: CsvFormat): Promise<number> {
  const problems: CsvProblem[] = [];
  for await (const record of readCsvRecords(file, format, { onProblem: (p) => problems.push(p) })) {
    return record.values.length;
  }
  throw new Error(`${file} has no header${problems[0] ? `: ${problems[0].message}` : ''}.`);
}

/** Drops and creates the staging table: one text column per CSV column, an ordinary logged table. */
export async function resetStagingTable(database: Database, source: CsvSource): Promise<void> {
  const columns = Array.from({ length: source.columns }, (_, i) => `c${i + 1} text`).join(', ');
  await execute(database, `drop table if exists ${stagingTable}`);
  await execute(database, `create table ${stagingTable} (${columns})`);
}

export async function dropStagingTable(database: Database): Promise<void> {
  await execute(database, `drop table if exists ${stagingTable}`);
}

/**
 * COPYs the file into the staging table and answers the rows loaded. PGlite reads it from its
 * `/dev/blob` device (the file handed over as a Blob); PostgreSQL reads it server-side by path.
 */
export async function copyCsv(database: Database, source: CsvSource): Promise<number> {
  const options = `(format csv, header true, delimiter ${literal(source.delimiter)})`;
  if (database.kind === 'pglite') {
    const blob = await openAsBlob(source.path);
    return execute(database, `copy ${stagingTable} from '/dev/blob' ${options}`, blob);
  }
  return execute(database, `copy ${stagingTable} from ${literal(source.path)} ${options}`);
}

async function execute(database: Database, text: string, blob?: Blob): Promise<number> {
  const driver = driverOf(database);
  if (driver.kind === 'pglite') {
    const result = await driver.client.query(text, [], blob ? { blob } : {});
    return result.affectedRows ?? 0;
  }
  const result = await driver.pool.query(text);
  return result.rowCount ?? 0;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
