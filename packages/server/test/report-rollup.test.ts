import { randomUUID } from 'node:crypto';
import { type Agreement, simulate } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { describe, expect, test } from 'vitest';
import { loadSimulatedFacts } from '../src/use-cases/demo/load-simulated-facts.ts';
import { replayEngine } from '../src/use-cases/engine/replay-engine.ts';
import { runEngineUntilCaughtUp } from '../src/use-cases/engine/run-engine.ts';
import { eraseContact } from '../src/use-cases/erase/erase-contact.ts';
import { testDatabases } from '../src/use-cases/notifications/test-databases.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { seededRandom } from './seeded-random.ts';
import { suiteDeps } from './test-runtime.ts';

/**
 * The reports read person timelines from the rollup `person_timelines`, which triggers on
 * `stage_transitions` and `contacts` keep (migration `person-timelines`). These tests change the
 * facts in every way the rollup must follow — transitions inserted one by one and in batches, some
 * dated before those already stored, merges after the fact, an unmerge and a re-merge, an erasure,
 * an engine replay — and compare the rollup with a recomputation from scratch written here in
 * TypeScript from the base tables (and with the database function run over everyone).
 */

type RollupRow = {
  person_id: string;
  n: number;
  stage: string;
  at: string;
  selects: boolean;
  pos: number | null;
  previous_stage: string | null;
  next_at: string | null;
  entered_before: boolean | null;
  path_before: string[] | null;
  previous_same_at: string | null;
  previous_at: string | null;
  next_stage: string | null;
};

const iso = (value: unknown) => new Date(value instanceof Date ? value : String(value)).toISOString();

describe.each(testDatabases)('the person-timeline rollup on %s', (_name, open) => {
  const suite = suiteDeps(open, () => new Date('2027-08-01T00:00:00Z'));
  const { query } = suite;

  /** The rollup as stored, in a comparable form. */
  async function stored(workspaceId: string): Promise<RollupRow[]> {
    const found = await query<RollupRow>(
      sql`select t.person_id::text, t.n, t.stage, t.at, t.selects, t.pos, t.previous_stage, t.next_at,
                   t.entered_before, p.stages as path_before, t.previous_same_at, t.previous_at, t.next_stage
            from person_timelines t
            left join person_timeline_paths p on p.workspace_id = t.workspace_id and p.id = t.path_id
           where t.workspace_id = ${workspaceId}::uuid order by t.person_id, t.n`,
    );
    return found.map((row) => ({
      ...row,
      n: Number(row.n),
      pos: row.pos === null ? null : Number(row.pos),
      at: iso(row.at),
      next_at: row.next_at === null ? null : iso(row.next_at),
      previous_same_at: row.previous_same_at === null ? null : iso(row.previous_same_at),
      previous_at: row.previous_at === null ? null : iso(row.previous_at),
    }));
  }

  /** From scratch, in TypeScript: every contact's own and merged contacts' transitions, by time. */
  async function recomputed(workspaceId: string): Promise<RollupRow[]> {
    const contacts = await query<{ id: string; merged_into_id: string | null }>(
      sql`select id::text, merged_into_id::text from contacts where workspace_id = ${workspaceId}::uuid`,
    );
    const transitions = await query<{
      contact_id: string;
      id: string;
      from_stage: string | null;
      to_stage: string;
      occurred_at: unknown;
      seq: unknown;
    }>(
      sql`select contact_id::text, id::text, from_stage, to_stage, occurred_at, seq
            from stage_transitions where workspace_id = ${workspaceId}::uuid`,
    );
    const byContact = new Map<string, typeof transitions>();
    for (const t of transitions) byContact.set(t.contact_id, [...(byContact.get(t.contact_id) ?? []), t]);
    const result: RollupRow[] = [];
    for (const person of contacts) {
      const members = [
        { id: person.id, selects: person.merged_into_id === null },
        ...contacts.filter((c) => c.merged_into_id === person.id).map((c) => ({ id: c.id, selects: true })),
      ];
      const moves = members
        .flatMap((m) => (byContact.get(m.id) ?? []).map((t) => ({ ...t, selects: m.selects })))
        .map((t) => ({ ...t, ms: new Date(iso(t.occurred_at)).getTime(), seqN: BigInt(String(t.seq)) }))
        .sort(
          (a, b) => a.ms - b.ms || (a.seqN < b.seqN ? -1 : a.seqN > b.seqN ? 1 : 0) || uuidOrder(a.id, b.id),
        );
      const entries: { n: number; stage: string; at: string }[] = [];
      let stageBefore: string | undefined;
      moves.forEach((move, index) => {
        if (index > 0 && move.from_stage === null) return;
        const isEntry = move.to_stage !== stageBefore;
        stageBefore = move.to_stage;
        if (isEntry) entries.push({ n: index + 1, stage: move.to_stage, at: iso(move.occurred_at) });
      });
      moves.forEach((move, index) => {
        const e = entries.findIndex((entry) => entry.n === index + 1);
        const path = entries.slice(0, Math.max(e, 0)).map((entry) => entry.stage);
        result.push({
          person_id: person.id,
          n: index + 1,
          stage: move.to_stage,
          at: iso(move.occurred_at),
          selects: move.selects,
          pos: e < 0 ? null : e + 1,
          previous_stage: e < 1 ? null : (entries[e - 1]?.stage ?? null),
          next_at: e < 0 ? null : (entries[e + 1]?.at ?? null),
          entered_before: e < 0 ? null : path.includes(move.to_stage),
          path_before: e < 0 ? null : path,
          previous_same_at:
            e < 0
              ? null
              : (entries
                  .slice(0, e)
                  .reverse()
                  .find((entry) => entry.stage === move.to_stage)?.at ?? null),
          previous_at: e < 1 ? null : (entries[e - 1]?.at ?? null),
          next_stage: e < 0 ? null : (entries[e + 1]?.stage ?? null),
        });
      });
    }
    return result.sort((a, b) =>
      a.person_id < b.person_id ? -1 : a.person_id > b.person_id ? 1 : a.n - b.n,
    );
  }

  /** PostgreSQL orders uuids bytewise, which is the order of their lower-case hex text. */
  const uuidOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

  async function expectRollupRight(workspaceId: string) {
    const expected = await recomputed(workspaceId);
    expect(await stored(workspaceId)).toEqual(expected);
    // The database function over everyone gives the same rows as the incremental upkeep.
    await suite.deps.database.db.execute(
      sql`select smarketing_refresh_person_timelines(${workspaceId}::uuid,
            array(select id from contacts where workspace_id = ${workspaceId}::uuid))`,
    );
    expect(await stored(workspaceId)).toEqual(expected);
  }

  test('follows random transitions, backdated ones, merges, an unmerge and an erasure', async () => {
    const { workspaceId } = await createWorkspace({ name: 'Rollup random', createdBy: 'test' }, suite.deps);
    const next = seededRandom(11);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const stages = ['subscriber', 'lead', 'mql', 'sql', 'recycled', 'opportunity', 'customer'];
    const ids: string[] = [];
    for (let index = 0; index < 40; index++) {
      const id = randomUUID();
      ids.push(id);
      await query(sql`insert into contacts (workspace_id, id, email, traits, created_at, updated_at)
        values (${workspaceId}, ${id}, ${`p${index}@rollup.example`}, '{}'::jsonb, '2027-01-01T00:00:00Z', '2027-01-01T00:00:00Z')`);
    }
    const base = Date.parse('2027-01-01T00:00:00Z');
    const transition = (contactId: string, first: boolean) => {
      // Few distinct instants, so ties (broken by seq, then id) are common.
      const at = new Date(base + Math.floor(next() * 60) * 86_400_000).toISOString();
      return sql`(${workspaceId}::uuid, ${contactId}::uuid, ${randomUUID()}::uuid, ${first ? null : pick(stages)},
                  ${pick(stages)}, ${at}::timestamptz, ${at}::timestamptz, 'rule', 'test', 1, ${Math.floor(next() * 3)})`;
    };
    const insert = (values: ReturnType<typeof sql>[]) =>
      query(sql`insert into stage_transitions (workspace_id, contact_id, id, from_stage, to_stage, occurred_at,
          recorded_at, cause, rule_id, agreement_version, seq) values ${sql.join(values, sql`, `)}`);
    // Starts one by one, then batches of moves over many contacts at once (dated anywhere).
    for (const id of ids) await insert([transition(id, true)]);
    for (let batch = 0; batch < 6; batch++)
      await insert(Array.from({ length: 15 }, () => transition(pick(ids), next() < 0.1)));
    await expectRollupRight(workspaceId);

    // Merges after the fact, one into a contact that is itself merged later (a chain), an unmerge.
    const merge = (id: string, into: string | null) =>
      query(
        sql`update contacts set merged_into_id = ${into}::uuid where workspace_id = ${workspaceId}::uuid and id = ${id}::uuid`,
      );
    await merge(ids[1] as string, ids[0] as string);
    await merge(ids[2] as string, ids[0] as string);
    await merge(ids[4] as string, ids[3] as string);
    await merge(ids[3] as string, ids[5] as string);
    await query(sql`update contacts set merged_into_id = ${ids[7]}::uuid
      where workspace_id = ${workspaceId}::uuid and id in (${ids[8]}::uuid, ${ids[9]}::uuid)`);
    await insert([transition(ids[1] as string, false), transition(ids[0] as string, false)]);
    await expectRollupRight(workspaceId);
    await merge(ids[2] as string, null);
    await merge(ids[8] as string, ids[10] as string);
    await query(
      sql`update contacts set traits = '{"x": 1}'::jsonb where workspace_id = ${workspaceId}::uuid`,
    );
    await expectRollupRight(workspaceId);

    // Erasing a person removes its rows and leaves the others right.
    await eraseContact({ workspaceId, contact: ids[0] as string, erasedBy: 'test' }, suite.deps);
    const left = await query<{ n: unknown }>(
      sql`select count(*) as n from person_timelines where workspace_id = ${workspaceId}::uuid
            and person_id in (${ids[0]}::uuid, ${ids[1]}::uuid)`,
    );
    expect(Number(left[0]?.n)).toBe(0);
    await expectRollupRight(workspaceId);
  }, 120_000);

  test("follows the engine over the simulator's facts and a replay", async () => {
    const { workspaceId } = await createWorkspace(
      { name: 'Rollup simulated', createdBy: 'test' },
      suite.deps,
    );
    const agreement = (await suite.deps.repos.agreementVersions.findLatest(workspaceId))?.parsed as Agreement;
    const simulation = simulate({
      contacts: 80,
      months: 3,
      seed: 9,
      start: new Date('2027-01-01T00:00:00Z'),
      agreement,
    });
    await loadSimulatedFacts({ workspaceId, facts: simulation.facts }, suite.deps);
    await runEngineUntilCaughtUp(suite.deps, { workspaceId });
    const rows = await stored(workspaceId);
    expect(rows.length).toBeGreaterThan(80);
    await expectRollupRight(workspaceId);
    await replayEngine(suite.deps, { workspaceId });
    await expectRollupRight(workspaceId);
  }, 120_000);
});
