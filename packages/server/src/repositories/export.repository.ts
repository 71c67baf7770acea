import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rows } from './contact-write.repository.ts';

/**
 * Reads and writes of the workspace export (use-cases/export, use-cases/imports): every record as
 * `{"kind":…,"row":…}`, the row being its `to_jsonb` text without `workspace_id` and `seq`. Tables, columns and
 * kinds are constants of this file, never input.
 */
type SectionTable = { table: string; orderBy: SQL; where?: SQL };
type FactTable = { table: string; where?: SQL };

const sections = {
  'agreement-version': { table: 'agreement_versions', orderBy: sql`t.version` },
  account: { table: 'accounts', orderBy: sql`t.id` },
  contact: { table: 'contacts', orderBy: sql`t.id` },
  identity: { table: 'contact_identities', orderBy: sql`t.kind collate "C", t.value collate "C"` },
  deal: { table: 'deals', orderBy: sql`t.contact_id, t.id` },
  'campaign-spend': {
    table: 'campaign_spend',
    orderBy: sql`t.campaign collate "C", t.source collate "C", t.period_start`,
  },
  announcement: { table: 'announcements', orderBy: sql`t.id` },
} satisfies Record<string, SectionTable>;

/** The engine's own transitions (`engine:<id>`) are derived: replay writes them again. */
const facts = {
  'contact-change': { table: 'contact_changes' },
  activity: { table: 'activities' },
  touch: { table: 'touches' },
  'deal-event': { table: 'deal_events' },
  feedback: { table: 'feedback' },
  'stage-transition': {
    table: 'stage_transitions',
    where: sql`coalesce(t.external_id, '') not like 'engine:%'`,
  },
  reassignment: { table: 'reassignments' },
  tick: { table: 'engine_ticks' },
} satisfies Record<string, FactTable>;

export type ExportSectionKind = keyof typeof sections;
type ExportFactKind = keyof typeof facts;
export type ExportKind = ExportSectionKind | ExportFactKind;

const tableOf = (kind: ExportKind): string =>
  kind in sections ? sections[kind as ExportSectionKind].table : facts[kind as ExportFactKind].table;

/** `{"kind":"<kind>","row":{…}}`: the row under its own key, as rows have `kind` columns too. */
const lineOf = (kind: ExportKind) =>
  sql`(${sql.raw(`'{"kind":"${kind}","row":'`)} || (to_jsonb(t) - 'workspace_id' - 'seq')::text || '}')`;

const whereOf = (workspaceId: string, extra: SQL | undefined) =>
  extra
    ? sql`t.workspace_id = ${workspaceId}::uuid and ${extra}`
    : sql`t.workspace_id = ${workspaceId}::uuid`;

export function createExportRepository(db: Db) {
  async function readCursor(
    name: string,
    query: SQL,
    batchSize: number,
    onBatch: (lines: { kind: ExportKind; line: string }[]) => Promise<void>,
  ): Promise<void> {
    const cursor = sql.identifier(name);
    await db.execute(sql`declare ${cursor} no scroll cursor for ${query}`);
    for (;;) {
      const batch = await rows<{ kind: ExportKind; line: string }>(
        db,
        sql`fetch forward ${sql.raw(String(Math.trunc(batchSize)))} from ${cursor}`,
      );
      if (batch.length > 0) await onBatch(batch);
      if (batch.length < batchSize) break;
    }
    await db.execute(sql`close ${cursor}`);
  }

  return {
    /** Times as UTC and exact floats, so every row's text is the same on every server. */
    async pinSessionSettings(): Promise<void> {
      await db.execute(sql`set local timezone = 'UTC'`);
      await db.execute(sql`set local extra_float_digits = 1`);
    },

    /** Every record of one section, in primary-key order. */
    async readSection(
      workspaceId: string,
      kind: ExportSectionKind,
      batchSize: number,
      onBatch: (lines: { kind: ExportKind; line: string }[]) => Promise<void>,
    ): Promise<void> {
      const section: SectionTable = sections[kind];
      await readCursor(
        `smarketing_export_${section.table}`,
        sql`select ${kind}::text as kind, ${lineOf(kind)} as line
              from ${sql.identifier(section.table)} t
             where ${whereOf(workspaceId, section.where)}
             order by ${section.orderBy}`,
        batchSize,
        onBatch,
      );
    },

    /** Every fact of every kind, merged in `seq` order (the engine's order). */
    async readFacts(
      workspaceId: string,
      batchSize: number,
      onBatch: (lines: { kind: ExportKind; line: string }[]) => Promise<void>,
    ): Promise<void> {
      const branches = (Object.entries(facts) as [ExportFactKind, FactTable][]).map(
        ([kind, fact]) =>
          sql`(select ${sql.raw(`'${kind}'`)}::text as kind, t.seq, ${lineOf(kind)} as line
                 from ${sql.identifier(fact.table)} t where ${whereOf(workspaceId, fact.where)})`,
      );
      await readCursor(
        'smarketing_export_facts',
        sql`select kind, line from (${sql.join(branches, sql` union all `)}) f order by f.seq`,
        batchSize,
        onBatch,
      );
    },

    /** How many records of each kind the workspace holds. */
    async countRecords(workspaceId: string): Promise<Record<ExportKind, number>> {
      const all = [
        ...(Object.entries(sections) as [ExportKind, SectionTable][]),
        ...(Object.entries(facts) as [ExportKind, FactTable][]),
      ];
      const [row] = await rows<Record<string, string>>(
        db,
        sql`select ${sql.join(
          all.map(
            ([kind, { table, where }]) =>
              sql`(select count(*) from ${sql.identifier(table)} t where ${whereOf(workspaceId, where)})::text as ${sql.identifier(kind)}`,
          ),
          sql`, `,
        )}`,
      );
      return Object.fromEntries(all.map(([kind]) => [kind, Number(row?.[kind] ?? 0)])) as Record<
        ExportKind,
        number
      >;
    },

    /**
     * `count` new fact numbers from `fact_seq`, ascending: the imported facts take them in file
     * order, so the engine folds them in the order the export has them.
     */
    async reserveSeqs(count: number): Promise<number[]> {
      if (count === 0) return [];
      const found = await rows<{ seq: string }>(
        db,
        sql`select nextval('fact_seq')::text as seq from generate_series(1, ${count}::int)`,
      );
      return found.map((row) => Number(row.seq)).sort((a, b) => a - b);
    },

    /**
     * Inserts records of one kind, each given as the JSON text of an object with the table's
     * column names (`workspace_id` and, for facts, `seq` included); a column not given is null.
     * Texts go to PostgreSQL as they are, so numbers inside traits keep every digit.
     */
    async insertRecords(kind: ExportKind, texts: readonly string[]): Promise<void> {
      if (texts.length === 0) return;
      const table = sql.identifier(tableOf(kind));
      await db.execute(
        sql`insert into ${table}
            select * from jsonb_populate_recordset(null::${table}, ${`[${texts.join(',')}]`}::jsonb)`,
      );
    },

    /**
     * Removes the versions the `contacts` trigger logged while importing contacts: the export
     * carries the contact's whole logged history, imported next as `contact-change` records.
     */
    async eraseLoggedChanges(workspaceId: string): Promise<void> {
      await db.execute(sql`set local smarketing.allow_erase = 'on'`);
      await db.execute(sql`delete from contact_changes where workspace_id = ${workspaceId}::uuid`);
      await db.execute(sql`set local smarketing.allow_erase = 'off'`);
    },
  };
}
