import { randomUUID } from 'node:crypto';
import {
  type Agreement,
  buildFollowThrough,
  resolveReportPeriod,
  type SegmentFilters,
} from '@smarketing/core';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type Database, openDatabase } from '../src/db/client.ts';
import type { Deps } from '../src/deps.ts';
import { getFollowThroughReport } from '../src/use-cases/reports/get-follow-through-report.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { seededRandom } from './seeded-random.ts';
import { simulatedWorkspace } from './simulated-workspace.ts';
import { openTestDeps } from './test-runtime.ts';

/**
 * The follow-through report works out each hand-over's outcome in the database
 * (`followThroughOutcomes`); core's `buildFollowThrough` over the selected people's hand-overs,
 * touches and verdicts (`listFollowThroughFacts`) defines it. Both must give the same report, on
 * PGlite and on PostgreSQL, over a world with every edge the windows must get right, and over the
 * simulator's.
 */

type Query = { from: string; to: string; filters: SegmentFilters; attemptDays?: number };

/** The report as core computes it from the facts (the path the report took before). */
async function corePath(deps: Deps, workspaceId: string, agreement: Agreement, asOf: Date, query: Query) {
  const resolved = resolveReportPeriod({ from: query.from, to: query.to }, agreement.timezone);
  if (!resolved.ok) throw new Error(resolved.error.message);
  const period = resolved.value;
  const facts = await deps.repos.salesReports.listFollowThroughFacts(workspaceId, {
    from: period.from,
    to: period.to,
    asOf,
    filters: query.filters,
  });
  return buildFollowThrough({
    agreement,
    agreementVersion: 1,
    period,
    asOf,
    filters: query.filters,
    ...(query.attemptDays === undefined ? {} : { attemptDays: query.attemptDays }),
    ...facts,
  });
}

const hour = 3_600_000;
const day = 24 * hour;

/** An instant as PostgreSQL text, with `micros` microseconds past its millisecond. */
const instant = (ms: number, micros = 0) =>
  `${new Date(ms).toISOString().slice(0, -1)}${String(micros).padStart(3, '0')}Z`;

/**
 * 300 contacts (one in eight merged into the contact before it) handed over up to four times each
 * between January and June 2027 (New York), some at the same instant as the hand-over before
 * (same team and rep: which of them is last is then immaterial), some cancelled, some on the
 * period's edges; touches of qualifying and other kinds and verdicts before, at, between and after
 * the hand-overs, some a few microseconds past their millisecond or on a hand-over's instant.
 */
async function buildWorld(database: Database, workspaceId: string, seed: number) {
  const next = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const contacts: SQL[] = [];
  const states: SQL[] = [];
  const clocks: SQL[] = [];
  const touches: SQL[] = [];
  const feedback: SQL[] = [];
  const ids: string[] = [];
  const start = Date.parse('2027-01-01T05:00:00Z');
  const span = Date.parse('2027-06-30T00:00:00Z') - start;
  const edges = [Date.parse('2027-04-01T04:00:00Z'), Date.parse('2027-03-01T05:00:00Z')];
  for (let index = 0; index < 300; index++) {
    const id = randomUUID();
    const mergedInto = index > 0 && index % 8 === 3 ? (ids[index - 1] as string) : null;
    ids.push(id);
    const traits = { leadSource: pick(['webinar', 'Webinar', 'ads']) };
    contacts.push(sql`(${workspaceId}::uuid, ${id}::uuid, ${JSON.stringify(traits)}::jsonb, ${mergedInto}::uuid,
      '2027-01-01T00:00:00Z'::timestamptz, '2027-01-01T00:00:00Z'::timestamptz)`);
    const team = pick(['inside-sales', 'enterprise-sales', null]);
    if (mergedInto === null && next() < 0.8)
      states.push(sql`(${workspaceId}::uuid, ${id}::uuid, 'mql', '2027-03-01T00:00:00Z'::timestamptz, 'mql',
        ${pick(['sam', 'alex', null])}::text, ${team}::text, '{}'::jsonb, 1, 0, '2027-06-30T00:00:00Z'::timestamptz)`);
    let at = next() < 0.1 ? pick(edges) : start + Math.floor(next() * span);
    const handOvers: number[] = [];
    for (let n = Math.floor(next() * 5); n > 0; n--) {
      const rep = pick(['sam', 'alex', 'riley', null]);
      const hours = next() < 0.5;
      const status = pick(['open', 'worked', 'breached', 'cancelled', 'worked']);
      const times = next() < 0.15 ? [at, at] : [at];
      for (const time of times)
        clocks.push(sql`(${workspaceId}::uuid, ${id}::uuid, ${randomUUID()}::uuid, ${rep}::text, ${team}::text, 'hot',
          ${instant(time)}::timestamptz, ${instant(time + day)}::timestamptz, ${hours}, ${status}::text, 1)`);
      handOvers.push(at);
      at += Math.floor(next() * 20 * day);
    }
    // Touches and verdicts around the hand-overs: on them, just before, within hours or weeks.
    const around = () => {
      const base = handOvers.length > 0 && next() < 0.8 ? pick(handOvers) : start + Math.floor(next() * span);
      return base + pick([0, -1, 1, hour, 3 * day, 8 * day, 30 * day]) * (next() < 0.9 ? 1 : -1);
    };
    const touchTimes = new Set<number>();
    for (let n = Math.floor(next() * 7); n > 0; n--) {
      const time = around();
      touchTimes.add(time);
      touches.push(sql`(${workspaceId}::uuid, ${id}::uuid, ${randomUUID()}::uuid, 'sam',
        ${pick(['call', 'email', 'meeting', 'sms', 'social'])}::text, ${instant(time, next() < 0.2 ? 400 : 0)}::timestamptz,
        ${instant(time)}::timestamptz, 'api')`);
    }
    // A person's verdicts never share a millisecond (which of two would be first is not defined).
    const verdictTimes = new Set<number>();
    for (let n = Math.floor(next() * 4); n > 0; n--) {
      const time = around();
      if (verdictTimes.has(time)) continue;
      verdictTimes.add(time);
      feedback.push(sql`(${workspaceId}::uuid, ${id}::uuid, ${randomUUID()}::uuid, 'sam',
        ${pick(['accept', 'reject', 'recycle'])}::text, ${pick(['not-a-fit', 'no-budget', null])}::text,
        ${instant(time, next() < 0.2 ? 700 : 0)}::timestamptz, ${instant(time)}::timestamptz)`);
    }
  }
  const exec = (query: SQL) => database.db.execute(query);
  await exec(sql`insert into contacts (workspace_id, id, traits, merged_into_id, created_at, updated_at)
    values ${sql.join(contacts, sql`, `)}`);
  await exec(sql`insert into contact_states (workspace_id, contact_id, stage, stage_since, furthest_stage,
      owner_rep_id, owner_team_id, state, agreement_version, last_seq, updated_at) values ${sql.join(states, sql`, `)}`);
  await exec(sql`insert into sla_clocks (workspace_id, contact_id, id, rep_id, team_id, quadrant, started_at,
      deadline_at, business_hours, status, agreement_version) values ${sql.join(clocks, sql`, `)}`);
  await exec(sql`insert into touches (workspace_id, contact_id, id, rep_id, kind, occurred_at, recorded_at, source)
    values ${sql.join(touches, sql`, `)}`);
  await exec(sql`insert into feedback (workspace_id, contact_id, id, rep_id, verdict, reason, occurred_at, recorded_at)
    values ${sql.join(feedback, sql`, `)}`);
  await exec(sql`analyze`);
}

const queries: Query[] = [
  { from: '2027-04', to: '2027-07', filters: {} },
  { from: '2027-03', to: '2027-04', filters: {}, attemptDays: 3 },
  { from: '2027-01', to: '2027-07', filters: { team: 'inside-sales' } },
  { from: '2027-02-15', to: '2027-05-20', filters: { source: 'webinar' }, attemptDays: 14 },
];

function describeFollowThroughPath(name: string, open: () => Promise<Database>) {
  describe(`follow-through worked out in the database answers what core computes from the facts (${name})`, () => {
    let deps: Deps & { close(): Promise<void> };
    let now = new Date('2027-06-20T12:00:00Z');

    beforeAll(async () => {
      deps = await openTestDeps({ database: await open(), clock: () => now });
    });
    afterAll(async () => {
      await deps?.close();
    });

    async function checkAll(
      workspaceId: string,
    ): Promise<{ handed: number; worked: number; verdicts: number }> {
      const agreement = (await deps.repos.agreementVersions.findLatest(workspaceId))?.parsed as Agreement;
      const seen = { handed: 0, worked: 0, verdicts: 0 };
      for (const query of queries) {
        const expected = await corePath(deps, workspaceId, agreement, now, query);
        const actual = await getFollowThroughReport({ workspaceId, ...query }, deps);
        expect(actual, `follow-through ${now.toISOString()} ${JSON.stringify(query)}`).toEqual(expected);
        seen.handed += actual.total.handed;
        seen.worked += actual.total.worked;
        seen.verdicts += actual.total.handed - actual.total.feedback.pending;
      }
      return seen;
    }

    test('a world of repeated, tied and cancelled hand-overs, seen at several instants', async () => {
      const { workspaceId } = await createWorkspace(
        { name: `Follow-through SQL ${name}`, createdBy: 'test' },
        deps,
      );
      await buildWorld(deps.database, workspaceId, 5);
      const seen = { handed: 0, worked: 0, verdicts: 0 };
      // Mid-period (recent hand-overs' attempt days not over), on a period's edge, long after.
      for (const at of ['2027-05-03T04:00:00Z', '2027-04-01T04:00:00Z', '2027-09-01T00:00:00Z']) {
        now = new Date(at);
        const found = await checkAll(workspaceId);
        seen.handed += found.handed;
        seen.worked += found.worked;
        seen.verdicts += found.verdicts;
      }
      // The comparison means something only if there were hand-overs worked and judged.
      expect(seen.handed).toBeGreaterThan(500);
      expect(seen.worked).toBeGreaterThan(100);
      expect(seen.verdicts).toBeGreaterThan(100);
      // The window's length is a bound of the statement: out of range, it is a clear refusal.
      for (const attemptDays of [0, 1.5, 91, 1e15])
        await expect(
          getFollowThroughReport({ workspaceId, from: '2027-04', to: '2027-07', attemptDays }, deps),
        ).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
    }, 300_000);

    test("the simulator's months", async () => {
      now = new Date('2027-05-20T12:00:00Z');
      const workspaceId = await simulatedWorkspace(deps, `Follow-through SQL simulated ${name}`, {
        contacts: 150,
        seed: 4,
      });
      const seen = await checkAll(workspaceId);
      expect(seen.handed).toBeGreaterThan(10);
      expect(seen.worked).toBeGreaterThan(0);
    }, 300_000);
  });
}

describeFollowThroughPath('PGlite', () => openDatabase({ memory: true }));
const databaseUrl = inject('testDatabaseUrl') ?? process.env.TEST_DATABASE_URL;
if (databaseUrl) describeFollowThroughPath('PostgreSQL', () => openDatabase({ databaseUrl, poolSize: 4 }));
