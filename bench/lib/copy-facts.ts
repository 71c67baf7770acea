/**
 * The second baseline of bench/import, the fairest floor: a raw `COPY … FROM` of the records an
 * import produced (its accounts, contacts, identities, deals, deal events, touches and stage
 * transitions) straight into the same tables, with their indexes, constraints and triggers, for
 * another workspace of the same database. No CSV parsing, no checks, no identity resolution, no
 * idempotency: what the database must do at least to store the same facts.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, driverOf } from '../../packages/server/src/db/client.ts';

/** The tables an import writes, parents first (foreign keys). */
const factTables = [
  'accounts',
  'contacts',
  'contact_identities',
  'deals',
  'deal_events',
  'touches',
  'stage_transitions',
] as const;

type Exported = { table: string; columns: string[]; rows: number; data: Blob | string };

export type ExportedFacts = {
  records: number;
  /** Per table, the rows it holds. */
  tables: Exported[];
  dispose(): Promise<void>;
};

/**
 * Exports the facts of workspace `from` as CSV, rewritten to belong to workspace `to` (an empty
 * one): PGlite to Blobs through `/dev/blob`, PostgreSQL to server-side files.
 */
export async function exportFacts(database: Database, from: string, to: string): Promise<ExportedFacts> {
  const folder = database.kind === 'postgres' ? await mkdtemp(join(tmpdir(), 'smarketing-bench-facts-')) : '';
  if (folder) await chmod(folder, 0o777);
  const tables: Exported[] = [];
  for (const table of factTables) {
    const columns = (
      await query(
        database,
        `select column_name from information_schema.columns
         where table_schema = 'public' and table_name = '${table}' and column_name <> 'seq'
         order by ordinal_position`,
      )
    ).rows.map((row) => String(row.column_name));
    const select = columns
      .map((column) => (column === 'workspace_id' ? `'${to}'::uuid as workspace_id` : `"${column}"`))
      .join(', ');
    const source = `(select ${select} from ${table} where workspace_id = '${from}'::uuid)`;
    const rows = Number(
      (await query(database, `select count(*) as n from ${table} where workspace_id = '${from}'::uuid`))
        .rows[0]?.n ?? 0,
    );
    if (database.kind === 'pglite') {
      const result = await query(database, `copy ${source} to '/dev/blob' (format csv)`);
      tables.push({ table, columns, rows, data: result.blob ?? new Blob([]) });
    } else {
      const path = join(folder, `${table}.csv`);
      await query(database, `copy ${source} to '${path}' (format csv)`);
      tables.push({ table, columns, rows, data: path });
    }
  }
  return {
    records: tables.reduce((sum, table) => sum + table.rows, 0),
    tables,
    dispose: async () => {
      if (folder) await rm(folder, { recursive: true, force: true });
    },
  };
}

/** COPYs the exported facts into their tables; answers the seconds the COPYs took. */
export async function copyFacts(database: Database, facts: ExportedFacts): Promise<number> {
  let seconds = 0;
  for (const { table, columns, data } of facts.tables) {
    const target = `${table} (${columns.map((column) => `"${column}"`).join(', ')})`;
    const started = performance.now();
    if (typeof data === 'string') await query(database, `copy ${target} from '${data}' (format csv)`);
    else await query(database, `copy ${target} from '/dev/blob' (format csv)`, data);
    seconds += (performance.now() - started) / 1000;
  }
  return seconds;
}

async function query(
  database: Database,
  text: string,
  blob?: Blob,
): Promise<{ rows: Record<string, unknown>[]; blob?: Blob | undefined }> {
  const driver = driverOf(database);
  if (driver.kind === 'pglite') {
    const result = await driver.client.query<Record<string, unknown>>(text, [], blob ? { blob } : {});
    return { rows: result.rows, blob: result.blob };
  }
  const result = await driver.pool.query(text);
  return { rows: result.rows };
}
