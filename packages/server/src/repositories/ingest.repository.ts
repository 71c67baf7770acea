import type { Identity, IdentityKind } from '@smarketing/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

/**
 * The set-based statements of the ingestion write path. Each takes its rows as one JSON
 * parameter expanded with `jsonb_to_recordset`, so a batch of any size is a handful of
 * statements on both drivers (and never hits PostgreSQL's parameter limit).
 */
type Row = Record<string, unknown>;

async function rows<T extends Row>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

const json = (value: unknown) => JSON.stringify(value);

export type ContactInsert = { id: string; email: string | null; traits: Row; at: string };
export type ContactUpdate = { id: string; email: string | null; traits: Row; at: string };
export type ActivityInsert = {
  contactId: string;
  id: string;
  messageId: string;
  kind: string;
  event: string | null;
  activityType: string | null;
  occurredAt: string;
  receivedAt: string;
  properties: Row;
  context: Row;
};
export type DropInsert = {
  id: string;
  reason: string;
  detail: string;
  messageId: string | null;
  excerpt: string | null;
  receivedAt: string;
};

export function createIngestRepository(db: Db) {
  return {
    /** Serialises identity resolution of one workspace across processes, until the transaction ends. */
    async lockWorkspace(workspaceId: string): Promise<void> {
      await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`ingest:${workspaceId}`}))`);
    },

    /**
     * The ingestion writer's first statement: takes the workspace's ingest lock (as `lockWorkspace`)
     * and answers the number of its current agreement version, in one round trip.
     */
    async lockForIngest(workspaceId: string): Promise<{ agreementVersion: number | undefined }> {
      const found = await rows<{ version: number | null }>(
        db,
        sql`select (select max(version) from agreement_versions where workspace_id = ${workspaceId}::uuid) as version
            from (select pg_advisory_xact_lock(hashtext(${`ingest:${workspaceId}`}))) as locked`,
      );
      return { agreementVersion: found[0]?.version ?? undefined };
    },

    async findSpoolPosition(spoolId: string): Promise<{ segment: number; byteOffset: number } | undefined> {
      const found = await rows<{ segment: number; byte_offset: string | number }>(
        db,
        sql`select segment, byte_offset from ingest_spool_positions where spool_id = ${spoolId}`,
      );
      const row = found[0];
      return row ? { segment: row.segment, byteOffset: Number(row.byte_offset) } : undefined;
    },

    async saveSpoolPosition(spoolId: string, segment: number, byteOffset: number, at: string): Promise<void> {
      await db.execute(
        sql`insert into ingest_spool_positions (spool_id, segment, byte_offset, updated_at)
            values (${spoolId}, ${segment}, ${byteOffset}, ${at}::timestamptz)
            on conflict (spool_id) do update
              set segment = excluded.segment, byte_offset = excluded.byte_offset, updated_at = excluded.updated_at`,
      );
    },

    /**
     * Refreshes the planner's statistics of the fact tables and of what is derived from them:
     * every column, or only `workspace_id` (which workspace holds how many rows: cheap, as its
     * statistics target is small, and all a new workspace needs on PostgreSQL, whose autovacuum
     * keeps the other columns) — except for tables never analysed, which get every column (a new
     * database's first minute, before autovacuum's first look, otherwise runs on default guesses).
     */
    async refreshStatistics(columns: 'all' | 'workspace'): Promise<void> {
      const tables = [
        'contacts',
        'contact_identities',
        'accounts',
        'activities',
        'ingested_messages',
        'touches',
        'deals',
        'deal_events',
        'feedback',
        'stage_transitions',
        'person_timelines',
        'contact_segments',
        'contact_states',
        'scores',
        'sla_clocks',
      ];
      const never =
        columns === 'all'
          ? new Set(tables)
          : new Set(
              (
                await rows<{ relname: string }>(
                  db,
                  sql`select relname from pg_stat_user_tables
                       where relname in (${sql.join(
                         tables.map((table) => sql`${table}`),
                         sql`, `,
                       )}) and last_analyze is null and last_autoanalyze is null`,
                )
              ).map((row) => row.relname),
            );
      const list = tables.map((table) => (never.has(table) ? table : `${table} (workspace_id)`)).join(', ');
      await db.execute(sql.raw(`analyze ${list}`));
      // Every column is refreshed on PGlite, which runs no autovacuum: the reports' rollups are also
      // vacuumed, so their pages are marked all-visible (the reports then read the entries index
      // alone) and the room their upkeep leaves (delete-and-insert, updates) is reused.
      if (columns === 'all') await db.execute(sql`vacuum person_timelines, contact_segments`);
    },

    /** How many stored messages the planner believes a workspace holds (its estimate, not a count). */
    async estimateWorkspaceMessages(workspaceId: string): Promise<number> {
      const [found] = await rows<{ 'QUERY PLAN': unknown }>(
        db,
        sql`explain (format json) select 1 from ingested_messages where workspace_id = ${workspaceId}::uuid`,
      );
      const plan = found?.['QUERY PLAN'];
      const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as [
        { Plan: { 'Plan Rows': number } },
      ];
      return parsed[0].Plan['Plan Rows'];
    },

    /** The surviving contact of each id (following merges) among those that exist. */
    async findContacts(workspaceId: string, ids: string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const found = await rows<{ id: string; survivor: string }>(
        db,
        sql`select c.id, coalesce(c.merged_into_id, c.id) as survivor from contacts c
            join jsonb_array_elements_text(${json(ids)}::jsonb) as x(value) on c.id::text = x.value
            where c.workspace_id = ${workspaceId}::uuid`,
      );
      return new Map(found.map((row) => [row.id, row.survivor]));
    },

    /** Remembers message ids; answers the ones not seen before (the others are retries). */
    async claimMessageIds(
      workspaceId: string,
      messageIds: string[],
      receivedAt: string,
    ): Promise<Set<string>> {
      if (messageIds.length === 0) return new Set();
      const claimed = await rows<{ message_id: string }>(
        db,
        sql`insert into ingested_messages (workspace_id, message_id, received_at)
            select ${workspaceId}::uuid, m.value, ${receivedAt}::timestamptz
            from jsonb_array_elements_text(${json(messageIds)}::jsonb) as m(value)
            on conflict do nothing
            returning message_id`,
      );
      return new Set(claimed.map((row) => row.message_id));
    },

    async findIdentities(workspaceId: string, identities: Identity[]): Promise<Map<string, string>> {
      if (identities.length === 0) return new Map();
      const found = await rows<{ kind: IdentityKind; value: string; contact_id: string }>(
        db,
        // One primary-key lookup per identity. `offset 0` keeps the planner from flattening the
        // lateral subquery into a hash join over every identity of the workspace, which it chose
        // whenever the table's statistics were stale (PGlite runs no autovacuum): 28 ms instead
        // of 0.4 ms for 30 identities among 20,000.
        sql`select k.kind, k.value, i.contact_id
            from jsonb_to_recordset(${json(identities)}::jsonb) as k(kind text, value text)
            cross join lateral (
              select contact_id from contact_identities i
              where i.workspace_id = ${workspaceId}::uuid and i.kind = k.kind and i.value = k.value
              offset 0) as i`,
      );
      return new Map(found.map((row) => [`${row.kind}:${row.value}`, row.contact_id]));
    },

    /** Those of these contact ids that exist and are not merged into another (one key lookup each). */
    async findLiveContacts(workspaceId: string, ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const found = await rows<{ id: string }>(
        db,
        // Only the key inside the subquery: with `merged_into_id is null` there too, the planner
        // took the merged-into index and scanned every unmerged contact once per id.
        sql`select x.id from jsonb_array_elements_text(${json(ids)}::jsonb) as x(id)
            cross join lateral (
              select c.merged_into_id from contacts c
              where c.workspace_id = ${workspaceId}::uuid and c.id = x.id::uuid
              offset 0) as found
            where found.merged_into_id is null`,
      );
      return new Set(found.map((row) => row.id));
    },

    async insertContacts(workspaceId: string, contacts: ContactInsert[]): Promise<void> {
      if (contacts.length === 0) return;
      await db.execute(
        sql`insert into contacts (workspace_id, id, email, traits, created_at, updated_at)
            select ${workspaceId}::uuid, x.id, x.email, coalesce(x.traits, '{}'::jsonb), x.at, x.at
            from jsonb_to_recordset(${json(contacts)}::jsonb) as x(id uuid, email text, traits jsonb, at timestamptz)`,
      );
    },

    async insertIdentities(
      workspaceId: string,
      links: { kind: IdentityKind; value: string; contactId: string }[],
      at: string,
    ): Promise<void> {
      if (links.length === 0) return;
      await db.execute(
        sql`insert into contact_identities (workspace_id, kind, value, contact_id, created_at)
            select ${workspaceId}::uuid, x.kind, x.value, x."contactId", ${at}::timestamptz
            from jsonb_to_recordset(${json(links)}::jsonb) as x(kind text, value text, "contactId" uuid)
            on conflict do nothing`,
      );
    },

    /**
     * Merges contacts: identities move to the survivor, the merged contact (and any merged into
     * it before) points at it, and the survivor keeps its own traits over the merged one's.
     */
    async mergeContacts(
      workspaceId: string,
      merges: { from: string; into: string }[],
      at: string,
    ): Promise<void> {
      if (merges.length === 0) return;
      const payload = json(merges);
      await db.execute(
        sql`update contact_identities i set contact_id = m."into"
            from jsonb_to_recordset(${payload}::jsonb) as m("from" uuid, "into" uuid)
            where i.workspace_id = ${workspaceId}::uuid and i.contact_id = m."from"`,
      );
      await db.execute(
        sql`update contacts s set
              traits = f.traits || s.traits,
              email = coalesce(s.email, f.email),
              account_id = coalesce(s.account_id, f.account_id),
              updated_at = ${at}::timestamptz
            from jsonb_to_recordset(${payload}::jsonb) as m("from" uuid, "into" uuid)
            join contacts f on f.workspace_id = ${workspaceId}::uuid and f.id = m."from"
            where s.workspace_id = ${workspaceId}::uuid and s.id = m."into"`,
      );
      await db.execute(
        sql`update contacts c set merged_into_id = m."into", updated_at = ${at}::timestamptz
            from jsonb_to_recordset(${payload}::jsonb) as m("from" uuid, "into" uuid)
            where c.workspace_id = ${workspaceId}::uuid and (c.id = m."from" or c.merged_into_id = m."from")`,
      );
    },

    /** Adds traits (new values win) and fills a missing e-mail; answers the ids whose row changed. */
    async updateContacts(workspaceId: string, updates: ContactUpdate[]): Promise<Set<string>> {
      if (updates.length === 0) return new Set();
      const changed = await rows<{ id: string }>(
        db,
        sql`update contacts c set
              traits = c.traits || u.traits,
              email = coalesce(c.email, u.email),
              updated_at = greatest(c.updated_at, u.at)
            from jsonb_to_recordset(${json(updates)}::jsonb) as u(id uuid, email text, traits jsonb, at timestamptz)
            where c.workspace_id = ${workspaceId}::uuid and c.id = u.id
              and ((c.traits || u.traits) <> c.traits or (c.email is null and u.email is not null))
            returning c.id`,
      );
      return new Set(changed.map((row) => row.id));
    },

    /**
     * The accounts of these domains, created when missing (name: the domain until a better one
     * is known). Answers domain → account id.
     */
    async ensureAccountsByDomain(workspaceId: string, domains: string[], newIds: string[], at: string) {
      if (domains.length === 0) return new Map<string, string>();
      const payload = json(domains.map((domain, index) => ({ domain, id: newIds[index] })));
      await db.execute(
        sql`insert into accounts (workspace_id, id, domain, name, traits, created_at)
            select ${workspaceId}::uuid, x.id, x.domain, x.domain, '{}'::jsonb, ${at}::timestamptz
            from jsonb_to_recordset(${payload}::jsonb) as x(domain text, id uuid)
            on conflict do nothing`,
      );
      const found = await rows<{ id: string; domain: string }>(
        db,
        sql`select a.id, a.domain from accounts a
            join jsonb_array_elements_text(${json(domains)}::jsonb) as d(value) on a.domain = d.value
            where a.workspace_id = ${workspaceId}::uuid`,
      );
      return new Map(found.map((row) => [row.domain, row.id]));
    },

    /**
     * An account named by an external id (a Segment `group` id, a CRM id), created or updated:
     * traits merge, a known domain or name is filled in. Falls back to the account of the same
     * domain when one exists. Answers its id.
     */
    async upsertAccount(
      workspaceId: string,
      account: {
        externalId: string;
        domain: string | null;
        name: string | null;
        traits: Row;
        newId: string;
        at: string;
      },
    ): Promise<string> {
      const existing = await rows<{ id: string }>(
        db,
        sql`select id from accounts where workspace_id = ${workspaceId}::uuid
              and (external_id = ${account.externalId} or (${account.domain}::text is not null and domain = ${account.domain}))
            order by (external_id = ${account.externalId}) desc nulls last limit 1`,
      );
      const found = existing[0];
      if (found) {
        await db.execute(
          sql`update accounts set
                traits = traits || ${json(account.traits)}::jsonb,
                name = coalesce(${account.name}, name),
                domain = coalesce(domain, ${account.domain}),
                external_id = coalesce(external_id, ${account.externalId})
              where workspace_id = ${workspaceId}::uuid and id = ${found.id}::uuid`,
        );
        return found.id;
      }
      await db.execute(
        sql`insert into accounts (workspace_id, id, domain, name, traits, external_id, created_at)
            values (${workspaceId}::uuid, ${account.newId}::uuid, ${account.domain}, ${account.name ?? account.domain ?? account.externalId},
                    ${json(account.traits)}::jsonb, ${account.externalId}, ${account.at}::timestamptz)`,
      );
      return account.newId;
    },

    /** Sets contacts' accounts; with `onlyWhenMissing`, keeps an account already set (e-mail domain matches). */
    async assignAccounts(
      workspaceId: string,
      assignments: { contactId: string; accountId: string }[],
      onlyWhenMissing: boolean,
    ): Promise<void> {
      if (assignments.length === 0) return;
      await db.execute(
        sql`update contacts c set account_id = a."accountId"
            from jsonb_to_recordset(${json(assignments)}::jsonb) as a("contactId" uuid, "accountId" uuid)
            where c.workspace_id = ${workspaceId}::uuid and c.id = a."contactId"
              and (${!onlyWhenMissing} or c.account_id is null)`,
      );
    },

    async insertActivities(workspaceId: string, activities: ActivityInsert[]): Promise<void> {
      if (activities.length === 0) return;
      await db.execute(
        sql`insert into activities (workspace_id, contact_id, id, message_id, kind, event, activity_type,
                                    occurred_at, received_at, properties, context)
            select ${workspaceId}::uuid, x."contactId", x.id, x."messageId", x.kind, x.event, x."activityType",
                   x."occurredAt", x."receivedAt", x.properties, x.context
            from jsonb_to_recordset(${json(activities)}::jsonb) as x(
              "contactId" uuid, id uuid, "messageId" text, kind text, event text, "activityType" text,
              "occurredAt" timestamptz, "receivedAt" timestamptz, properties jsonb, context jsonb)`,
      );
    },

    async insertDrops(workspaceId: string, drops: DropInsert[]): Promise<void> {
      if (drops.length === 0) return;
      await db.execute(
        sql`insert into ingest_drops (workspace_id, id, reason, detail, message_id, excerpt, received_at)
            select ${workspaceId}::uuid, x.id, x.reason, x.detail, x."messageId", x.excerpt, x."receivedAt"
            from jsonb_to_recordset(${json(drops)}::jsonb) as x(
              id uuid, reason text, detail text, "messageId" text, excerpt text, "receivedAt" timestamptz)`,
      );
    },

    async recentDrops(workspaceId: string, since: string, limit: number) {
      const found = await rows<{
        reason: string;
        detail: string;
        message_id: string | null;
        excerpt: string | null;
        received_at: string | Date;
      }>(
        db,
        sql`select reason, detail, message_id, excerpt, received_at from ingest_drops
            where workspace_id = ${workspaceId}::uuid and received_at >= ${since}::timestamptz
            order by received_at desc, id desc limit ${limit}`,
      );
      return found.map((row) => ({
        reason: row.reason,
        detail: row.detail,
        messageId: row.message_id,
        excerpt: row.excerpt,
        receivedAt: new Date(row.received_at),
      }));
    },

    /** Dropped events per reason since a time, for the API and metrics. */
    async countDrops(workspaceId: string, since: string): Promise<{ reason: string; count: number }[]> {
      const counted = await rows<{ reason: string; count: string | number }>(
        db,
        sql`select reason, count(*) as count from ingest_drops
            where workspace_id = ${workspaceId}::uuid and received_at >= ${since}::timestamptz
            group by reason order by reason`,
      );
      return counted.map((row) => ({ reason: row.reason, count: Number(row.count) }));
    },
  };
}
