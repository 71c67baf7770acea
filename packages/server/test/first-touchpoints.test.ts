import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import { eraseContact } from '../src/use-cases/erase/erase-contact.ts';
import { testDatabases } from '../src/use-cases/notifications/test-databases.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { seededRandom } from './seeded-random.ts';
import { suiteDeps } from './test-runtime.ts';

/**
 * Close rates read each contact's first touchpoint from the rollup `contact_first_touchpoints`,
 * which a row trigger on `activities` keeps (migration `first-touchpoints`). These tests write
 * activities in every way the rollup must follow — one by one and in batches, out of time order,
 * ties at one instant, activities that pass the trigger's cheap test yet name nothing, two
 * transactions at once — and compare it with a recomputation from scratch over the activities (the
 * migration's backfill), then erase a contact.
 */

type Row = { contact_id: string; occurred_at: string; activity_id: string; campaign: string | null };

const contexts = [
  {},
  { campaign: { name: 'Webinar-Q1' } },
  { campaign: { name: '', source: 'linkedin' } },
  { campaign: { name: '' } },
  { page: { url: 'https://example.com/?utm_campaign=spring%20sale&utm_source=ads' } },
  { page: { url: 'https://example.com/?utm_source=ads' } },
  { page: { url: 'https://example.com/?utm_medium=email' } },
  { page: { url: 'https://example.com/blog' } },
  ['campaign'],
];

describe.each(testDatabases)('the first-touchpoint rollup on %s', (_name, open) => {
  const suite = suiteDeps(open, () => new Date('2027-08-01T00:00:00Z'));
  const { query } = suite;

  async function stored(workspaceId: string): Promise<Row[]> {
    return query<Row>(sql`select contact_id::text, occurred_at::text, activity_id::text, campaign
      from contact_first_touchpoints where workspace_id = ${workspaceId} order by contact_id`);
  }

  /** Each contact's earliest activity naming a campaign or a source, from scratch. */
  async function recomputed(workspaceId: string): Promise<Row[]> {
    return query<Row>(sql`select distinct on (a.contact_id) a.contact_id::text, a.occurred_at::text, a.id::text as activity_id,
        coalesce(nullif(a.context -> 'campaign' ->> 'name', ''),
                 substring(a.context -> 'page' ->> 'url' from '[?&]utm_campaign=([^&#]*)')) as campaign
      from activities a
     where a.workspace_id = ${workspaceId}
       and coalesce(nullif(a.context -> 'campaign' ->> 'name', ''),
                    substring(a.context -> 'page' ->> 'url' from '[?&]utm_campaign=([^&#]*)'),
                    nullif(a.context -> 'campaign' ->> 'source', ''),
                    substring(a.context -> 'page' ->> 'url' from '[?&]utm_source=([^&#]*)')) is not null
     order by a.contact_id, a.occurred_at, a.id`);
  }

  test('follows activities written one by one, in batches, out of order and at once', async () => {
    const { workspaceId } = await createWorkspace({ name: 'Touchpoints', createdBy: 'test' }, suite.deps);
    const next = seededRandom(11);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const ids = Array.from({ length: 60 }, () => randomUUID());
    await suite.deps.database.db.execute(sql`insert into contacts (workspace_id, id, traits, created_at, updated_at)
      values ${sql.join(
        ids.map((id) => sql`(${workspaceId}::uuid, ${id}::uuid, '{}'::jsonb, now(), now())`),
        sql`, `,
      )}`);
    const start = Date.parse('2027-01-01T00:00:00Z');
    const activity = () => {
      // A few instants only, so ties at one instant are common (the id decides them).
      const at = new Date(start + Math.floor(next() * 40) * 3_600_000).toISOString();
      return sql`(${workspaceId}::uuid, ${pick(ids)}::uuid, ${randomUUID()}::uuid, 'page', 'Page', ${at}::timestamptz,
        ${at}::timestamptz, '{}'::jsonb, ${JSON.stringify(pick(contexts))}::jsonb)`;
    };
    const insert = (rows: SQL[]) =>
      sql`insert into activities (workspace_id, contact_id, id, kind, event, occurred_at, received_at, properties, context)
        values ${sql.join(rows, sql`, `)}`;
    for (let round = 0; round < 6; round++) {
      for (let index = 0; index < 30; index++) await suite.deps.database.db.execute(insert([activity()]));
      await suite.deps.database.db.execute(insert(Array.from({ length: 80 }, activity)));
      // Two transactions writing the same contacts' touchpoints at once (PGlite runs them in turn),
      // each under the workspace's ingest lock as every writer of activities is: without it their
      // upserts of the same contacts' rows, in different orders, can deadlock (40P01).
      await Promise.all(
        [0, 1].map(() =>
          suite.deps.database.db.transaction(async (tx) => {
            await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`ingest:${workspaceId}`}))`);
            for (let index = 0; index < 5; index++)
              await tx.execute(insert(Array.from({ length: 20 }, activity)));
          }),
        ),
      );
      expect(await stored(workspaceId)).toEqual(await recomputed(workspaceId));
    }
    const rows = await stored(workspaceId);
    // The comparison means something only if most contacts have a touchpoint and some name only a source.
    expect(rows.length).toBeGreaterThan(40);
    expect(rows.some((row) => row.campaign === null)).toBe(true);

    const [erased] = rows;
    await eraseContact({ workspaceId, contact: erased?.contact_id ?? '', erasedBy: 'test' }, suite.deps);
    const left = await stored(workspaceId);
    expect(left.map((row) => row.contact_id)).not.toContain(erased?.contact_id);
    expect(left).toEqual(await recomputed(workspaceId));
  });
});
