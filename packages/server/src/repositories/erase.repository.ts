import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

type Row = Record<string, unknown>;

async function rows<T extends Row>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * Erasing a person (GDPR): every row about a set of contacts, in the caller's transaction, which
 * must have taken the workspace's engine and ingest locks. Per-contact tables are found in the
 * catalog (every table with a `contact_id` column), so a table added later is erased too.
 */
export function createEraseRepository(db: Db) {
  const uuids = (ids: string[]) =>
    sql`array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)`;
  const texts = (values: string[]) =>
    sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;

  return {
    /** The contact an e-mail address belongs to (after merges, its survivor), if any. */
    async findByEmail(workspaceId: string, email: string): Promise<string | undefined> {
      const [row] = await rows<{ id: string }>(
        db,
        sql`select contact_id as id from contact_identities
            where workspace_id = ${workspaceId} and kind = 'email' and value = ${email}
            union all
            select id from contacts where workspace_id = ${workspaceId} and email = ${email}
            limit 1`,
      );
      return row?.id;
    },

    /** The contact a merged contact ended in (following merges), or itself. */
    async findSurvivor(workspaceId: string, contactId: string): Promise<string | undefined> {
      const [row] = await rows<{ id: string }>(
        db,
        sql`with recursive chain(id, merged_into_id, depth) as (
              select id, merged_into_id, 0 from contacts where workspace_id = ${workspaceId} and id = ${contactId}
              union all
              select c.id, c.merged_into_id, chain.depth + 1 from contacts c join chain on c.id = chain.merged_into_id
               where c.workspace_id = ${workspaceId} and chain.depth < 100)
            select id from chain where merged_into_id is null limit 1`,
      );
      return row?.id;
    },

    /** The contact and every contact merged into it, directly or through others. */
    async findMergedFamily(workspaceId: string, survivorId: string): Promise<string[]> {
      const found = await rows<{ id: string }>(
        db,
        sql`with recursive family(id, depth) as (
              select ${survivorId}::uuid, 0
              union all
              select c.id, family.depth + 1 from contacts c join family on c.merged_into_id = family.id
               where c.workspace_id = ${workspaceId} and family.depth < 100)
            select distinct id::text as id from family order by id`,
      );
      return found.map((row) => row.id);
    },

    /** Every identity value (e-mail, user id, anonymous id, CRM id) of the contacts. */
    async listIdentityValues(workspaceId: string, contactIds: string[]): Promise<string[]> {
      const found = await rows<{ value: string }>(
        db,
        sql`select distinct value from contact_identities
            where workspace_id = ${workspaceId} and contact_id = any(${uuids(contactIds)})
            union
            select distinct email from contacts
            where workspace_id = ${workspaceId} and id = any(${uuids(contactIds)}) and email is not null`,
      );
      return found.map((row) => row.value);
    },

    /**
     * Deletes the contacts and everything about them; answers the rows removed per table.
     * `mentions` (ids and identity values) also finds notifications and their deliveries whose
     * payload names the person, and dropped events whose excerpt does.
     */
    async eraseContacts(
      workspaceId: string,
      contactIds: string[],
      mentions: string[],
      /** Every table, parents before children (the backup repository's order). */
      tableOrder: string[],
    ): Promise<Record<string, number>> {
      const removed: Record<string, number> = {};
      const count = async (table: string, statement: SQL) => {
        const deleted = await rows<{ n: string }>(
          db,
          sql`with d as (${statement} returning 1) select count(*)::text as n from d`,
        );
        const n = Number(deleted[0]?.n ?? 0);
        if (n > 0) removed[table] = (removed[table] ?? 0) + n;
      };
      const patterns = texts(mentions.map(likePattern));
      await db.execute(sql`set local smarketing.allow_erase = 'on'`);

      const mentioned = sql`select id from notifications where workspace_id = ${workspaceId}
          and (contact_id = any(${uuids(contactIds)}) or payload::text like any(${patterns}))`;
      await count(
        'webhook_deliveries',
        sql`delete from webhook_deliveries where workspace_id = ${workspaceId} and notification_id in (${mentioned})`,
      );
      await count(
        'notifications',
        sql`delete from notifications where workspace_id = ${workspaceId} and id in (${mentioned})`,
      );

      const perContact = new Set(
        (
          await rows<{ name: string }>(
            db,
            sql`select c.relname as name
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                join pg_attribute a on a.attrelid = c.oid and a.attname = 'contact_id' and not a.attisdropped
                where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname <> 'notifications'`,
          )
        ).map((row) => row.name),
      );
      // Children before parents.
      for (const table of [...tableOrder].reverse().filter((name) => perContact.has(name))) {
        await count(
          table,
          sql`delete from ${sql.identifier(table)}
              where workspace_id = ${workspaceId} and contact_id = any(${uuids(contactIds)})`,
        );
      }
      await count(
        'contacts',
        sql`delete from contacts where workspace_id = ${workspaceId} and id = any(${uuids(contactIds)})`,
      );
      await count(
        'ingest_drops',
        sql`delete from ingest_drops where workspace_id = ${workspaceId}
            and (excerpt like any(${patterns}) or message_id like any(${patterns}))`,
      );
      await db.execute(sql`set local smarketing.allow_erase = 'off'`);
      return removed;
    },
  };
}

/** `%value%` with LIKE's wildcards in the value escaped. */
function likePattern(value: string): string {
  return `%${value.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_')}%`;
}
