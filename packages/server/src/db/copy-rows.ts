import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { PgliteSession } from 'drizzle-orm/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from './client.ts';

/** A value of a COPYed row: text as it is stored (JSON as its text), a number, or null (NULL). */
export type CopyValue = string | number | null;

/**
 * Loads rows into a table with one `COPY … FROM` in CSV, on whichever driver `db` runs (inside its
 * transaction when it is one): PGlite reads them from a Blob (`/dev/blob`), node-postgres streams
 * them to the server (pg-copy-streams). Much cheaper per row than an INSERT of a JSON parameter,
 * but it has no ON CONFLICT: the caller must know that no row conflicts. The table and column
 * names are the caller's constants, never input.
 */
export async function copyRows(
  db: Db,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly CopyValue[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const target = `${table} (${columns.join(', ')})`;
  const lines = new Array<string>(rows.length);
  for (let index = 0; index < rows.length; index++)
    lines[index] = csvLine(rows[index] as readonly CopyValue[]);
  const csv = `${lines.join('\n')}\n`;
  // The driver's client (the transaction's, in one) behind Drizzle's session.
  const { session } = db as unknown as { session: unknown };
  const { client } = session as { client: PGlite | Transaction | pg.PoolClient | pg.Pool };
  if (session instanceof PgliteSession) {
    const pglite = client as PGlite | Transaction;
    await pglite.query(`copy ${target} from '/dev/blob' (format csv)`, [], { blob: new Blob([csv]) });
    return;
  }
  const connection = client instanceof pg.Pool ? await client.connect() : (client as pg.PoolClient);
  try {
    await pipeline(
      Readable.from([csv]),
      connection.query(copyFrom(`copy ${target} from stdin (format csv)`)),
    );
  } finally {
    if (connection !== client) (connection as pg.PoolClient).release();
  }
}

/** A text that must be quoted in CSV; an empty one too (unquoted, it would be NULL). */
const needsQuotes = /[",\n\r\\]/;

/** One CSV line: NULL as an empty field, texts quoted when they must be. */
function csvLine(values: readonly CopyValue[]): string {
  const fields = new Array<string>(values.length);
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    fields[index] =
      value === null || value === undefined
        ? ''
        : typeof value === 'number'
          ? String(value)
          : value === '' || needsQuotes.test(value)
            ? `"${value.replaceAll('"', '""')}"`
            : value;
  }
  return fields.join(',');
}
