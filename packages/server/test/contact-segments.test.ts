import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import { replayEngine } from '../src/use-cases/engine/replay-engine.ts';
import { eraseContact } from '../src/use-cases/erase/erase-contact.ts';
import { testDatabases } from '../src/use-cases/notifications/test-databases.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { seededRandom } from './seeded-random.ts';
import { simulatedWorkspace } from './simulated-workspace.ts';
import { suiteDeps } from './test-runtime.ts';

/**
 * Close rates read each contact's source, persona, quadrant and first touchpoint from the rollup
 * `contact_segments`, which triggers on `contacts`, `scores` and `activities` keep (migration
 * `contact-segments`). These tests write the facts in every way the rollup must follow — activities
 * one by one and in batches, out of time order, ties at one instant, activities that pass the
 * trigger's cheap test yet name nothing, two transactions at once; new contacts, changed and removed
 * sources; the engine's scores, deleted scores and a replay — and compare it with a recomputation
 * from scratch over the base tables (the migration's backfill), then erase a contact.
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

describe.each(testDatabases)('the contact-segments rollup on %s', (_name, open) => {
  const suite = suiteDeps(open, () => new Date('2027-08-01T00:00:00Z'));
  const { query } = suite;

  async function stored(workspaceId: string): Promise<Row[]> {
    return query<Row>(sql`select contact_id::text, first_touch_at::text as occurred_at,
        first_touch_activity_id::text as activity_id, campaign
      from contact_segments where workspace_id = ${workspaceId} and first_touch_at is not null order by contact_id`);
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

  test('follows activities written one by one, in batches, out of order and at once (first touchpoints)', async () => {
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
  type Segments = {
    contact_id: string;
    source: string | null;
    persona: string | null;
    quadrant: string | null;
    fit: number | null;
    fit_grade: string | null;
  };

  async function storedSegments(workspaceId: string): Promise<Segments[]> {
    return query<Segments>(sql`select contact_id::text, source, persona, quadrant, fit, fit_grade
      from contact_segments where workspace_id = ${workspaceId} order by contact_id`);
  }

  /** Every contact's source, and its score's first persona, quadrant, fit and grade, from scratch. */
  async function recomputedSegments(workspaceId: string): Promise<Segments[]> {
    return query<Segments>(sql`select c.id::text as contact_id, c.traits ->> 'leadSource' as source,
        s.explanation -> 'personas' ->> 0 as persona, s.quadrant, s.fit, s.fit_grade
      from contacts c left join scores s on s.workspace_id = c.workspace_id and s.contact_id = c.id
     where c.workspace_id = ${workspaceId} order by c.id`);
  }

  async function expectSegmentsRight(workspaceId: string) {
    expect(await storedSegments(workspaceId)).toEqual(await recomputedSegments(workspaceId));
    expect(await stored(workspaceId)).toEqual(await recomputed(workspaceId));
  }

  test("follows sources, the engine's scores, deleted scores, a replay and an erasure", async () => {
    const workspaceId = await simulatedWorkspace(suite.deps, 'Segments', {
      contacts: 80,
      seed: 5,
      months: 3,
    });
    const scored = await storedSegments(workspaceId);
    // The comparisons mean something only if sources, personas and more than one quadrant are there.
    expect(scored.filter((row) => row.source !== null).length).toBeGreaterThan(40);
    expect(scored.filter((row) => row.persona !== null).length).toBeGreaterThan(10);
    expect(new Set(scored.map((row) => row.quadrant)).size).toBeGreaterThan(2);
    expect(new Set(scored.map((row) => row.fit_grade)).size).toBeGreaterThan(2);
    await expectSegmentsRight(workspaceId);

    // Sources changed, removed, set where there was none, and other traits changed (no source change).
    const ids = scored.map((row) => row.contact_id);
    const traits = (id: string, change: SQL) =>
      query(
        sql`update contacts set traits = ${change} where workspace_id = ${workspaceId}::uuid and id = ${id}::uuid`,
      );
    await traits(ids[0] as string, sql`traits || '{"leadSource": "Partner"}'::jsonb`);
    await traits(ids[1] as string, sql`traits - 'leadSource'`);
    await traits(ids[2] as string, sql`traits || '{"title": "CFO"}'::jsonb`);
    await query(sql`update contacts set traits = traits || '{"leadSource": "Event"}'::jsonb
      where workspace_id = ${workspaceId}::uuid and id in (${ids[3]}::uuid, ${ids[4]}::uuid, ${ids[5]}::uuid)`);
    // Scores deleted (as for a contact merged into another), then the engine and a replay again.
    await query(
      sql`delete from scores where workspace_id = ${workspaceId}::uuid and contact_id in (${ids[6]}::uuid, ${ids[7]}::uuid)`,
    );
    await expectSegmentsRight(workspaceId);
    await replayEngine(suite.deps, { workspaceId });
    await expectSegmentsRight(workspaceId);

    await eraseContact({ workspaceId, contact: ids[8] as string, erasedBy: 'test' }, suite.deps);
    expect((await storedSegments(workspaceId)).map((row) => row.contact_id)).not.toContain(ids[8]);
    await expectSegmentsRight(workspaceId);
  }, 120_000);
});
