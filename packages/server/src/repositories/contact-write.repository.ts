import type { Identity, IdentityKind } from '@smarketing/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { JsonObject } from '../db/schema.ts';

/**
 * The set-based statements behind the sales-fact API and contact upserts: each takes its rows as
 * one JSON parameter expanded with `jsonb_to_recordset`, so a call of any size is a handful of
 * statements. Fact inserts are idempotent on the source's external id: a row whose key is already
 * stored, for the contact or for any contact merged into it, is skipped (INSERT … ON CONFLICT DO
 * NOTHING, plus a look at the merged contacts, whose facts keep their own contact id).
 */
type Row = Record<string, unknown>;

/** The rows a raw statement answers. */
export async function rows<T extends Row>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** A list of rows (or ids) as the one JSON parameter of a statement. */
export const json = (value: unknown) => JSON.stringify(value);

export type TouchInsert = {
  contactId: string;
  id: string;
  repId: string;
  kind: string;
  outcome: string | null;
  occurredAt: string;
  recordedAt: string;
  source: string;
  externalId: string | null;
};

export type FeedbackInsert = {
  contactId: string;
  id: string;
  repId: string;
  verdict: string;
  reason: string | null;
  rating: number | null;
  comment: string | null;
  occurredAt: string;
  recordedAt: string;
  source: string;
  externalId: string | null;
};

export type TransitionInsert = {
  contactId: string;
  id: string;
  fromStage: string | null;
  toStage: string;
  occurredAt: string;
  recordedAt: string;
  actor: string;
  agreementVersion: number;
  externalId: string;
};

export type AccountUpsert = {
  /** The caller's key for the answer map. */
  key: string;
  /** `<system>:<id>` or `name:<lowercased name>`; null to match by domain only. */
  externalId: string | null;
  domain: string | null;
  name: string | null;
  traits: JsonObject;
  newId: string;
};

export type ContactChange = {
  id: string;
  /** Traits to set (incoming values win). */
  traits: JsonObject;
  /** Trait names to remove. */
  clear: string[];
  /** Replaces the e-mail when set. */
  email: string | null;
  /** An explicit account: replaces the current one. */
  accountId: string | null;
  /** The account of the e-mail's domain: set only when the contact has none. */
  domainAccountId: string | null;
  /** Moves `created_at` earlier when the source knew the contact before us. */
  createdAt: string | null;
  at: string;
};

/**
 * `members`: the contacts merged into the batch's contacts (a CTE over `x`, scanned once), whose
 * stored facts count as the survivor's for de-duplication.
 */
export const mergedMembers = (workspaceId: string) =>
  sql`members as materialized (
        select m.id, m.merged_into_id as survivor from contacts m
        where m.workspace_id = ${workspaceId}::uuid
          and m.merged_into_id in (select distinct x."contactId" from x))`;

/**
 * The condition on a batch row `x` of facts keyed by source and external id: no contact merged
 * into its contact (`members`) holds a fact of `table` with its key. Its own contact's facts are
 * left to ON CONFLICT DO NOTHING; rows without an external id always pass.
 */
export const notStoredForMembers = (workspaceId: string, table: 'touches' | 'feedback' | 'deal_events') =>
  sql`x."externalId" is null or not exists (
        select 1 from members m join ${sql.identifier(table)} f
          on f.workspace_id = ${workspaceId}::uuid and f.contact_id = m.id
         and f.source = x.source and f.external_id = x."externalId"
        where m.survivor = x."contactId")`;

export function createContactWriteRepository(db: Db) {
  return {
    /** One identity of each contact, to find it again through identity resolution. */
    async findAnchorIdentities(workspaceId: string, contactIds: string[]): Promise<Map<string, Identity>> {
      if (contactIds.length === 0) return new Map();
      const found = await rows<{ contact_id: string; kind: IdentityKind; value: string }>(
        db,
        sql`select distinct on (i.contact_id) i.contact_id, i.kind, i.value
            from contact_identities i
            where i.workspace_id = ${workspaceId}::uuid
              and i.contact_id in (select value::uuid from jsonb_array_elements_text(${json(contactIds)}::jsonb))
            order by i.contact_id, i.created_at, i.kind, i.value`,
      );
      return new Map(found.map((row) => [row.contact_id, { kind: row.kind, value: row.value }]));
    },

    /** Stores touches not stored before; answers how many were new. */
    async insertTouches(workspaceId: string, touches: TouchInsert[]): Promise<number> {
      if (touches.length === 0) return 0;
      const inserted = await rows<{ id: string }>(
        db,
        sql`with x as (
              select * from jsonb_to_recordset(${json(touches)}::jsonb) as x(
                "contactId" uuid, id uuid, "repId" text, kind text, outcome text,
                "occurredAt" timestamptz, "recordedAt" timestamptz, source text, "externalId" text)),
            ${mergedMembers(workspaceId)}
            insert into touches (workspace_id, contact_id, id, rep_id, kind, outcome, occurred_at, recorded_at,
                                 source, external_id)
            select ${workspaceId}::uuid, x."contactId", x.id, x."repId", x.kind, x.outcome, x."occurredAt",
                   x."recordedAt", x.source, x."externalId"
            from x
            where ${notStoredForMembers(workspaceId, 'touches')}
            on conflict do nothing
            returning id`,
      );
      return inserted.length;
    },

    /** Stores feedback not stored before; answers how many were new. */
    async insertFeedback(workspaceId: string, entries: FeedbackInsert[]): Promise<number> {
      if (entries.length === 0) return 0;
      const inserted = await rows<{ id: string }>(
        db,
        sql`with x as (
              select * from jsonb_to_recordset(${json(entries)}::jsonb) as x(
                "contactId" uuid, id uuid, "repId" text, verdict text, reason text, rating smallint, comment text,
                "occurredAt" timestamptz, "recordedAt" timestamptz, source text, "externalId" text)),
            ${mergedMembers(workspaceId)}
            insert into feedback (workspace_id, contact_id, id, rep_id, verdict, reason, rating, comment,
                                  occurred_at, recorded_at, source, external_id)
            select ${workspaceId}::uuid, x."contactId", x.id, x."repId", x.verdict, x.reason, x.rating, x.comment,
                   x."occurredAt", x."recordedAt", x.source, x."externalId"
            from x
            where ${notStoredForMembers(workspaceId, 'feedback')}
            on conflict do nothing
            returning id`,
      );
      return inserted.length;
    },

    /** Stores imported stage history not stored before (by external id); answers the contacts of the new rows. */
    async insertTransitions(workspaceId: string, transitions: TransitionInsert[]): Promise<string[]> {
      if (transitions.length === 0) return [];
      const inserted = await rows<{ contact_id: string }>(
        db,
        sql`with x as (
              select * from jsonb_to_recordset(${json(transitions)}::jsonb) as x(
                "contactId" uuid, id uuid, "fromStage" text, "toStage" text, "occurredAt" timestamptz,
                "recordedAt" timestamptz, actor text, "agreementVersion" integer, "externalId" text)),
            ${mergedMembers(workspaceId)}
            insert into stage_transitions (workspace_id, contact_id, id, from_stage, to_stage, occurred_at,
                                           recorded_at, cause, actor, agreement_version, external_id)
            select ${workspaceId}::uuid, x."contactId", x.id, x."fromStage", x."toStage", x."occurredAt",
                   x."recordedAt", 'import', x.actor, x."agreementVersion", x."externalId"
            from x
            where not exists (
              select 1 from members m join stage_transitions s
                on s.workspace_id = ${workspaceId}::uuid and s.contact_id = m.id and s.external_id = x."externalId"
              where m.survivor = x."contactId")
            on conflict do nothing
            returning contact_id`,
      );
      return inserted.map((row) => row.contact_id);
    },

    /**
     * Finds or creates accounts: by external id first, else by domain. Found accounts merge the
     * incoming traits and fill a missing name, domain or external id (when no other account holds
     * it). Answers key → account id. Keys must be unique in `accounts`.
     */
    async upsertAccounts(
      workspaceId: string,
      accounts: AccountUpsert[],
      at: string,
    ): Promise<Map<string, string>> {
      if (accounts.length === 0) return new Map();
      const found = await rows<{ key: string; id: string | null }>(
        db,
        sql`select x.key, (
              select a.id from accounts a
              where a.workspace_id = ${workspaceId}::uuid
                and (a.external_id = x."externalId" or (x.domain is not null and a.domain = x.domain))
              order by (a.external_id is not distinct from x."externalId") desc, a.created_at
              limit 1) as id
            from jsonb_to_recordset(${json(accounts)}::jsonb) as x(key text, "externalId" text, domain text)`,
      );
      const existing = new Map(found.flatMap((row) => (row.id ? [[row.key, row.id] as const] : [])));
      const result = new Map<string, string>();

      // Several inputs may land on one account: merge them into one update each.
      const updates = new Map<string, AccountUpsert>();
      // New accounts: a domain (or external id) belongs to the first input that names it.
      const inserts: AccountUpsert[] = [];
      const newByDomain = new Map<string, string>();
      const newByExternal = new Map<string, string>();
      for (const account of accounts) {
        const foundId = existing.get(account.key);
        if (foundId) {
          result.set(account.key, foundId);
          const previous = updates.get(foundId);
          updates.set(foundId, previous ? mergeAccount(previous, account) : { ...account, newId: foundId });
          continue;
        }
        const sameId =
          (account.externalId ? newByExternal.get(account.externalId) : undefined) ??
          (account.domain && !account.externalId ? newByDomain.get(account.domain) : undefined);
        if (sameId) {
          result.set(account.key, sameId);
          continue;
        }
        const domain = account.domain && !newByDomain.has(account.domain) ? account.domain : null;
        inserts.push({ ...account, domain });
        if (domain) newByDomain.set(domain, account.newId);
        if (account.externalId) newByExternal.set(account.externalId, account.newId);
        result.set(account.key, account.newId);
      }

      if (inserts.length > 0) {
        await db.execute(
          sql`insert into accounts (workspace_id, id, domain, name, traits, external_id, created_at)
              select ${workspaceId}::uuid, x."newId", x.domain, coalesce(x.name, x.domain, x."externalId"),
                     coalesce(x.traits, '{}'::jsonb), x."externalId", ${at}::timestamptz
              from jsonb_to_recordset(${json(inserts)}::jsonb) as x(
                "newId" uuid, domain text, name text, traits jsonb, "externalId" text)`,
        );
      }
      if (updates.size > 0) {
        await db.execute(
          sql`update accounts a set
                traits = a.traits || coalesce(x.traits, '{}'::jsonb),
                name = coalesce(x.name, a.name),
                domain = coalesce(a.domain, case when not exists (
                  select 1 from accounts o where o.workspace_id = a.workspace_id and o.domain = x.domain)
                  then x.domain end),
                external_id = coalesce(a.external_id, case when not exists (
                  select 1 from accounts o where o.workspace_id = a.workspace_id and o.external_id = x."externalId")
                  then x."externalId" end)
              from jsonb_to_recordset(${json([...updates.values()])}::jsonb) as x(
                "newId" uuid, domain text, name text, traits jsonb, "externalId" text)
              where a.workspace_id = ${workspaceId}::uuid and a.id = x."newId"`,
        );
      }
      return result;
    },

    /**
     * Applies traits (set and clear), e-mail, account and an earlier creation time to contacts, one
     * change per contact. Answers the contacts whose traits, e-mail or account actually changed.
     */
    async changeContacts(workspaceId: string, changes: ContactChange[]): Promise<Set<string>> {
      if (changes.length === 0) return new Set();
      const changed = await rows<{ id: string; changed: boolean }>(
        db,
        sql`with u as (
              select * from jsonb_to_recordset(${json(changes)}::jsonb) as u(
                id uuid, traits jsonb, clear jsonb, email text, "accountId" uuid, "domainAccountId" uuid,
                "createdAt" timestamptz, at timestamptz)),
            n as (
              select c.id,
                     (c.traits || coalesce(u.traits, '{}'::jsonb))
                       - coalesce((select array_agg(k) from jsonb_array_elements_text(u.clear) as k), '{}'::text[])
                       as traits,
                     coalesce(u.email, c.email) as email,
                     coalesce(u."accountId", c.account_id, u."domainAccountId") as account_id,
                     least(c.created_at, coalesce(u."createdAt", c.created_at)) as created_at,
                     u.at,
                     c.traits as old_traits, c.email as old_email, c.account_id as old_account_id
              from contacts c join u on c.id = u.id
              where c.workspace_id = ${workspaceId}::uuid),
            d as (
              select n.*, (n.traits <> n.old_traits or n.email is distinct from n.old_email
                           or n.account_id is distinct from n.old_account_id) as changed
              from n)
            update contacts c set
              traits = d.traits,
              email = d.email,
              account_id = d.account_id,
              created_at = d.created_at,
              updated_at = case when d.changed then greatest(c.updated_at, d.at) else c.updated_at end
            from d
            where c.workspace_id = ${workspaceId}::uuid and c.id = d.id
              and (d.changed or d.created_at <> c.created_at)
            returning c.id, d.changed`,
      );
      return new Set(changed.filter((row) => row.changed).map((row) => row.id));
    },

    /** The contact an id names, following a merge: the survivor and every contact merged into it. */
    async findFamily(
      workspaceId: string,
      contactId: string,
    ): Promise<{ survivor: string; members: string[] } | undefined> {
      const found = await rows<{ survivor: string }>(
        db,
        sql`select coalesce(merged_into_id, id) as survivor from contacts
            where workspace_id = ${workspaceId}::uuid and id::text = ${contactId}`,
      );
      const survivor = found[0]?.survivor;
      if (!survivor) return undefined;
      const members = await rows<{ id: string }>(
        db,
        sql`select id from contacts where workspace_id = ${workspaceId}::uuid and merged_into_id = ${survivor}::uuid
            order by id`,
      );
      return { survivor, members: [survivor, ...members.map((row) => row.id)] };
    },

    /** How many activities these contacts have, and the latest one's time. */
    async summarizeActivities(
      workspaceId: string,
      contactIds: string[],
    ): Promise<{ count: number; lastAt: Date | null }> {
      const [summary] = await rows<{ count: string | number; last_at: string | Date | null }>(
        db,
        sql`select count(*) as count, max(occurred_at) as last_at from activities
            where workspace_id = ${workspaceId}::uuid
              and contact_id in (select value::uuid from jsonb_array_elements_text(${json(contactIds)}::jsonb))`,
      );
      const lastAt = summary?.last_at ?? null;
      return { count: Number(summary?.count ?? 0), lastAt: lastAt === null ? null : new Date(lastAt) };
    },

    async findAccount(
      workspaceId: string,
      accountId: string,
    ): Promise<
      | { id: string; name: string; domain: string | null; externalId: string | null; traits: JsonObject }
      | undefined
    > {
      const [account] = await rows<{
        id: string;
        name: string;
        domain: string | null;
        external_id: string | null;
        traits: JsonObject;
      }>(
        db,
        sql`select id, name, domain, external_id, traits from accounts
            where workspace_id = ${workspaceId}::uuid and id = ${accountId}::uuid`,
      );
      return account
        ? {
            id: account.id,
            name: account.name,
            domain: account.domain,
            externalId: account.external_id,
            traits: account.traits,
          }
        : undefined;
    },
  };
}

function mergeAccount(into: AccountUpsert, from: AccountUpsert): AccountUpsert {
  return {
    ...into,
    traits: { ...into.traits, ...from.traits },
    name: from.name ?? into.name,
    domain: into.domain ?? from.domain,
    externalId: into.externalId ?? from.externalId,
  };
}
