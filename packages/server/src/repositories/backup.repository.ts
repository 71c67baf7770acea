import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

/**
 * Whole-database reads and writes for backups: the catalog (tables in foreign-key order, their
 * primary keys, sequences, the applied migrations) and table contents as one JSON text per row
 * (`to_jsonb(row)::text`, so values keep their exact text: bigints, timestamps with microseconds,
 * numerics). Call it inside the caller's transaction: a backup reads one snapshot, a restore writes
 * everything or nothing.
 */
type Row = Record<string, unknown>;

async function rows<T extends Row>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** A table and its primary key; `bytewise` key columns are text, compared byte by byte. */
export type BackupTable = { name: string; orderBy: { column: string; bytewise: boolean }[] };
export type BackupSequence = { name: string; lastValue: string; isCalled: boolean };

/**
 * `order by` the table's primary key (or the whole row's text without one); text compares byte by
 * byte, so a server with another collation reads the rows in the same order.
 */
function orderClause(table: BackupTable): SQL {
  if (table.orderBy.length === 0) return sql`order by to_jsonb(t)::text collate "C"`;
  return sql`order by ${sql.join(
    table.orderBy.map(({ column, bytewise }) =>
      bytewise ? sql`t.${sql.identifier(column)} collate "C"` : sql`t.${sql.identifier(column)}`,
    ),
    sql`, `,
  )}`;
}

export function createBackupRepository(db: Db) {
  return {
    /** Times as UTC and settings that make every row's text the same on every server. */
    async pinSessionSettings(): Promise<void> {
      await db.execute(sql`set local timezone = 'UTC'`);
      await db.execute(sql`set local extra_float_digits = 1`);
    },

    /** The application's tables, parents before the tables whose foreign keys point at them. */
    async listTables(): Promise<BackupTable[]> {
      const tables = await rows<{ name: string }>(
        db,
        sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
            order by c.relname`,
      );
      const keys = await rows<{ table: string; column: string; collatable: boolean }>(
        db,
        sql`select c.relname as "table", a.attname as "column", a.attcollation <> 0 as collatable
            from pg_index i
            join pg_class c on c.oid = i.indrelid
            join pg_namespace n on n.oid = c.relnamespace
            join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
            where n.nspname = 'public' and i.indisprimary
            order by c.relname, array_position(i.indkey::int2[], a.attnum)`,
      );
      const edges = await rows<{ child: string; parent: string }>(
        db,
        sql`select distinct child.relname as child, parent.relname as parent
            from pg_constraint k
            join pg_class child on child.oid = k.conrelid
            join pg_class parent on parent.oid = k.confrelid
            join pg_namespace n on n.oid = child.relnamespace
            where k.contype = 'f' and n.nspname = 'public' and child.oid <> parent.oid`,
      );
      const orderBy = new Map<string, BackupTable['orderBy']>();
      for (const key of keys) {
        orderBy.set(key.table, [
          ...(orderBy.get(key.table) ?? []),
          { column: key.column, bytewise: key.collatable },
        ]);
      }
      return topologicalOrder(
        tables.map((table) => table.name),
        edges,
      ).map((name) => ({ name, orderBy: orderBy.get(name) ?? [] }));
    },

    async listSequences(): Promise<BackupSequence[]> {
      const names = await rows<{ name: string }>(
        db,
        sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind = 'S' order by c.relname`,
      );
      const sequences: BackupSequence[] = [];
      for (const { name } of names) {
        const [state] = await rows<{ lastValue: string; isCalled: boolean }>(
          db,
          sql`select last_value::text as "lastValue", is_called as "isCalled" from ${sql.identifier(name)}`,
        );
        if (state) sequences.push({ name, ...state });
      }
      return sequences;
    },

    async setSequence(sequence: BackupSequence): Promise<void> {
      await db.execute(
        sql`select setval(${sequence.name}::regclass, ${sequence.lastValue}::bigint, ${sequence.isCalled})`,
      );
    },

    /** How many committed migrations the schema has, and the hash of the last one. */
    async schemaVersion(): Promise<{ migrations: number; lastHash: string | null }> {
      const [exists] = await rows<{ exists: boolean }>(
        db,
        sql`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`,
      );
      if (!exists?.exists) return { migrations: 0, lastHash: null };
      const [row] = await rows<{ migrations: number; lastHash: string | null }>(
        db,
        sql`select count(*)::int as migrations,
                   (select hash from drizzle.__drizzle_migrations order by created_at desc, id desc limit 1) as "lastHash"
            from drizzle.__drizzle_migrations`,
      );
      return row ?? { migrations: 0, lastHash: null };
    },

    async countRows(table: string): Promise<number> {
      const [row] = await rows<{ n: string }>(
        db,
        sql`select count(*)::text as n from ${sql.identifier(table)}`,
      );
      return Number(row?.n ?? 0);
    },

    /**
     * Reads a table in key order through a cursor, `batchSize` rows at a time, each row as its
     * JSON text. The cursor lives until the transaction ends.
     */
    async readTable(
      table: BackupTable,
      batchSize: number,
      onBatch: (lines: string[]) => Promise<void>,
    ): Promise<void> {
      const cursor = sql.identifier(`smarketing_backup_${table.name}`);
      await db.execute(
        sql`declare ${cursor} no scroll cursor for
            select to_jsonb(t)::text as line from ${sql.identifier(table.name)} t ${orderClause(table)}`,
      );
      for (;;) {
        const batch = await rows<{ line: string }>(
          db,
          sql`fetch forward ${sql.raw(String(Math.trunc(batchSize)))} from ${cursor}`,
        );
        if (batch.length === 0) break;
        await onBatch(batch.map((row) => row.line));
        if (batch.length < batchSize) break;
      }
      await db.execute(sql`close ${cursor}`);
    },

    /** Inserts rows given as the JSON texts `readTable` produced (columns by name). */
    async insertRows(table: string, lines: string[]): Promise<void> {
      if (lines.length === 0) return;
      await db.execute(
        sql`insert into ${sql.identifier(table)}
            select * from jsonb_populate_recordset(null::${sql.identifier(table)}, ${`[${lines.join(',')}]`}::jsonb)`,
      );
    },

    /**
     * Turns the table's own triggers off or on for the rest of the transaction (the catalog
     * change rolls back with it). A restore writes rows exactly as they were: the contact-change
     * log is restored from the backup, not written again by the trigger on `contacts`.
     */
    async setUserTriggers(table: string, enabled: boolean): Promise<void> {
      await db.execute(
        enabled
          ? sql`alter table ${sql.identifier(table)} enable trigger user`
          : sql`alter table ${sql.identifier(table)} disable trigger user`,
      );
    },

    /** Empties every given table (restore --force); facts are append-only, so this is an erasure. */
    async truncateAll(tables: string[]): Promise<void> {
      if (tables.length === 0) return;
      await db.execute(sql`set local smarketing.allow_erase = 'on'`);
      await db.execute(
        sql`truncate table ${sql.join(
          tables.map((table) => sql.identifier(table)),
          sql`, `,
        )} restart identity cascade`,
      );
      await db.execute(sql`set local smarketing.allow_erase = 'off'`);
    },
  };
}

function topologicalOrder(names: string[], edges: { child: string; parent: string }[]): string[] {
  const parents = new Map<string, Set<string>>(names.map((name) => [name, new Set<string>()]));
  for (const edge of edges) parents.get(edge.child)?.add(edge.parent);
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < names.length) {
    const ready = names.filter(
      (name) => !done.has(name) && [...(parents.get(name) ?? [])].every((parent) => done.has(parent)),
    );
    if (ready.length === 0) throw new Error('The tables’ foreign keys form a cycle; cannot order a restore.');
    for (const name of ready) {
      done.add(name);
      order.push(name);
    }
  }
  return order;
}
