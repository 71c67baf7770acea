import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAppError } from '../src/app-error.ts';
import type { Database, Db } from '../src/db/client.ts';
import { appendOnlyViolation, checkViolation, sqlStateOf } from '../src/db/errors.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { dealEvents } from '../src/db/schema.ts';
import { createRepositories, type Repositories } from '../src/repositories/index.ts';

/**
 * The storage contract: what every database Smarketing runs on must do. Run by pglite.test.ts
 * and postgres.test.ts. Each test works in workspaces of its own (random ids), so the suite can
 * share a database with other runs.
 */

/** How many migrations are committed (drizzle-kit's journal). */
export const committedMigrations: number = (
  JSON.parse(readFileSync(new URL('../src/db/migrations/meta/_journal.json', import.meta.url), 'utf8')) as {
    entries: unknown[];
  }
).entries.length;

const t0 = new Date('2026-03-02T09:00:00.000Z');
const minutes = (count: number) => new Date(t0.getTime() + count * 60_000);

/** Rows of a raw query; both drivers answer `{ rows }`. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** Every message along an error's cause chain. */
function messagesOf(error: unknown): string {
  const messages: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) messages.push(current.message);
  return messages.join(' | ');
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the statement to fail, and it succeeded.');
}

const awkwardTexts = [
  "Robert'); DROP TABLE contacts;--",
  'quotes " \' ` and $1 $$ $tag$ \\ \\\\ % _ * ? ; -- /* */',
  'Zoë Ørsted 李小龙 Ελληνικά עברית العربية 🚀👩🏽‍💻 e\u0301 \u2028 tab\there',
  '   leading and trailing spaces   ',
  'line one\nline two\r\nline three',
];

export function describeRepositoryContract(name: string, open: () => Promise<Database>): void {
  describe(`storage contract (${name})`, () => {
    let database: Database;
    let repos: Repositories;

    beforeAll(async () => {
      database = await open();
      await migrateDatabase(database);
      repos = createRepositories(database.db);
    });

    afterAll(async () => {
      await database?.close();
    });

    async function newWorkspace(name = 'Acme') {
      const id = randomUUID();
      return repos.workspaces.create({ id, slug: `test-${id}`, name, createdAt: t0 });
    }

    async function newContact(workspaceId: string, id: string = randomUUID()) {
      return repos.contacts.create({ workspaceId, id, email: `${id}@example.com`, createdAt: t0 });
    }

    describe('migrateDatabase', () => {
      test('applies nothing when run again', async () => {
        expect(await migrateDatabase(database)).toEqual({ applied: 0 });
        const [row] = await queryRows<{ count: number }>(
          database.db,
          sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
        );
        expect(row?.count).toBe(committedMigrations);
      });

      test('applies nothing when two runs overlap on a migrated database', async () => {
        const results = await Promise.all([migrateDatabase(database), migrateDatabase(database)]);
        expect(results).toEqual([{ applied: 0 }, { applied: 0 }]);
      });
    });

    describe('workspaces', () => {
      test('creates a workspace and finds it by id and by slug', async () => {
        const workspace = await newWorkspace('Acme Inc.');
        expect(workspace.name).toBe('Acme Inc.');
        expect(workspace.createdAt).toEqual(t0);
        expect(await repos.workspaces.find(workspace.id)).toEqual(workspace);
        expect(await repos.workspaces.findBySlug(workspace.slug)).toEqual(workspace);
      });

      test('lists and counts the workspaces', async () => {
        const before = await repos.workspaces.count();
        const first = await newWorkspace();
        const second = await newWorkspace();
        expect(await repos.workspaces.count()).toBeGreaterThanOrEqual(before + 2);
        const ids = (await repos.workspaces.list()).map((workspace) => workspace.id);
        expect(ids).toEqual(expect.arrayContaining([first.id, second.id]));
      });

      test('finds nothing for an unknown or malformed id or slug', async () => {
        expect(await repos.workspaces.find(randomUUID())).toBeUndefined();
        expect(await repos.workspaces.find('not-a-uuid')).toBeUndefined();
        expect(await repos.workspaces.findBySlug('%')).toBeUndefined();
        expect(await repos.workspaces.findBySlug(`test-${randomUUID()}`)).toBeUndefined();
      });

      test('rejects a taken slug with CONFLICT', async () => {
        const workspace = await newWorkspace();
        const error = await failureOf(
          repos.workspaces.create({ id: randomUUID(), slug: workspace.slug, name: 'Copy', createdAt: t0 }),
        );
        expect(isAppError(error) && error.code).toBe('CONFLICT');
      });
    });

    describe('api keys', () => {
      async function newKey(workspaceId: string) {
        const prefix = randomUUID().replaceAll('-', '').slice(0, 12);
        return repos.apiKeys.create({
          workspaceId,
          id: randomUUID(),
          name: 'ci',
          role: 'admin',
          prefix,
          hash: 'ab'.repeat(32),
          createdAt: t0,
          createdBy: 'test',
        });
      }

      test('finds a key by prefix with its workspace, hash and role', async () => {
        const workspace = await newWorkspace();
        const key = await newKey(workspace.id);
        expect(await repos.apiKeys.findByPrefix(key.prefix)).toEqual({
          ...key,
          workspaceId: workspace.id,
          hash: 'ab'.repeat(32),
          role: 'admin',
          lastUsedAt: null,
          revokedAt: null,
        });
        expect(await repos.apiKeys.findByPrefix('nosuchprefix')).toBeUndefined();
      });

      test('lists the workspace keys without their hashes', async () => {
        const workspace = await newWorkspace();
        const other = await newWorkspace();
        const key = await newKey(workspace.id);
        await newKey(other.id);
        const listed = await repos.apiKeys.list(workspace.id);
        expect(listed).toHaveLength(1);
        expect(listed[0]?.id).toBe(key.id);
        expect(listed[0]).not.toHaveProperty('hash');
      });

      test('revokes a key once, and only from its own workspace', async () => {
        const workspace = await newWorkspace();
        const other = await newWorkspace();
        const key = await newKey(workspace.id);

        expect(await repos.apiKeys.revoke(other.id, key.id, minutes(1))).toBe(false);
        expect((await repos.apiKeys.findByPrefix(key.prefix))?.revokedAt).toBeNull();

        expect(await repos.apiKeys.revoke(workspace.id, key.id, minutes(2))).toBe(true);
        expect(await repos.apiKeys.revoke(workspace.id, key.id, minutes(3))).toBe(false);
        expect((await repos.apiKeys.findByPrefix(key.prefix))?.revokedAt).toEqual(minutes(2));
        expect(await repos.apiKeys.revoke(workspace.id, randomUUID(), minutes(3))).toBe(false);
      });

      test('records the latest use of a key', async () => {
        const workspace = await newWorkspace();
        const key = await newKey(workspace.id);
        await repos.apiKeys.markUsed(key.id, minutes(5));
        await repos.apiKeys.markUsed(key.id, minutes(4));
        expect((await repos.apiKeys.findByPrefix(key.prefix))?.lastUsedAt).toEqual(minutes(5));
      });

      test('rejects a taken prefix with CONFLICT', async () => {
        const workspace = await newWorkspace();
        const key = await newKey(workspace.id);
        const error = await failureOf(repos.apiKeys.create({ ...key, id: randomUUID() }));
        expect(isAppError(error) && error.code).toBe('CONFLICT');
      });
    });

    describe('agreement versions', () => {
      const version = (workspaceId: string, note: string | null = null) => ({
        workspaceId,
        document: 'stages: []\n',
        parsed: { stages: [] },
        checksum: 'c'.repeat(64),
        appliedBy: 'test',
        appliedAt: t0,
        note,
      });

      test('numbers the versions of each workspace from 1', async () => {
        const first = await newWorkspace();
        const second = await newWorkspace();
        expect((await repos.agreementVersions.append(version(first.id))).version).toBe(1);
        expect((await repos.agreementVersions.append(version(second.id))).version).toBe(1);
        expect((await repos.agreementVersions.append(version(first.id))).version).toBe(2);
      });

      test('gives 10 concurrent appends the versions 1 to 10', async () => {
        const workspace = await newWorkspace();
        const appended = await Promise.all(
          Array.from({ length: 10 }, (_, index) =>
            repos.agreementVersions.append(version(workspace.id, `#${index}`)),
          ),
        );
        expect(appended.map((row) => row.version).sort((a, b) => a - b)).toEqual([
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        ]);
        expect((await repos.agreementVersions.list(workspace.id)).map((row) => row.version)).toEqual([
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        ]);
      });

      test('lists versions without their documents and finds one or the latest', async () => {
        const workspace = await newWorkspace();
        const first = await repos.agreementVersions.append(version(workspace.id, 'first'));
        const second = await repos.agreementVersions.append({
          ...version(workspace.id),
          appliedAt: minutes(1),
        });

        expect(await repos.agreementVersions.list(workspace.id)).toEqual([
          { version: 1, checksum: 'c'.repeat(64), appliedBy: 'test', appliedAt: t0, note: 'first' },
          { version: 2, checksum: 'c'.repeat(64), appliedBy: 'test', appliedAt: minutes(1), note: null },
        ]);
        expect(await repos.agreementVersions.find(workspace.id, 1)).toEqual(first);
        expect(await repos.agreementVersions.findLatest(workspace.id)).toEqual(second);
        expect(await repos.agreementVersions.find(workspace.id, 3)).toBeUndefined();
        expect(await repos.agreementVersions.findLatest((await newWorkspace()).id)).toBeUndefined();
      });

      test('returns the parsed JSON exactly as stored', async () => {
        const workspace = await newWorkspace();
        const parsed = {
          stages: [{ id: 'mql', owner: 'marketing', entry: { all: [{ score: 'fit', gte: 60.5 }] } }],
          empty: {},
          list: [1, -2, 0.125, 1e21, true, false, null, 'text', []],
          unicode: 'Zoë 李 🚀',
          nested: { deeper: { deepest: [{ a: null }] } },
        };
        const stored = await repos.agreementVersions.append({ ...version(workspace.id), parsed });
        expect(stored.parsed).toEqual(parsed);
        expect((await repos.agreementVersions.find(workspace.id, stored.version))?.parsed).toEqual(parsed);
      });
    });

    describe('contacts', () => {
      test('creates a contact and finds it with its traits', async () => {
        const workspace = await newWorkspace();
        const traits = { title: 'VP Sales', employees: 250, tags: ['b2b'], address: { city: 'Köln' } };
        const contact = await repos.contacts.create({
          workspaceId: workspace.id,
          id: randomUUID(),
          email: 'ada@example.com',
          traits,
          createdAt: t0,
        });
        expect(contact).toMatchObject({
          email: 'ada@example.com',
          traits,
          updatedAt: t0,
          mergedIntoId: null,
        });
        expect(await repos.contacts.find(workspace.id, contact.id)).toEqual(contact);
        expect(await repos.contacts.find((await newWorkspace()).id, contact.id)).toBeUndefined();
      });

      test('links identities and finds the contact by them, per workspace', async () => {
        const workspace = await newWorkspace();
        const other = await newWorkspace();
        const contact = await newContact(workspace.id);
        const stranger = await newContact(other.id);
        const link = { kind: 'email' as const, value: 'ada@example.com', createdAt: t0 };

        const added = await repos.contacts.addIdentity({
          ...link,
          workspaceId: workspace.id,
          contactId: contact.id,
        });
        expect(added.added).toBe(true);
        await repos.contacts.addIdentity({ ...link, workspaceId: other.id, contactId: stranger.id });

        expect((await repos.contacts.findByIdentity(workspace.id, 'email', 'ada@example.com'))?.id).toBe(
          contact.id,
        );
        expect((await repos.contacts.findByIdentity(other.id, 'email', 'ada@example.com'))?.id).toBe(
          stranger.id,
        );
        expect(
          await repos.contacts.findByIdentity(workspace.id, 'user_id', 'ada@example.com'),
        ).toBeUndefined();
        expect(await repos.contacts.listIdentities(workspace.id, contact.id)).toHaveLength(1);
      });

      test('keeps an existing identity link and reports it', async () => {
        const workspace = await newWorkspace();
        const first = await newContact(workspace.id);
        const second = await newContact(workspace.id);
        const link = {
          workspaceId: workspace.id,
          kind: 'anonymous_id' as const,
          value: 'anon-1',
          createdAt: t0,
        };
        await repos.contacts.addIdentity({ ...link, contactId: first.id });
        const again = await repos.contacts.addIdentity({
          ...link,
          contactId: second.id,
          createdAt: minutes(1),
        });
        expect(again).toEqual({ added: false, identity: { ...link, contactId: first.id } });
      });
    });

    describe('facts per contact', () => {
      test('appends activities in one statement and lists them by time', async () => {
        const workspace = await newWorkspace();
        const contact = await newContact(workspace.id);
        const activity = (occurredAt: Date, event: string) => ({
          workspaceId: workspace.id,
          contactId: contact.id,
          id: randomUUID(),
          messageId: randomUUID(),
          kind: 'track' as const,
          event,
          activityType: event === 'Demo Requested' ? 'demo-request' : null,
          occurredAt,
          receivedAt: minutes(10),
          properties: { plan: 'pro', seats: 12 },
          context: { ip: '203.0.113.7', page: { path: '/pricing' } },
        });
        const stored = await repos.activities.append([
          activity(minutes(3), 'Demo Requested'),
          activity(minutes(1), 'Signed Up'),
          activity(minutes(2), 'Webinar Attended'),
        ]);
        expect(stored).toBe(3);
        const listed = await repos.activities.listForContact(workspace.id, contact.id);
        expect(listed.map((row) => row.event)).toEqual(['Signed Up', 'Webinar Attended', 'Demo Requested']);
        expect(listed[2]).toMatchObject({
          activityType: 'demo-request',
          occurredAt: minutes(3),
          properties: { plan: 'pro', seats: 12 },
          context: { ip: '203.0.113.7', page: { path: '/pricing' } },
        });
        expect(await repos.activities.append([])).toBe(0);
      });

      test('appends a batch larger than one statement, all or none', async () => {
        const workspace = await newWorkspace();
        const contact = await newContact(workspace.id);
        const rows = Array.from({ length: 2_500 }, (_, index) => ({
          workspaceId: workspace.id,
          contactId: contact.id,
          id: randomUUID(),
          kind: 'page' as const,
          event: `/page/${index}`,
          occurredAt: minutes(index),
          receivedAt: minutes(index),
          properties: {},
          context: {},
        }));
        expect(await repos.activities.append(rows)).toBe(2_500);
        expect(await repos.activities.listForContact(workspace.id, contact.id)).toHaveLength(2_500);

        const other = await newContact(workspace.id);
        // One bad row in the third statement: the two statements before it are rolled back too.
        const broken = rows.map((row, index) => ({
          ...row,
          contactId: other.id,
          id: randomUUID(),
          kind: index === 2_200 ? ('nonsense' as 'page') : row.kind,
        }));
        expect(await failureOf(repos.activities.append(broken))).toSatisfy(isAppError);
        expect(await repos.activities.listForContact(workspace.id, other.id)).toEqual([]);
      });

      test('appends touches, transitions and feedback and lists them by time', async () => {
        const workspace = await newWorkspace();
        const contact = await newContact(workspace.id);
        const repId = randomUUID();
        const base = { workspaceId: workspace.id, contactId: contact.id };

        const late = await repos.touches.append({
          ...base,
          id: randomUUID(),
          repId,
          kind: 'meeting',
          occurredAt: minutes(30),
          recordedAt: minutes(31),
          source: 'api',
        });
        const early = await repos.touches.append({
          ...base,
          id: randomUUID(),
          repId,
          kind: 'call',
          outcome: 'voicemail',
          occurredAt: minutes(10),
          recordedAt: minutes(31),
          source: 'hubspot',
          externalId: 'call-1',
        });
        expect(await repos.touches.listForContact(workspace.id, contact.id)).toEqual([early, late]);
        expect(late).toMatchObject({ outcome: null, externalId: null });

        const entered = await repos.transitions.append({
          ...base,
          id: randomUUID(),
          toStage: 'lead',
          occurredAt: minutes(1),
          recordedAt: minutes(1),
          cause: 'import',
          actor: 'hubspot import',
          agreementVersion: 1,
        });
        const qualified = await repos.transitions.append({
          ...base,
          id: randomUUID(),
          fromStage: 'lead',
          toStage: 'mql',
          occurredAt: minutes(20),
          recordedAt: minutes(21),
          cause: 'rule',
          ruleId: 'mql-demo-request',
          reason: 'requested a demo',
          agreementVersion: 1,
        });
        expect(entered.fromStage).toBeNull();
        expect(await repos.transitions.listForContact(workspace.id, contact.id)).toEqual([
          entered,
          qualified,
        ]);

        const verdict = await repos.feedback.append({
          ...base,
          id: randomUUID(),
          repId,
          verdict: 'recycle',
          reason: 'no budget',
          rating: 3,
          comment: 'ask again in Q3',
          occurredAt: minutes(40),
          recordedAt: minutes(40),
        });
        expect(await repos.feedback.listForContact(workspace.id, contact.id)).toEqual([verdict]);
      });

      test('rejects a touch imported twice from the same source with CONFLICT', async () => {
        const workspace = await newWorkspace();
        const contact = await newContact(workspace.id);
        const touch = {
          workspaceId: workspace.id,
          contactId: contact.id,
          repId: randomUUID(),
          kind: 'email' as const,
          occurredAt: t0,
          recordedAt: t0,
          source: 'salesforce',
          externalId: '00T5e00000AbCdE',
        };
        await repos.touches.append({ ...touch, id: randomUUID() });
        const error = await failureOf(repos.touches.append({ ...touch, id: randomUUID() }));
        expect(isAppError(error) && error.code).toBe('CONFLICT');
      });

      test('rejects a fact about a contact the workspace does not have with NOT_FOUND', async () => {
        const workspace = await newWorkspace();
        const error = await failureOf(
          repos.transitions.append({
            workspaceId: workspace.id,
            contactId: randomUUID(),
            id: randomUUID(),
            toStage: 'lead',
            occurredAt: t0,
            recordedAt: t0,
            cause: 'system',
            agreementVersion: 1,
          }),
        );
        expect(isAppError(error) && error.code).toBe('NOT_FOUND');
      });

      test('lists only the facts of the asked workspace when contact ids coincide', async () => {
        const mine = await newWorkspace();
        const theirs = await newWorkspace();
        const contactId = randomUUID();
        await newContact(mine.id, contactId);
        await newContact(theirs.id, contactId);
        for (const workspace of [mine, theirs]) {
          const base = { workspaceId: workspace.id, contactId, occurredAt: t0 };
          await repos.activities.append([
            {
              ...base,
              id: randomUUID(),
              kind: 'track',
              event: workspace.id,
              receivedAt: t0,
              properties: {},
              context: {},
            },
          ]);
          await repos.touches.append({
            ...base,
            id: randomUUID(),
            repId: randomUUID(),
            kind: 'call',
            recordedAt: t0,
            source: workspace.id,
          });
          await repos.transitions.append({
            ...base,
            id: randomUUID(),
            toStage: 'lead',
            recordedAt: t0,
            cause: 'person',
            actor: workspace.id,
            agreementVersion: 1,
          });
          await repos.feedback.append({
            ...base,
            id: randomUUID(),
            repId: randomUUID(),
            verdict: 'accept',
            comment: workspace.id,
            recordedAt: t0,
          });
        }
        const activities = await repos.activities.listForContact(mine.id, contactId);
        const touches = await repos.touches.listForContact(mine.id, contactId);
        const transitions = await repos.transitions.listForContact(mine.id, contactId);
        const feedback = await repos.feedback.listForContact(mine.id, contactId);
        expect(activities.map((row) => row.event)).toEqual([mine.id]);
        expect(touches.map((row) => row.source)).toEqual([mine.id]);
        expect(transitions.map((row) => row.actor)).toEqual([mine.id]);
        expect(feedback.map((row) => row.comment)).toEqual([mine.id]);
      });
    });

    describe('feedback rating', () => {
      test.each([0, 6, -1])('rejects the rating %i with the table CHECK', async (rating) => {
        const workspace = await newWorkspace();
        const contact = await newContact(workspace.id);
        const error = await failureOf(
          repos.feedback.append({
            workspaceId: workspace.id,
            contactId: contact.id,
            id: randomUUID(),
            repId: randomUUID(),
            verdict: 'reject',
            rating,
            occurredAt: t0,
            recordedAt: t0,
          }),
        );
        expect(isAppError(error) && error.code).toBe('VALIDATION_FAILED');
        expect(isAppError(error) && error.details).toEqual({ constraint: 'feedback_rating_check' });
        expect(sqlStateOf(error)).toBe(checkViolation);
      });

      test.each([1, 5, null])('accepts the rating %s', async (rating) => {
        const workspace = await newWorkspace();
        const contact = await newContact(workspace.id);
        const stored = await repos.feedback.append({
          workspaceId: workspace.id,
          contactId: contact.id,
          id: randomUUID(),
          repId: randomUUID(),
          verdict: 'accept',
          rating,
          occurredAt: t0,
          recordedAt: t0,
        });
        expect(stored.rating).toBe(rating);
      });
    });

    describe('append-only facts', () => {
      const factTables = [
        'activities',
        'touches',
        'deal_events',
        'stage_transitions',
        'feedback',
        'agreement_versions',
      ] as const;

      /** A workspace holding one row in every fact table. */
      async function workspaceWithFacts() {
        const workspace = await newWorkspace();
        const contact = await newContact(workspace.id);
        const base = { workspaceId: workspace.id, contactId: contact.id, occurredAt: t0, recordedAt: t0 };
        await repos.activities.append([
          { ...base, id: randomUUID(), kind: 'identify', receivedAt: t0, properties: {}, context: {} },
        ]);
        await repos.touches.append({
          ...base,
          id: randomUUID(),
          repId: randomUUID(),
          kind: 'call',
          source: 'api',
        });
        await database.db.insert(dealEvents).values({
          ...base,
          dealId: randomUUID(),
          id: randomUUID(),
          kind: 'created',
          name: 'Pilot',
          stage: 'discovery',
          amount: '12000.50',
          currency: 'EUR',
          source: 'api',
        });
        await repos.transitions.append({
          ...base,
          id: randomUUID(),
          toStage: 'lead',
          cause: 'system',
          agreementVersion: 1,
        });
        await repos.feedback.append({ ...base, id: randomUUID(), repId: randomUUID(), verdict: 'accept' });
        await repos.agreementVersions.append({
          workspaceId: workspace.id,
          document: 'x: 1\n',
          parsed: { x: 1 },
          checksum: 'd'.repeat(64),
          appliedBy: 'test',
          appliedAt: t0,
          note: null,
        });
        return workspace.id;
      }

      const countRows = async (table: string, workspaceId: string) => {
        const [row] = await queryRows<{ count: number }>(
          database.db,
          sql`select count(*)::int as count from ${sql.identifier(table)} where workspace_id = ${workspaceId}`,
        );
        return row?.count ?? 0;
      };

      test.each(factTables)('rejects UPDATE and DELETE of %s', async (table) => {
        const workspaceId = await workspaceWithFacts();
        const statements = [
          sql`update ${sql.identifier(table)} set workspace_id = workspace_id where workspace_id = ${workspaceId}`,
          sql`delete from ${sql.identifier(table)} where workspace_id = ${workspaceId}`,
        ];
        for (const statement of statements) {
          const error = await failureOf(database.db.execute(statement));
          expect(sqlStateOf(error)).toBe(appendOnlyViolation);
          expect(messagesOf(error)).toContain(`${table} is append-only`);
        }
        expect(await countRows(table, workspaceId)).toBe(1);
      });

      test('rejects TRUNCATE of a fact table', async () => {
        const error = await failureOf(
          database.db.transaction(async (tx) => {
            await tx.execute(sql`truncate feedback`);
            throw new Error('TRUNCATE went through; rolling it back.');
          }),
        );
        expect(sqlStateOf(error)).toBe(appendOnlyViolation);
      });

      test('allows UPDATE and DELETE in a transaction that sets smarketing.allow_erase', async () => {
        const workspaceId = await workspaceWithFacts();
        await database.db.transaction(async (tx) => {
          await tx.execute(sql`set local smarketing.allow_erase = 'on'`);
          await tx.execute(sql`update feedback set comment = 'erased' where workspace_id = ${workspaceId}`);
          for (const table of factTables) {
            await tx.execute(sql`delete from ${sql.identifier(table)} where workspace_id = ${workspaceId}`);
          }
        });
        for (const table of factTables) expect(await countRows(table, workspaceId)).toBe(0);

        const afterwards = await workspaceWithFacts();
        const error = await failureOf(
          database.db.execute(sql`delete from stage_transitions where workspace_id = ${afterwards}`),
        );
        expect(sqlStateOf(error)).toBe(appendOnlyViolation);
      });
    });

    describe('text', () => {
      test.each(awkwardTexts)('stores %j verbatim', async (text) => {
        const workspace = await newWorkspace(text);
        expect((await repos.workspaces.find(workspace.id))?.name).toBe(text);

        const contact = await repos.contacts.create({
          workspaceId: workspace.id,
          id: randomUUID(),
          email: text,
          traits: { [text]: text, list: [text] },
          createdAt: t0,
        });
        expect(await repos.contacts.find(workspace.id, contact.id)).toMatchObject({
          email: text,
          traits: { [text]: text, list: [text] },
        });
        await repos.contacts.addIdentity({
          workspaceId: workspace.id,
          kind: 'user_id',
          value: text,
          contactId: contact.id,
          createdAt: t0,
        });
        expect((await repos.contacts.findByIdentity(workspace.id, 'user_id', text))?.id).toBe(contact.id);

        await repos.feedback.append({
          workspaceId: workspace.id,
          contactId: contact.id,
          id: randomUUID(),
          repId: randomUUID(),
          verdict: 'reject',
          reason: text,
          comment: text,
          occurredAt: t0,
          recordedAt: t0,
        });
        const [stored] = await repos.feedback.listForContact(workspace.id, contact.id);
        expect(stored).toMatchObject({ reason: text, comment: text });
        expect(await repos.workspaces.findBySlug(text)).toBeUndefined();
      });
    });
  });
}
