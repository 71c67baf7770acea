import { touchKinds as coreTouchKinds } from '@smarketing/core';
import { type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgSequence,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * The storage schema. Column names are snake_case in SQL (drizzle `casing: 'snake_case'`) and
 * camelCase here. Every row carries `workspace_id`; per-contact tables have primary keys that
 * start with (workspace_id, contact_id) so that a Citus deployment can co-locate them with
 * `contacts` (see README.md beside this file). Facts are append-only (a trigger, installed by the
 * `append-only-facts` migration, rejects UPDATE and DELETE); derived tables can be rebuilt.
 */

/** `crm_id` values are `<system>:<id>`, e.g. `salesforce:00Q5e00000AbCdE`, `hubspot:51`. */
export const identityKinds = ['email', 'user_id', 'anonymous_id', 'crm_id'] as const;
export type IdentityKind = (typeof identityKinds)[number];

export const activityKinds = ['track', 'page', 'screen', 'identify', 'group', 'alias'] as const;
export type ActivityKind = (typeof activityKinds)[number];

/** The agreement's closed list of touch kinds. */
export const touchKinds = coreTouchKinds;
export type TouchKind = (typeof touchKinds)[number];

export const dealStatuses = ['open', 'won', 'lost'] as const;
export type DealStatus = (typeof dealStatuses)[number];

export const dealEventKinds = ['created', 'stage-changed', 'amount-changed', 'won', 'lost'] as const;
export type DealEventKind = (typeof dealEventKinds)[number];

export const transitionCauses = ['rule', 'person', 'import', 'system'] as const;
export type TransitionCause = (typeof transitionCauses)[number];

export const feedbackVerdicts = ['accept', 'reject', 'recycle'] as const;
export type FeedbackVerdict = (typeof feedbackVerdicts)[number];

/** JSON objects as stored in jsonb columns (traits, properties, context). */
export type JsonObject = Record<string, unknown>;

const at = () => timestamp({ withTimezone: true });

/**
 * One sequence numbers every fact (and every contact change) as it is stored. Writers of one
 * workspace hold its ingest lock while they write, so within a workspace the order of `seq` is
 * the order of commit: the engine processes facts in that order, live and in replay alike.
 */
export const factSeq = pgSequence('fact_seq', { startWith: 1, cache: 1 });
const seqColumn = () => bigint({ mode: 'number' }).notNull().default(sql`nextval('fact_seq')`);

/** `column in ('a', 'b')` for a closed list of constants (never user input). */
function oneOf(column: AnyPgColumn, values: readonly string[]): SQL {
  return sql`${column} in (${sql.raw(values.map((value) => `'${value}'`).join(', '))})`;
}

// Workspace-level tables: small, looked up by workspace (Citus: reference tables or distributed
// by workspace_id).

export const workspaces = pgTable('workspaces', {
  id: uuid().primaryKey(),
  slug: text().notNull().unique('workspaces_slug_unique'),
  name: text().notNull(),
  createdAt: at().notNull(),
});

export const users = pgTable(
  'users',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    id: uuid().notNull(),
    email: text().notNull(),
    name: text().notNull(),
    role: text().notNull(),
    /** scrypt hash (`scrypt$N$r$p$salt$hash`) for dashboard sign-in; null: the user cannot sign in. */
    passwordHash: text(),
    /** The rep id of the agreement this user is, when a sales rep (their queue). */
    repId: text(),
    disabledAt: at(),
    createdAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'users_pk', columns: [t.workspaceId, t.id] }),
    unique('users_workspace_email_unique').on(t.workspaceId, t.email),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    id: text().notNull(),
    name: text().notNull(),
    role: text().notNull(),
    /** The public, unique start of the token, used to find the key. */
    prefix: text().notNull().unique('api_keys_prefix_unique'),
    /** SHA-256 hex of the whole token; the clear token is never stored. */
    hash: text().notNull(),
    createdAt: at().notNull(),
    createdBy: text(),
    lastUsedAt: at(),
    revokedAt: at(),
  },
  (t) => [
    primaryKey({ name: 'api_keys_pk', columns: [t.workspaceId, t.id] }),
    check('api_keys_hash_check', sql`${t.hash} ~ '^[0-9a-f]{64}$'`),
  ],
);

export const agreementVersions = pgTable(
  'agreement_versions',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    version: integer().notNull(),
    /** The YAML document exactly as applied. */
    document: text().notNull(),
    parsed: jsonb().$type<unknown>().notNull(),
    checksum: text().notNull(),
    appliedBy: text().notNull(),
    appliedAt: at().notNull(),
    note: text(),
  },
  (t) => [
    primaryKey({ name: 'agreement_versions_pk', columns: [t.workspaceId, t.version] }),
    check('agreement_versions_version_check', sql`${t.version} > 0`),
  ],
);

export const accounts = pgTable(
  'accounts',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    id: uuid().notNull(),
    domain: text(),
    name: text().notNull(),
    traits: jsonb().$type<JsonObject>().notNull(),
    ownerId: text(),
    /** The id in a CRM (`<system>:<id>`), or a normalised name when an export has no id nor domain. */
    externalId: text(),
    createdAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'accounts_pk', columns: [t.workspaceId, t.id] }),
    unique('accounts_workspace_domain_unique').on(t.workspaceId, t.domain),
    unique('accounts_workspace_external_unique').on(t.workspaceId, t.externalId),
  ],
);

/**
 * How far the ingestion spool of one server process has been loaded into the database: updated
 * in the same transaction as the events it loads, so a restart resumes exactly where the last
 * commit left off. Server-level, not workspace data: a spool holds events of every workspace.
 */
export const ingestSpoolPositions = pgTable('ingest_spool_positions', {
  spoolId: text().primaryKey(),
  segment: integer().notNull(),
  byteOffset: bigint({ mode: 'number' }).notNull(),
  updatedAt: at().notNull(),
});

export const ingestedMessages = pgTable(
  'ingested_messages',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    /** Segment `messageId`, remembered to drop retried deliveries. */
    messageId: text().notNull(),
    receivedAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'ingested_messages_pk', columns: [t.workspaceId, t.messageId] }),
    // BRIN: arrival order is time order, and every batch's claims skip a btree's upkeep.
    index('ingested_messages_received_at_idx').using('brin', t.receivedAt),
  ],
);

/** Events the ingestion pipeline dropped, with the reason from a closed list (kept for inspection). */
export const ingestDrops = pgTable(
  'ingest_drops',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    id: uuid().notNull(),
    reason: text().notNull(),
    /** What exactly was wrong (a field path, a limit). */
    detail: text().notNull(),
    messageId: text(),
    /** The start of the dropped event, at most 2 KB, for debugging. */
    excerpt: text(),
    receivedAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'ingest_drops_pk', columns: [t.workspaceId, t.id] }),
    index('ingest_drops_received_idx').on(t.workspaceId, t.receivedAt),
  ],
);

// Contacts and per-contact tables (Citus: `contacts` distributed by id, the others by
// contact_id and co-located with it).

export const contacts = pgTable(
  'contacts',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    id: uuid().notNull(),
    accountId: uuid(),
    email: text(),
    traits: jsonb().$type<JsonObject>().notNull(),
    /** Set when this contact was merged into another; its facts stay keyed by this id. */
    mergedIntoId: uuid(),
    createdAt: at().notNull(),
    updatedAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'contacts_pk', columns: [t.workspaceId, t.id] }),
    index('contacts_account_idx').on(t.workspaceId, t.accountId),
    index('contacts_merged_into_idx').on(t.workspaceId, t.mergedIntoId),
  ],
);

/**
 * Fact: a contact as it was after each change to its traits, e-mail, account or merge. A trigger
 * on `contacts` writes it (migration `engine`), so every writer is covered and the engine sees
 * each version at its place in the order.
 */
export const contactChanges = pgTable(
  'contact_changes',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    seq: seqColumn(),
    email: text(),
    accountId: uuid(),
    traits: jsonb().$type<JsonObject>().notNull(),
    /** The account's traits at that moment (an account's change is logged for each of its contacts). */
    accountTraits: jsonb().$type<JsonObject>(),
    mergedIntoId: uuid(),
    changedAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'contact_changes_pk', columns: [t.workspaceId, t.contactId, t.seq] }),
    index('contact_changes_seq_idx').on(t.workspaceId, t.seq),
  ],
);

/** Derived: rebuilt from identify/alias activities; workspace-level because it is looked up by value. */
export const contactIdentities = pgTable(
  'contact_identities',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    kind: text().$type<IdentityKind>().notNull(),
    value: text().notNull(),
    contactId: uuid().notNull(),
    createdAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'contact_identities_pk', columns: [t.workspaceId, t.kind, t.value] }),
    // By contact id alone (ids are UUIDs): led by the workspace, this index was the planner's pick
    // for lookups by value whenever its statistics took a workspace for one row.
    index('contact_identities_contact_idx').on(t.contactId),
    check('contact_identities_kind_check', oneOf(t.kind, identityKinds)),
  ],
);

/** Fact: something a contact did (a Segment message). */
export const activities = pgTable(
  'activities',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    id: uuid().notNull(),
    messageId: text(),
    kind: text().$type<ActivityKind>().notNull(),
    /** The `track` event name or the page/screen name. */
    event: text(),
    /** The agreement's classification of the event (e.g. demo-request), if any. */
    activityType: text(),
    occurredAt: at().notNull(),
    receivedAt: at().notNull(),
    /** Position in the engine's order (see `factSeq`). */
    seq: seqColumn(),
    properties: jsonb().$type<JsonObject>().notNull(),
    context: jsonb().$type<JsonObject>().notNull(),
  },
  (t) => [
    // The key orders a contact's history by time (the rep's view reads it in this order), so no
    // second index is needed for that. No foreign key to contacts: the ingestion writer creates
    // the contact in the same transaction, and the per-row check cost 40 % of ingest throughput.
    primaryKey({ name: 'activities_pk', columns: [t.workspaceId, t.contactId, t.occurredAt, t.id] }),
    index('activities_seq_idx').on(t.workspaceId, t.seq),
    index('activities_type_occurred_idx').on(t.workspaceId, t.activityType, t.occurredAt),
    // The touchpoints: the activities that may name a campaign or a source (the reports' test
    // `mayNameCampaign`, word for word, so the planner can use the index). A person's first
    // touchpoint (close rates) and a deal's touchpoints (attribution) are read from it instead of
    // every activity of the person.
    index('activities_touchpoints_idx')
      .on(t.workspaceId, t.contactId, t.occurredAt, t.id)
      .where(sql`(${t.context} ? 'campaign' or (${t.context} -> 'page' ->> 'url') like '%utm\\_%')`),
    check('activities_kind_check', oneOf(t.kind, activityKinds)),
  ],
);

/**
 * Rollup (not a fact): what close rates group each contact's leads by, in one narrow row per
 * contact, so a report looks each lead up once instead of in three wide tables:
 * - `source`: the contact's `leadSource` trait, kept by triggers on `contacts`;
 * - `persona` (the fit's first persona), `quadrant`, `fit` and `fitGrade`: the contact's score, kept
 *   by triggers on `scores` (null when it has none); lead flow reads the last three for its MQLs and
 *   its value basis (migration `contact-segments-fit`);
 * - the first touchpoint: its earliest activity (by time, then id) that names a campaign or a source
 *   (`context.campaign`, or UTM parameters in the page URL), with the campaign it names (null when it
 *   names only a source), kept by a row trigger on `activities` that fires only for activities that
 *   may name one. A person's first touchpoint is the earliest of its contacts' (the first as of any
 *   instant is this one, or none when it is later).
 * Migration `contact-segments` (which replaced `contact_first_touchpoints`). Erasing a contact
 * deletes its row; a backup carries it as is. Writers of activities and contacts hold the
 * workspace's ingest lock, which keeps two of their upserts of one row apart; the engine's score
 * triggers update only the rows whose persona or quadrant changed, in key order.
 */
export const contactSegments = pgTable(
  'contact_segments',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    source: text(),
    persona: text(),
    quadrant: text(),
    firstTouchAt: at(),
    firstTouchActivityId: uuid(),
    /** The campaign the first touchpoint names, as stored (UTM values are decoded by the reader). */
    campaign: text(),
    fit: doublePrecision(),
    fitGrade: text(),
  },
  (t) => [
    primaryKey({ name: 'contact_segments_pk', columns: [t.workspaceId, t.contactId] }),
    // Every contact's fit grade in contact order, from the index alone (the value basis).
    index('contact_segments_grade_idx').on(t.workspaceId, t.contactId, t.fitGrade),
  ],
);

/** Fact: something a rep did to a contact. */
export const touches = pgTable(
  'touches',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    id: uuid().notNull(),
    repId: text().notNull(),
    kind: text().$type<TouchKind>().notNull(),
    outcome: text(),
    occurredAt: at().notNull(),
    recordedAt: at().notNull(),
    /** Position in the engine's order (see `factSeq`). */
    seq: seqColumn(),
    /** Where the touch came from (api, a CRM import…). */
    source: text().notNull(),
    /** The id in the source system, so re-importing the same export adds nothing. */
    externalId: text(),
  },
  (t) => [
    primaryKey({ name: 'touches_pk', columns: [t.workspaceId, t.contactId, t.id] }),
    foreignKey({
      name: 'touches_contact_fk',
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }),
    unique('touches_external_unique').on(t.workspaceId, t.contactId, t.source, t.externalId),
    index('touches_seq_idx').on(t.workspaceId, t.seq),
    index('touches_rep_occurred_idx').on(t.workspaceId, t.repId, t.occurredAt),
    check('touches_kind_check', oneOf(t.kind, touchKinds)),
  ],
);

/** Derived: the current state of each deal, rebuilt from `deal_events`. */
export const deals = pgTable(
  'deals',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    id: uuid().notNull(),
    accountId: uuid(),
    name: text().notNull(),
    /** Exact decimal, as a string. */
    amount: numeric({ precision: 18, scale: 2 }),
    currency: text(),
    stage: text().notNull(),
    status: text().$type<DealStatus>().notNull(),
    reason: text(),
    createdAt: at().notNull(),
    /** A calendar date, `YYYY-MM-DD`. */
    closeDate: date({ mode: 'string' }),
    updatedAt: at().notNull(),
    /** The deal's id in its source system (`<system>:<id>`). */
    externalId: text(),
  },
  (t) => [
    primaryKey({ name: 'deals_pk', columns: [t.workspaceId, t.contactId, t.id] }),
    foreignKey({
      name: 'deals_contact_fk',
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }),
    index('deals_status_close_idx').on(t.workspaceId, t.status, t.closeDate),
    index('deals_external_idx').on(t.workspaceId, t.externalId),
    check('deals_status_check', oneOf(t.status, dealStatuses)),
    check('deals_amount_check', sql`${t.amount} >= 0`),
    check('deals_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

/** Fact: what happened to a deal. Carries every field `deals` is rebuilt from. */
export const dealEvents = pgTable(
  'deal_events',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    dealId: uuid().notNull(),
    id: uuid().notNull(),
    kind: text().$type<DealEventKind>().notNull(),
    name: text(),
    accountId: uuid(),
    stage: text(),
    amount: numeric({ precision: 18, scale: 2 }),
    currency: text(),
    closeDate: date({ mode: 'string' }),
    reason: text(),
    occurredAt: at().notNull(),
    recordedAt: at().notNull(),
    /** Position in the engine's order (see `factSeq`). */
    seq: seqColumn(),
    source: text().notNull(),
    /** Idempotency key within the source (a CRM event id, or `<deal>:<kind>`), so a retry adds nothing. */
    externalId: text(),
  },
  (t) => [
    primaryKey({ name: 'deal_events_pk', columns: [t.workspaceId, t.contactId, t.dealId, t.id] }),
    unique('deal_events_external_unique').on(t.workspaceId, t.contactId, t.source, t.externalId),
    foreignKey({
      name: 'deal_events_contact_fk',
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }),
    index('deal_events_seq_idx').on(t.workspaceId, t.seq),
    index('deal_events_occurred_idx').on(t.workspaceId, t.occurredAt),
    check('deal_events_kind_check', oneOf(t.kind, dealEventKinds)),
    check('deal_events_amount_check', sql`${t.amount} >= 0`),
    check('deal_events_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

/** Fact: a contact moved from one funnel stage to another. */
export const stageTransitions = pgTable(
  'stage_transitions',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    id: uuid().notNull(),
    /** Null for the contact's first stage. */
    fromStage: text(),
    toStage: text().notNull(),
    occurredAt: at().notNull(),
    recordedAt: at().notNull(),
    cause: text().$type<TransitionCause>().notNull(),
    /** Who moved it (a user id, an API key id, an importer…), when not a rule. */
    actor: text(),
    ruleId: text(),
    reason: text(),
    agreementVersion: integer().notNull(),
    /** Position in the engine's order (see `factSeq`). */
    seq: seqColumn(),
    /** Idempotency key for imported history (e.g. `hubspot:51:mql`). */
    externalId: text(),
  },
  (t) => [
    primaryKey({ name: 'stage_transitions_pk', columns: [t.workspaceId, t.contactId, t.id] }),
    unique('stage_transitions_external_unique').on(t.workspaceId, t.contactId, t.externalId),
    foreignKey({
      name: 'stage_transitions_contact_fk',
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }),
    index('stage_transitions_contact_occurred_idx').on(t.workspaceId, t.contactId, t.occurredAt),
    index('stage_transitions_seq_idx').on(t.workspaceId, t.seq),
    index('stage_transitions_to_stage_occurred_idx').on(t.workspaceId, t.toStage, t.occurredAt),
    check('stage_transitions_cause_check', oneOf(t.cause, transitionCauses)),
    check('stage_transitions_rule_check', sql`${t.cause} <> 'rule' or ${t.ruleId} is not null`),
  ],
);

/**
 * Rollup (not a fact): every person's stage history, kept by triggers on `stage_transitions` and
 * `contacts` (migration `person-timelines`), so the reports range-scan entries instead of
 * rebuilding timelines. One row per transition of each person (a contact with the contacts merged
 * into it), numbered `n` in time order (ties by `seq`, then id). `selects` says the transition's
 * own person is this one (the reports' selection); `pos` is set on the transitions that are
 * entries (core `buildTimelines`: not a merged contact's start after the person started, not a
 * move to the stage it is in), with the previous entry's stage and instant, the next entry's
 * instant and stage, the stages entered before (`pathId`, a row of `personTimelinePaths`) and
 * whether it entered this stage before (`enteredBefore`). Derived entirely from the facts: replay and erasure re-derive
 * it, a backup carries it as is.
 */
export const personTimelines = pgTable(
  'person_timelines',
  {
    workspaceId: uuid().notNull(),
    personId: uuid().notNull(),
    n: integer().notNull(),
    stage: text().notNull(),
    at: at().notNull(),
    selects: boolean().notNull(),
    pos: integer(),
    previousStage: text(),
    nextAt: at(),
    enteredBefore: boolean(),
    /** The stages the person entered before this entry, in order: `personTimelinePaths.id`. */
    pathId: integer(),
    /** The instant the person last entered this stage before this entry (null: never before). */
    previousSameAt: at(),
    /** The instant of the person's entry before this one (null: none; entries only). */
    previousAt: at(),
    /** The stage of the person's entry after this one, entered at `nextAt` (entries only). */
    nextStage: text(),
  },
  (t) => [
    primaryKey({ name: 'person_timelines_pk', columns: [t.workspaceId, t.personId, t.n] }),
    // A period's entries in time order with every column the reports read from them, so a report
    // reads a slice of this index (index-only) instead of rows scattered over the whole table.
    index('person_timelines_entries_idx')
      .on(
        t.workspaceId,
        t.at,
        t.stage,
        t.personId,
        t.previousSameAt,
        t.nextAt,
        t.pathId,
        t.enteredBefore,
        t.previousStage,
        t.previousAt,
      )
      .where(sql`${t.selects} and ${t.pos} is not null`),
    // A stage's entries in a period (the SLA's delivered leads, the goal tree's counts).
    index('person_timelines_stage_at_idx').on(t.workspaceId, t.stage, t.at),
    // The people who ever entered a stage, in person order, from the index alone (the value basis
    // merges them with `contact_segments` instead of hashing them).
    index('person_timelines_stage_person_idx')
      .on(t.workspaceId, t.stage, t.personId, t.at)
      .where(sql`${t.selects} and ${t.pos} is not null`),
  ],
);

/**
 * Rollup (not a fact), part of `personTimelines`: each distinct sequence of stages a person entered
 * before one of its entries, stored once per workspace (a few hundred paths for millions of
 * entries), so a timeline row carries a small id instead of an array and a report tests a path
 * (in order? past the lead stage?) once per path, not once per entry. Written by the timelines'
 * refresh, never changed; a path no entry uses any more is harmless.
 */
export const personTimelinePaths = pgTable(
  'person_timeline_paths',
  {
    workspaceId: uuid().notNull(),
    id: integer().generatedByDefaultAsIdentity(),
    stages: text().array().notNull(),
  },
  (t) => [
    primaryKey({ name: 'person_timeline_paths_pk', columns: [t.workspaceId, t.id] }),
    unique('person_timeline_paths_stages_unique').on(t.workspaceId, t.stages),
  ],
);

/** Fact: a rep's verdict on a lead. */
export const feedback = pgTable(
  'feedback',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    id: uuid().notNull(),
    repId: text().notNull(),
    verdict: text().$type<FeedbackVerdict>().notNull(),
    reason: text(),
    /** Lead quality 1–5, optional. */
    rating: smallint(),
    comment: text(),
    occurredAt: at().notNull(),
    recordedAt: at().notNull(),
    /** Position in the engine's order (see `factSeq`). */
    seq: seqColumn(),
    source: text().notNull().default('api'),
    /** Idempotency key within the source, so a retried request or re-import adds nothing. */
    externalId: text(),
  },
  (t) => [
    primaryKey({ name: 'feedback_pk', columns: [t.workspaceId, t.contactId, t.id] }),
    unique('feedback_external_unique').on(t.workspaceId, t.contactId, t.source, t.externalId),
    foreignKey({
      name: 'feedback_contact_fk',
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }),
    index('feedback_seq_idx').on(t.workspaceId, t.seq),
    index('feedback_occurred_idx').on(t.workspaceId, t.occurredAt),
    check('feedback_verdict_check', oneOf(t.verdict, feedbackVerdicts)),
    check('feedback_rating_check', sql`${t.rating} between 1 and 5`),
  ],
);

/**
 * Fact: a person (a manager or an admin) gave a lead to another rep by hand. The engine moves the
 * owner and, when the lead's SLA clock is still running, restarts it for the new rep.
 */
export const reassignments = pgTable(
  'reassignments',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    id: uuid().notNull(),
    /** The rep the lead now belongs to (a rep of the agreement). */
    toRepId: text().notNull(),
    /** Who did it: a user id or an API key id. */
    actor: text().notNull(),
    reason: text(),
    occurredAt: at().notNull(),
    recordedAt: at().notNull(),
    /** Position in the engine's order (see `factSeq`). */
    seq: seqColumn(),
    /** Idempotency key, so a retried request adds nothing. */
    externalId: text(),
  },
  (t) => [
    primaryKey({ name: 'reassignments_pk', columns: [t.workspaceId, t.contactId, t.id] }),
    unique('reassignments_external_unique').on(t.workspaceId, t.contactId, t.externalId),
    foreignKey({
      name: 'reassignments_contact_fk',
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }),
    index('reassignments_seq_idx').on(t.workspaceId, t.seq),
  ],
);

/**
 * Derived: the latest fit and interest of each contact, rebuilt by replaying its facts. No
 * foreign key to `contacts` (like `contact_states`): only the engine writes it, for contacts whose
 * facts it read, and the per-row key check locked each contact row: about 15 % of the engine's write statement.
 */
export const scores = pgTable(
  'scores',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    fit: doublePrecision().notNull(),
    interest: doublePrecision().notNull(),
    quadrant: text().notNull(),
    fitGrade: text().notNull(),
    explanation: jsonb().$type<unknown>().notNull(),
    agreementVersion: integer().notNull(),
    computedAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'scores_pk', columns: [t.workspaceId, t.contactId] }),
    index('scores_quadrant_interest_idx').on(t.workspaceId, t.quadrant, t.interest),
  ],
);

// The engine's derived state: rebuilt by `smarketing replay` from the facts above.

export const clockStatuses = ['open', 'worked', 'breached', 'cancelled'] as const;
export type ClockStatus = (typeof clockStatuses)[number];

/** Derived: where the engine stands in a workspace — how far it has read and the routing rotation. */
export const engineStates = pgTable('engine_states', {
  workspaceId: uuid()
    .primaryKey()
    .references(() => workspaces.id),
  /** Every fact and tick with a smaller or equal `seq` has been processed. */
  cursor: bigint({ mode: 'number' }).notNull(),
  /** The weighted round-robin credits and daily counts per team. */
  routing: jsonb().$type<unknown>().notNull(),
  agreementVersion: integer().notNull(),
  updatedAt: at().notNull(),
});

/** Fact: the scheduler looked at the clock. Timers due by `at` fire at this point of the order. */
export const engineTicks = pgTable(
  'engine_ticks',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    seq: seqColumn(),
    at: at().notNull(),
  },
  (t) => [primaryKey({ name: 'engine_ticks_pk', columns: [t.workspaceId, t.seq] })],
);

/** Derived: each contact's funnel position, owner, open clock and scoring state. */
export const contactStates = pgTable(
  'contact_states',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    stage: text().notNull(),
    stageSince: at().notNull(),
    furthestStage: text().notNull(),
    /** Set while the contact is on a detour (recycled, disqualified, lost). */
    detour: text(),
    ownerRepId: text(),
    ownerTeamId: text(),
    /** The earliest timer (SLA deadline, escalation, recycle return, rescoring) still to fire. */
    nextDueAt: at(),
    /** The engine's full per-contact state (core `ContactState`), for incremental processing. */
    state: jsonb().$type<unknown>().notNull(),
    agreementVersion: integer().notNull(),
    lastSeq: bigint({ mode: 'number' }).notNull(),
    updatedAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'contact_states_pk', columns: [t.workspaceId, t.contactId] }),
    index('contact_states_next_due_idx').on(t.workspaceId, t.nextDueAt),
    index('contact_states_owner_idx').on(t.workspaceId, t.ownerRepId),
    index('contact_states_stage_idx').on(t.workspaceId, t.stage),
  ],
);

/** Derived: the rep who owns each account (the latest rep given one of its contacts). */
export const accountOwners = pgTable(
  'account_owners',
  {
    workspaceId: uuid().notNull(),
    accountId: uuid().notNull(),
    repId: text().notNull(),
  },
  (t) => [primaryKey({ name: 'account_owners_pk', columns: [t.workspaceId, t.accountId] })],
);

/** Derived: every time a lead was given to a rep, and why. */
export const assignments = pgTable(
  'assignments',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    id: uuid().notNull(),
    repId: text(),
    teamId: text(),
    reasonKind: text().notNull(),
    reason: text().notNull(),
    assignedAt: at().notNull(),
    agreementVersion: integer().notNull(),
  },
  (t) => [
    primaryKey({ name: 'assignments_pk', columns: [t.workspaceId, t.contactId, t.id] }),
    index('assignments_rep_idx').on(t.workspaceId, t.repId, t.assignedAt),
  ],
);

/** Derived: the SLA clock of each hand-over to sales. */
export const slaClocks = pgTable(
  'sla_clocks',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    id: uuid().notNull(),
    repId: text(),
    teamId: text(),
    quadrant: text().notNull(),
    startedAt: at().notNull(),
    deadlineAt: at().notNull(),
    businessHours: boolean().notNull(),
    status: text().$type<ClockStatus>().notNull(),
    stoppedAt: at(),
    stopCause: text(),
    breachedAt: at(),
    agreementVersion: integer().notNull(),
  },
  (t) => [
    primaryKey({ name: 'sla_clocks_pk', columns: [t.workspaceId, t.contactId, t.id] }),
    index('sla_clocks_deadline_idx').on(t.workspaceId, t.deadlineAt),
    index('sla_clocks_rep_idx').on(t.workspaceId, t.repId, t.startedAt),
    check('sla_clocks_status_check', oneOf(t.status, clockStatuses)),
  ],
);

/** Derived: what the engine raised — breaches, escalations, leads nobody could take. */
export const engineAlerts = pgTable(
  'engine_alerts',
  {
    workspaceId: uuid().notNull(),
    contactId: uuid().notNull(),
    id: uuid().notNull(),
    kind: text().notNull(),
    at: at().notNull(),
    detail: jsonb().$type<unknown>().notNull(),
  },
  (t) => [
    primaryKey({ name: 'engine_alerts_pk', columns: [t.workspaceId, t.contactId, t.id] }),
    index('engine_alerts_at_idx').on(t.workspaceId, t.at),
  ],
);

// Notifications: an outbox written by live processing only (replay never notifies twice).

export const webhookFormats = ['json', 'slack'] as const;
export type WebhookFormat = (typeof webhookFormats)[number];
export const deliveryStatuses = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export const webhooks = pgTable(
  'webhooks',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    id: uuid().notNull(),
    url: text().notNull(),
    format: text().$type<WebhookFormat>().notNull(),
    /** The notification kinds it receives; empty means all. */
    kinds: jsonb().$type<string[]>().notNull(),
    /** HMAC-SHA256 signing secret (json format only). */
    secret: text(),
    active: boolean().notNull().default(true),
    createdAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'webhooks_pk', columns: [t.workspaceId, t.id] }),
    check('webhooks_format_check', oneOf(t.format, webhookFormats)),
  ],
);

export const notifications = pgTable(
  'notifications',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    id: uuid().notNull(),
    kind: text().notNull(),
    contactId: uuid(),
    payload: jsonb().$type<unknown>().notNull(),
    createdAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'notifications_pk', columns: [t.workspaceId, t.id] }),
    index('notifications_created_idx').on(t.workspaceId, t.createdAt),
  ],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    workspaceId: uuid().notNull(),
    id: uuid().notNull(),
    webhookId: uuid().notNull(),
    notificationId: uuid().notNull(),
    status: text().$type<DeliveryStatus>().notNull(),
    attempts: integer().notNull().default(0),
    nextAttemptAt: at(),
    lastStatusCode: integer(),
    lastError: text(),
    deliveredAt: at(),
    createdAt: at().notNull(),
  },
  (t) => [
    primaryKey({ name: 'webhook_deliveries_pk', columns: [t.workspaceId, t.id] }),
    unique('webhook_deliveries_once').on(t.workspaceId, t.webhookId, t.notificationId),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    check('webhook_deliveries_status_check', oneOf(t.status, deliveryStatuses)),
  ],
);

/** A dashboard session: the cookie holds a random token, only its SHA-256 is stored. */
export const userSessions = pgTable(
  'user_sessions',
  {
    tokenHash: text().primaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    userId: uuid().notNull(),
    /** For double-submit CSRF protection of state-changing requests made with the cookie. */
    csrfToken: text().notNull(),
    createdAt: at().notNull(),
    lastSeenAt: at().notNull(),
    expiresAt: at().notNull(),
    revokedAt: at(),
  },
  (t) => [index('user_sessions_user_idx').on(t.workspaceId, t.userId)],
);

/**
 * Append-only record of who changed what: agreement versions applied, keys created and revoked,
 * leads moved or reassigned by hand, webhooks, users, erasures. Visible to admins, exportable.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    id: uuid().notNull(),
    at: at().notNull(),
    /** Who: `api-key <name> (smk_<prefix>)`, `user <email>`, `cli <os user>`, `system`. */
    actor: text().notNull(),
    /** What, as `<object>.<verb>`: `agreement.apply`, `api-key.create`, `contact.erase`… */
    action: text().notNull(),
    /** The object's id, when it has one. */
    target: text(),
    detail: jsonb().$type<unknown>().notNull(),
  },
  (t) => [
    primaryKey({ name: 'audit_log_pk', columns: [t.workspaceId, t.id] }),
    index('audit_log_at_idx').on(t.workspaceId, t.at),
  ],
);

/**
 * A closed SLA period: what both teams settled on (targets, delivered, compliance, breaches, by
 * team), stored once when the period is closed and never changed afterwards (a trigger rejects
 * UPDATE and DELETE), so later facts do not rewrite a settled month.
 */
export const slaSettlements = pgTable(
  'sla_settlements',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    /** The period's name: `2027-03` (month), `2027-Q1` (quarter) or `2027-W09` (ISO week). */
    period: text().notNull(),
    periodStart: at().notNull(),
    periodEnd: at().notNull(),
    agreementVersion: integer().notNull(),
    /** The SLA report as it stood at closing. */
    report: jsonb().$type<unknown>().notNull(),
    closedAt: at().notNull(),
    closedBy: text().notNull(),
  },
  (t) => [
    primaryKey({ name: 'sla_settlements_pk', columns: [t.workspaceId, t.period] }),
    check('sla_settlements_period_check', sql`${t.periodStart} < ${t.periodEnd}`),
  ],
);

/**
 * What was spent on a campaign in a period (imported from the ad platforms or a spreadsheet), so
 * revenue by source and campaign can be set against cost (ROI). A row is replaced when the same
 * campaign and period are imported again.
 */
export const campaignSpend = pgTable(
  'campaign_spend',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    /** The campaign as it appears in events (`context.campaign.name`, `utm_campaign`). */
    campaign: text().notNull(),
    /** The source (`utm_source`, channel), when the spend is known per source. */
    source: text().notNull().default(''),
    /** First day of the period (inclusive), in the agreement's time zone. */
    periodStart: date({ mode: 'string' }).notNull(),
    /** Last day of the period (inclusive). */
    periodEnd: date({ mode: 'string' }).notNull(),
    amount: numeric({ precision: 14, scale: 2, mode: 'number' }).notNull(),
    currency: text().notNull(),
    importedAt: at().notNull(),
    importedBy: text().notNull(),
  },
  (t) => [
    primaryKey({
      name: 'campaign_spend_pk',
      columns: [t.workspaceId, t.campaign, t.source, t.periodStart],
    }),
    check('campaign_spend_period_check', sql`${t.periodStart} <= ${t.periodEnd}`),
    check('campaign_spend_amount_check', sql`${t.amount} >= 0`),
  ],
);

export const announcementKinds = ['product', 'campaign', 'promotion', 'event', 'other'] as const;
export type AnnouncementKind = (typeof announcementKinds)[number];

/**
 * News both teams should know — a product feature, a campaign, a promotion — entered by anyone
 * who writes facts; it reaches everyone on the dashboard and appears in the weekly brief of the
 * week it takes effect. Editing keeps the row; withdrawing sets `withdrawnAt`.
 */
export const announcements = pgTable(
  'announcements',
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id),
    id: uuid().notNull(),
    kind: text().$type<AnnouncementKind>().notNull(),
    title: text().notNull(),
    body: text().notNull().default(''),
    link: text(),
    /** When it takes effect (a launch date, a campaign start); the brief of that week shows it. */
    effectiveAt: at().notNull(),
    createdAt: at().notNull(),
    createdBy: text().notNull(),
    updatedAt: at().notNull(),
    withdrawnAt: at(),
  },
  (t) => [
    primaryKey({ name: 'announcements_pk', columns: [t.workspaceId, t.id] }),
    index('announcements_effective_idx').on(t.workspaceId, t.effectiveAt),
    check('announcements_kind_check', oneOf(t.kind, announcementKinds)),
  ],
);
