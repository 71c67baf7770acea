import { randomUUID } from 'node:crypto';
import {
  type Agreement,
  buildClogReport,
  type ClogOptions,
  defaultClogOptions,
  resolveReportPeriod,
  type SegmentFilters,
} from '@smarketing/core';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type Database, openDatabase } from '../src/db/client.ts';
import type { Deps } from '../src/deps.ts';
import { getClogReport } from '../src/use-cases/reports/get-clog-report.ts';
import { loadTimelines, loadValueBasis } from '../src/use-cases/reports/report-context.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { seededRandom } from './seeded-random.ts';
import { simulatedWorkspace } from './simulated-workspace.ts';
import { openTestDeps } from './test-runtime.ts';

/**
 * The clog report counts its samples in the database (`clogGroups`, `clogLeads`,
 * `downstreamRates` over the rollup); core's `buildClogReport` over every selected person's
 * timeline defines it. Both must give the same report, on PGlite and on PostgreSQL, over a world
 * with planted clogs and every edge the samples must get right, and over the simulator's.
 */

/** The clog report as core computes it from timelines (the path the report took before). */
async function corePath(
  deps: Deps,
  workspaceId: string,
  agreement: Agreement,
  asOf: Date,
  query: { from: string; to: string; filters: SegmentFilters; options: ClogOptions },
) {
  const resolved = resolveReportPeriod({ from: query.from, to: query.to }, agreement.timezone);
  if (!resolved.ok) throw new Error(resolved.error.message);
  const period = resolved.value;
  const { options } = query;
  const length = period.to.getTime() - period.from.getTime();
  const earliest = new Date(
    period.from.getTime() - options.baselinePeriods * length - options.horizonDays * 86_400_000,
  );
  const timelines = await loadTimelines(
    workspaceId,
    { from: earliest, to: period.to, filters: query.filters, asOf },
    deps,
  );
  const people = await deps.repos.clogs.listPeople(
    workspaceId,
    timelines.map((timeline) => timeline.personId),
    options.segmentBy,
  );
  // (The database path asks for the average deal size only when there are clogs: it appears nowhere else.)
  return buildClogReport({
    agreement,
    agreementVersion: 1,
    period,
    asOf,
    filters: query.filters,
    timelines,
    people,
    averageDealSize: (await loadValueBasis(workspaceId, agreement, asOf, deps)).averageDealSize,
    options,
  });
}

const day = 86_400_000;

/**
 * 400 contacts over January–June 2027 whose MQLs move on quickly until March and slowly from
 * April (a conversion and a time-in-stage clog to find), webinar leads worst; with merges (one in
 * nine, into the contact before it), several moves at one instant, moves to the stage the contact
 * is in, imports into the middle of the funnel, detours and re-entries, and segment values of
 * every kind: sources in other case, numbers written with trailing zeros, booleans, objects and
 * empty strings as traits, owners, quadrants and personas (repeated, or not a list).
 */
async function buildClogWorld(database: Database, workspaceId: string, seed: number) {
  const next = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const contacts: SQL[] = [];
  const transitions: SQL[] = [];
  const scores: SQL[] = [];
  const states: SQL[] = [];
  const ids: string[] = [];
  const start = Date.parse('2027-01-01T05:00:00Z');
  const span = Date.parse('2027-06-25T00:00:00Z') - start;
  for (let index = 0; index < 400; index++) {
    const id = randomUUID();
    const mergedInto = index > 0 && index % 9 === 4 ? (ids[index - 1] as string) : null;
    ids.push(id);
    const source = pick(['webinar', 'Webinar', 'ads', 'organic', '']);
    const traits = {
      leadSource: source,
      employees: pick([250, 2.5, 1000, { value: 3 }]),
      partner: pick([true, false, null]),
      country: pick(['US', 'DE', 'de']),
    };
    contacts.push(sql`(${workspaceId}::uuid, ${id}::uuid, ${JSON.stringify(traits)}::jsonb, ${mergedInto}::uuid,
      '2027-01-01T00:00:00Z'::timestamptz, '2027-01-01T00:00:00Z'::timestamptz)`);
    let at = start + Math.floor(next() * span);
    const slow =
      at >= Date.parse('2027-04-01T04:00:00Z') && (source.toLowerCase() === 'webinar' || next() < 0.5);
    const first = next() < 0.1 ? pick(['mql', 'sql']) : 'lead';
    const moves: [string | null, string, number][] = [[null, first, at]];
    let stage = first;
    for (let step = 0; step < 6 && stage !== 'customer' && stage !== 'disqualified'; step++) {
      at += next() < 0.1 ? 0 : Math.floor((slow ? 5 + next() * 40 : next() * 6) * day);
      const options: Record<string, string[]> = {
        lead: ['mql', 'mql', 'lead', 'disqualified'],
        mql: slow ? ['sql', 'recycled', 'mql'] : ['sql', 'sql', 'recycled'],
        sql: ['opportunity', 'recycled'],
        opportunity: ['customer', 'lost'],
        recycled: ['lead', 'mql'],
        lost: ['lead'],
      };
      const to = pick(options[stage] ?? ['lead']);
      moves.push([stage, to, at]);
      stage = to;
    }
    for (const [from, to, when] of moves) {
      const instant = new Date(when).toISOString();
      transitions.push(sql`(${workspaceId}::uuid, ${id}::uuid, ${randomUUID()}::uuid, ${from}::text, ${to}::text,
        ${instant}::timestamptz, ${instant}::timestamptz, 'rule', 'test', 1)`);
    }
    if (mergedInto === null) {
      scores.push(sql`(${workspaceId}::uuid, ${id}::uuid, 50, 50, ${pick(['hot', 'nurture', 'fan'])}::text, 'B',
        '{}'::jsonb, 1, '2027-06-30T00:00:00Z'::timestamptz)`);
      const personas = pick([['marketing-leader'], ['sales-leader', 'sales-leader'], [], 'revops-leader']);
      if (next() < 0.8)
        states.push(sql`(${workspaceId}::uuid, ${id}::uuid, ${stage}::text, '2027-03-01T00:00:00Z'::timestamptz,
          ${stage}::text, ${pick(['sam', 'alex', null])}::text, ${pick(['inside-sales', 'enterprise-sales'])}::text,
          ${JSON.stringify({ fit: { personas } })}::jsonb, 1, 0, '2027-06-30T00:00:00Z'::timestamptz)`);
    }
  }
  // Instants on the edges: entries at the start of April (New York) re-entered an hour later, and
  // MQLs that reach SQL exactly 14 days (the default horizon) after their entry.
  for (let index = 0; index < 24; index++) {
    const id = randomUUID();
    contacts.push(sql`(${workspaceId}::uuid, ${id}::uuid, '{}'::jsonb, null::uuid,
      '2027-01-01T00:00:00Z'::timestamptz, '2027-01-01T00:00:00Z'::timestamptz)`);
    const edge = Date.parse('2027-04-01T04:00:00Z');
    const entry = Date.parse('2027-03-20T04:00:00Z') + index * 3_600_000;
    const moves: [string | null, string, number][] =
      index % 2 === 0
        ? [
            [null, 'lead', edge],
            ['lead', 'recycled', edge + 1_800_000],
            ['recycled', 'lead', edge + 3_600_000],
          ]
        : [
            [null, 'mql', entry],
            ['mql', 'sql', entry + 14 * day],
          ];
    for (const [from, to, when] of moves) {
      const instant = new Date(when).toISOString();
      transitions.push(sql`(${workspaceId}::uuid, ${id}::uuid, ${randomUUID()}::uuid, ${from}::text, ${to}::text,
        ${instant}::timestamptz, ${instant}::timestamptz, 'rule', 'test', 1)`);
    }
  }
  const exec = (query: SQL) => database.db.execute(query);
  await exec(sql`insert into contacts (workspace_id, id, traits, merged_into_id, created_at, updated_at)
    values ${sql.join(contacts, sql`, `)}`);
  await exec(sql`insert into stage_transitions (workspace_id, contact_id, id, from_stage, to_stage, occurred_at,
      recorded_at, cause, rule_id, agreement_version) values ${sql.join(transitions, sql`, `)}`);
  await exec(sql`insert into scores (workspace_id, contact_id, fit, interest, quadrant, fit_grade, explanation,
      agreement_version, computed_at) values ${sql.join(scores, sql`, `)}`);
  await exec(sql`insert into contact_states (workspace_id, contact_id, stage, stage_since, furthest_stage,
      owner_rep_id, owner_team_id, state, agreement_version, last_seq, updated_at) values ${sql.join(states, sql`, `)}`);
  await exec(sql`insert into deals (workspace_id, contact_id, id, name, amount, currency, stage, status, created_at, updated_at)
    values (${workspaceId}, ${ids[0]}, ${randomUUID()}, 'Deal', '12000', 'USD', 'closed', 'won', '2027-02-01T00:00:00Z', '2027-02-01T00:00:00Z')`);
  // What the ingest writer's statistics refresh does as a workspace grows (PGlite has no autovacuum).
  await exec(sql`analyze`);
}

const queries: { from: string; to: string; filters: SegmentFilters; options: Partial<ClogOptions> }[] = [
  { from: '2027-04', to: '2027-05', filters: {}, options: {} },
  {
    from: '2027-04',
    to: '2027-05',
    filters: {},
    options: { minSample: 5, alpha: 0.2, segmentBy: ['source'] },
  },
  {
    from: '2027-05-01',
    to: '2027-05-15',
    filters: {},
    options: {
      minSample: 5,
      alpha: 0.2,
      baselinePeriods: 4,
      horizonDays: 10,
      segmentBy: ['persona', 'team', 'rep', 'quadrant', 'trait.employees'],
    },
  },
  {
    from: '2027-04',
    to: '2027-07',
    filters: { source: 'webinar' },
    options: { minSample: 5, alpha: 0.2, baselinePeriods: 1, segmentBy: ['country', 'trait.partner'] },
  },
  {
    from: '2027-06',
    to: '2027-07',
    filters: { team: 'inside-sales' },
    options: { minSample: 5, alpha: 0.2 },
  },
  { from: '2026-06', to: '2026-07', filters: {}, options: { minSample: 5 } },
];

function describeClogPath(name: string, open: () => Promise<Database>) {
  describe(`the clog report counted in the database answers what core computes from timelines (${name})`, () => {
    let deps: Deps & { close(): Promise<void> };
    let now = new Date('2027-06-20T12:00:00Z');

    beforeAll(async () => {
      deps = await openTestDeps({ database: await open(), clock: () => now });
    });
    afterAll(async () => {
      await deps?.close();
    });

    async function checkAll(workspaceId: string): Promise<number> {
      const agreement = (await deps.repos.agreementVersions.findLatest(workspaceId))?.parsed as Agreement;
      let clogs = 0;
      for (const query of queries) {
        const options = { ...defaultClogOptions, ...query.options };
        const expected = await corePath(deps, workspaceId, agreement, now, { ...query, options });
        const actual = await getClogReport(
          { workspaceId, from: query.from, to: query.to, filters: query.filters, ...query.options },
          deps,
        );
        expect(actual, `clogs ${now.toISOString()} ${JSON.stringify(query)}`).toEqual(expected);
        clogs += actual.clogs.length;
      }
      return clogs;
    }

    test('a world with planted clogs and edge cases, seen at several instants', async () => {
      const { workspaceId } = await createWorkspace({ name: `Clogs SQL ${name}`, createdBy: 'test' }, deps);
      await buildClogWorld(deps.database, workspaceId, 3);
      let clogs = 0;
      for (const instant of ['2027-06-20T12:00:00Z', '2027-05-03T04:00:00Z', '2027-09-01T00:00:00Z']) {
        now = new Date(instant);
        clogs += await checkAll(workspaceId);
      }
      // The comparison means something only if clogs were found, with their leads and impact.
      expect(clogs).toBeGreaterThan(3);
    }, 300_000);

    test("the simulator's months", async () => {
      now = new Date('2027-05-20T12:00:00Z');
      const workspaceId = await simulatedWorkspace(deps, `Clogs SQL simulated ${name}`, {
        contacts: 150,
        seed: 9,
      });
      await checkAll(workspaceId);
    }, 300_000);
  });
}

describeClogPath('PGlite', () => openDatabase({ memory: true }));
const databaseUrl = inject('testDatabaseUrl') ?? process.env.TEST_DATABASE_URL;
if (databaseUrl) describeClogPath('PostgreSQL', () => openDatabase({ databaseUrl, poolSize: 4 }));
