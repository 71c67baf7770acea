import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type Database, type Db, openDatabase } from './client.ts';
import { type CopyValue, copyRows } from './copy-rows.ts';

// Both drivers: PGlite, and the throwaway PostgreSQL of postgres-global-setup.ts or one given by the
// environment.
const databaseUrl = inject('testDatabaseUrl') ?? process.env.TEST_DATABASE_URL;
const databases: [string, () => Promise<Database>][] = [['PGlite', () => openDatabase({ memory: true })]];
if (databaseUrl) databases.push(['PostgreSQL', () => openDatabase({ databaseUrl, poolSize: 2 })]);

class RollBack extends Error {}

describe.each(databases)('copyRows on %s', (_label, open) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(async () => {
    await database.close();
  });

  /** Runs `work` in a transaction holding a temporary table, then rolls it back. */
  async function inTable<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    let result: T | undefined;
    await database.db
      .transaction(async (tx) => {
        const db = tx as unknown as Db;
        await db.execute(
          sql`create temporary table copied (n integer, t text, j jsonb, at timestamptz) on commit drop`,
        );
        result = await work(db);
        throw new RollBack();
      })
      .catch((error: unknown) => {
        if (!(error instanceof RollBack)) throw error;
      });
    return result as T;
  }

  test('stores texts as they are, an empty text apart from NULL, in order', async () => {
    const rows: CopyValue[][] = [
      [1, '', '{}', '2027-03-01T12:00:00.000Z'],
      [2, null, null, null],
      [3, 'a "quoted", comma', '{"name":"Ada \\"A\\" Lovelace","n":1.5}', '2024-02-03T14:30:00.000Z'],
      [4, 'two\nlines', '{"list":[1,2]}', null],
      [5, '  spaces kept  ', '{"é":"ü — 東京"}', null],
      [6, '\\.', null, null],
      [7, 'a line\r\nand a back\\slash', null, null],
    ];
    const stored = await inTable(async (db) => {
      await copyRows(db, 'copied', ['n', 't', 'j', 'at'], rows);
      const result = (await db.execute(
        sql`select n, t, j::text as j, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as at
            from copied order by n`,
      )) as unknown as { rows: { n: number; t: string | null; j: string | null; at: string | null }[] };
      return result.rows;
    });
    expect(stored).toEqual([
      { n: 1, t: '', j: '{}', at: '2027-03-01T12:00:00' },
      { n: 2, t: null, j: null, at: null },
      {
        n: 3,
        t: 'a "quoted", comma',
        j: '{"n": 1.5, "name": "Ada \\"A\\" Lovelace"}',
        at: '2024-02-03T14:30:00',
      },
      { n: 4, t: 'two\nlines', j: '{"list": [1, 2]}', at: null },
      { n: 5, t: '  spaces kept  ', j: '{"é": "ü — 東京"}', at: null },
      { n: 6, t: '\\.', j: null, at: null },
      { n: 7, t: 'a line\r\nand a back\\slash', j: null, at: null },
    ]);
  });

  test('does nothing for no rows, and fails the statement on a bad value', async () => {
    await inTable(async (db) => {
      await copyRows(db, 'copied', ['n'], []);
      await expect(copyRows(db, 'copied', ['n'], [['not a number']])).rejects.toThrow();
    });
  });
});
