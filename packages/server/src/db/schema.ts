import { touchKinds as coreTouchKinds } from '@smarketing/core';
import { type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
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
    index('ingested_messages_received_at_idx').on(t.receivedAt),
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
    index('contact_identities_contact_idx').on(t.workspaceId, t.contactId),
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
    properties: jsonb().$type<JsonObject>().notNull(),
    context: jsonb().$type<JsonObject>().notNull(),
  },
  (t) => [
    // The key orders a contact's history by time (the rep's view reads it in this order), so no
    // second index is needed for that. No foreign key to contacts: the ingestion writer creates
    // the contact in the same transaction, and the per-row check cost 40 % of ingest throughput.
    primaryKey({ name: 'activities_pk', columns: [t.workspaceId, t.contactId, t.occurredAt, t.id] }),
    index('activities_type_occurred_idx').on(t.workspaceId, t.activityType, t.occurredAt),
    check('activities_kind_check', oneOf(t.kind, activityKinds)),
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
    index('stage_transitions_to_stage_occurred_idx').on(t.workspaceId, t.toStage, t.occurredAt),
    check('stage_transitions_cause_check', oneOf(t.cause, transitionCauses)),
    check('stage_transitions_rule_check', sql`${t.cause} <> 'rule' or ${t.ruleId} is not null`),
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
    index('feedback_occurred_idx').on(t.workspaceId, t.occurredAt),
    check('feedback_verdict_check', oneOf(t.verdict, feedbackVerdicts)),
    check('feedback_rating_check', sql`${t.rating} between 1 and 5`),
  ],
);

/** Derived: the latest fit and interest of each contact, rebuilt by replaying its facts. */
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
    foreignKey({
      name: 'scores_contact_fk',
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }),
    index('scores_quadrant_interest_idx').on(t.workspaceId, t.quadrant, t.interest),
  ],
);
