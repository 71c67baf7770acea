import { randomUUID } from 'node:crypto';
import {
  type Agreement,
  becameLeadAt,
  buildCloseRates,
  buildFunnel,
  buildGoalTree,
  buildLeadFlow,
  buildSla,
  buildWaterfall,
  countEntries,
  goalTreeRanges,
  goalTreeStages,
  goalTreeWindow,
  invalidReasons,
  previousBucket,
  resolveGoalPeriod,
  resolveReportPeriod,
  resolveSlaPeriod,
  type SegmentFilters,
} from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type Database, openDatabase } from '../src/db/client.ts';
import type { Deps } from '../src/deps.ts';
import { getCloseRatesReport } from '../src/use-cases/reports/get-close-rates-report.ts';
import { getFunnelReport } from '../src/use-cases/reports/get-funnel-report.ts';
import { getGoalTreeReport } from '../src/use-cases/reports/get-goal-tree-report.ts';
import { getLeadFlowReport } from '../src/use-cases/reports/get-lead-flow-report.ts';
import { getSlaReport } from '../src/use-cases/reports/get-sla-report.ts';
import { getWaterfallReport } from '../src/use-cases/reports/get-waterfall-report.ts';
import { loadTimelines, loadValueBasis } from '../src/use-cases/reports/report-context.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { seededRandom } from './seeded-random.ts';
import { simulatedWorkspace } from './simulated-workspace.ts';
import { openTestDeps } from './test-runtime.ts';

/**
 * The reports compute in the database (one statement each); core's functions over person
 * timelines (`buildTimelines` + `buildFunnel`, …) define what they mean. These tests build worlds
 * — a random one full of edge cases (merges, recycles, re-entries, moves to the same stage, ties,
 * instants on local month edges) and the simulator's — and check that the database path answers
 * exactly what the core path answers, on PGlite and on PostgreSQL.
 */

/** The reports as computed before the SQL path: every selected person's timeline, counted in core. */
function corePath(deps: Deps, workspaceId: string, agreement: Agreement, asOf: Date) {
  const period = (from: string, to: string) => {
    const resolved = resolveReportPeriod({ from, to }, agreement.timezone);
    if (!resolved.ok) throw new Error(resolved.error.message);
    return resolved.value;
  };
  return {
    async funnel(from: string, to: string, filters: SegmentFilters) {
      const p = period(from, to);
      const timelines = await loadTimelines(workspaceId, { from: p.from, to: p.to, filters, asOf }, deps);
      return buildFunnel({ agreement, agreementVersion: 1, period: p, asOf, filters, timelines });
    },
    async leadFlow(from: string, to: string, filters: SegmentFilters, unit: 'month' | 'week') {
      const p = period(from, to);
      const selection = { from: previousBucket(p.from, unit, p.timezone).from, to: p.to, filters, asOf };
      const timelines = await loadTimelines(workspaceId, selection, deps);
      const persons = await deps.repos.reports.listPersonFacts(
        workspaceId,
        selection,
        invalidReasons(agreement),
      );
      const basis = await loadValueBasis(workspaceId, agreement, asOf, deps);
      return buildLeadFlow({
        agreement,
        agreementVersion: 1,
        period: p,
        unit,
        asOf,
        filters,
        timelines,
        persons,
        basis,
      });
    },
    async goalTree(label: string, filters: SegmentFilters) {
      const resolved = resolveGoalPeriod(label, agreement.timezone);
      if (!resolved.ok) throw new Error(resolved.error.message);
      const p = resolved.value;
      const window = goalTreeWindow(asOf, agreement.timezone);
      const from = new Date(Math.min(p.from.getTime(), window.from.getTime()));
      const to = new Date(Math.max(p.to.getTime(), window.to.getTime()));
      const timelines = await loadTimelines(workspaceId, { from, to, filters, asOf }, deps);
      const deals = await deps.repos.salesReports.listDeals(workspaceId, {
        from,
        to,
        asOf,
        filters,
        timezone: agreement.timezone,
      });
      const ranges = goalTreeRanges(p, window);
      const entryCounts = countEntries(timelines, goalTreeStages(agreement), ranges, asOf.getTime());
      return buildGoalTree({
        agreement,
        agreementVersion: 1,
        period: p,
        window,
        asOf,
        filters,
        entryCounts,
        deals,
      });
    },
    async closeRates(from: string, to: string, filters: SegmentFilters) {
      const p = period(from, to);
      const timelines = await loadTimelines(workspaceId, { from: p.from, to: p.to, filters, asOf }, deps);
      // Only the period's new leads are broken down by segment.
      const cohort = timelines.flatMap((timeline) => {
        const at = becameLeadAt(timeline, agreement);
        return at !== undefined && at >= p.from.getTime() && at < p.to.getTime() ? [timeline.personId] : [];
      });
      const segments = await deps.repos.salesReports.listPersonSegments(workspaceId, cohort, asOf);
      const deals = await deps.repos.salesReports.listDeals(workspaceId, {
        from: p.from,
        to: p.to,
        asOf,
        filters,
        timezone: agreement.timezone,
      });
      return buildCloseRates({
        agreement,
        agreementVersion: 1,
        period: p,
        asOf,
        filters,
        timelines,
        segments,
        deals,
      });
    },
    async waterfall(from: string, to: string, filters: SegmentFilters, unit: 'month' | 'week') {
      const p = period(from, to);
      const timelines = await loadTimelines(workspaceId, { to: p.to, filters, asOf }, deps);
      return buildWaterfall({ agreement, agreementVersion: 1, period: p, unit, asOf, filters, timelines });
    },
    async sla(label: string) {
      const resolved = resolveSlaPeriod(label, agreement);
      if (!resolved.ok) throw new Error(resolved.error.message);
      const p = resolved.value;
      const selection = { from: p.from, to: p.to, toStage: agreement.sla.marketing.stage, filters: {}, asOf };
      const timelines = await loadTimelines(workspaceId, selection, deps);
      const persons = await deps.repos.reports.listPersonFacts(
        workspaceId,
        selection,
        invalidReasons(agreement),
      );
      const assignments = await deps.repos.reports.listAssignments(workspaceId, selection);
      const clocks = await deps.repos.reports.listClocks(workspaceId, p.from, p.to);
      const basis =
        agreement.sla.marketing.measure === 'expected-value'
          ? await loadValueBasis(workspaceId, agreement, asOf, deps)
          : { closeRateByGrade: {}, averageDealSize: null };
      return buildSla({
        agreement,
        agreementVersion: 1,
        period: p,
        asOf,
        timelines,
        persons,
        assignments,
        clocks,
        basis,
      });
    },
  };
}

const stageMoves: Record<string, string[]> = {
  subscriber: ['lead', 'mql', 'lead', 'subscriber'],
  lead: ['mql', 'mql', 'disqualified', 'lead'],
  mql: ['sql', 'recycled', 'disqualified', 'mql'],
  sql: ['opportunity', 'recycled', 'disqualified'],
  opportunity: ['customer', 'lost'],
  customer: [],
  recycled: ['lead', 'mql'],
  disqualified: [],
  lost: ['lead'],
};

/**
 * 120 contacts over January–June 2027 (New York), with every edge the reports must get right:
 * merges (one in eight merged into the contact before it, its start later or earlier), moves to
 * the stage the contact is in, several moves at the same instant, moves at local midnight on month
 * edges, imports straight into the middle of the funnel, re-entries after detours; traits, owners,
 * scores, hand-overs with clocks and rejections.
 */
async function buildRandomWorld(database: Database, workspaceId: string, seed: number) {
  const next = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const exec = (query: ReturnType<typeof sql>) => database.db.execute(query);
  const ids: string[] = [];
  const monthEdges = [
    '2027-02-01T05:00:00Z',
    '2027-03-01T05:00:00Z',
    '2027-04-01T04:00:00Z',
    '2027-05-01T04:00:00Z',
  ];
  const start = Date.parse('2027-01-01T05:00:00Z');
  const span = Date.parse('2027-06-30T00:00:00Z') - start;
  for (let index = 0; index < 120; index++) {
    const id = randomUUID();
    const mergedInto = index > 0 && index % 8 === 3 ? ids[index - 1] : null;
    ids.push(id);
    await exec(sql`insert into contacts (workspace_id, id, traits, merged_into_id, created_at, updated_at)
      values (${workspaceId}, ${id}, ${JSON.stringify({ leadSource: pick(['webinar', 'ads', 'Organic']), country: pick(['US', 'DE']) })}::jsonb,
              ${mergedInto}, '2027-01-01T00:00:00Z', '2027-01-01T00:00:00Z')`);
    let stage = next() < 0.15 ? pick(['mql', 'sql', 'lead']) : 'subscriber';
    let at = start + Math.floor(next() * span);
    if (next() < 0.1) at = Date.parse(pick(monthEdges));
    const steps: [string | null, string, number][] = [[null, stage, at]];
    const length = Math.floor(next() * 7);
    for (let step = 0; step < length; step++) {
      const options = stageMoves[stage] ?? [];
      if (options.length === 0) break;
      const to = pick(options);
      const gap = next() < 0.15 ? 0 : Math.floor(next() * 40 * 86_400_000);
      at = next() < 0.1 ? Math.max(at, Date.parse(pick(monthEdges))) : at + gap;
      steps.push([stage, to, at]);
      stage = to;
    }
    for (const [from, to, when] of steps) {
      const instant = new Date(when).toISOString();
      await exec(sql`insert into stage_transitions (workspace_id, contact_id, id, from_stage, to_stage, occurred_at,
          recorded_at, cause, rule_id, agreement_version)
        values (${workspaceId}, ${id}, ${randomUUID()}, ${from}, ${to}, ${instant}, ${instant}, 'rule', 'test', 1)`);
      if (to === 'mql' && next() < 0.8) {
        const team = pick(['inside-sales', 'enterprise-sales', null]);
        const rep = pick(['sam', 'alex']);
        const assignedAt = new Date(when + (next() < 0.2 ? 3_600_000 : -60_000)).toISOString();
        await exec(sql`insert into assignments (workspace_id, contact_id, id, rep_id, team_id, reason_kind, reason,
            assigned_at, agreement_version)
          values (${workspaceId}, ${id}, ${randomUUID()}, ${rep}, ${team}, 'rule', 'test', ${assignedAt}, 1)`);
        const deadline = new Date(when + 86_400_000).toISOString();
        const status = mergedInto ? 'cancelled' : pick(['worked', 'worked', 'breached', 'open']);
        const stopped =
          status === 'worked' || (status === 'breached' && next() < 0.5)
            ? new Date(when + Math.floor(next() * 2 * 86_400_000)).toISOString()
            : null;
        await exec(sql`insert into sla_clocks (workspace_id, contact_id, id, rep_id, team_id, quadrant, started_at,
            deadline_at, business_hours, status, stopped_at, agreement_version)
          values (${workspaceId}, ${id}, ${randomUUID()}, ${rep}, ${team}, 'hot', ${instant}, ${deadline}, false,
            ${status}, ${stopped}, 1)`);
      }
      if (to === 'disqualified') {
        await exec(sql`insert into feedback (workspace_id, contact_id, id, rep_id, verdict, reason, occurred_at, recorded_at)
          values (${workspaceId}, ${id}, ${randomUUID()}, 'sam', 'reject', ${pick(['spam', 'no-budget', 'student'])}, ${instant}, ${instant})`);
      }
    }
    if (mergedInto === null) {
      const fit = Math.floor(next() * 100);
      await exec(sql`insert into scores (workspace_id, contact_id, fit, interest, quadrant, fit_grade, explanation,
          agreement_version, computed_at)
        values (${workspaceId}, ${id}, ${fit}, 50, ${pick(['hot', 'nurture', 'fan', 'drop'])},
          ${fit >= 70 ? 'A' : fit >= 50 ? 'B' : fit >= 25 ? 'C' : 'D'}, '{}'::jsonb, 1, '2027-06-30T00:00:00Z')`);
      if (next() < 0.7)
        await exec(sql`insert into contact_states (workspace_id, contact_id, stage, stage_since, furthest_stage,
            owner_rep_id, owner_team_id, state, agreement_version, last_seq, updated_at)
          values (${workspaceId}, ${id}, ${stage}, '2027-03-01T00:00:00Z', ${stage}, ${pick(['sam', 'alex'])},
            ${pick(['inside-sales', 'enterprise-sales'])}, '{}'::jsonb, 1, 0, '2027-06-30T00:00:00Z')`);
    }
  }
  await exec(sql`insert into deals (workspace_id, contact_id, id, name, amount, currency, stage, status, created_at, updated_at)
    values (${workspaceId}, ${ids[0]}, ${randomUUID()}, 'Deal', '12000', 'USD', 'closed', 'won', '2027-02-01T00:00:00Z', '2027-02-01T00:00:00Z')`);
}

/**
 * What close rates read besides the timelines, over the random world's contacts: activities naming
 * campaigns (by name or UTM parameters, in other case or with spaces, escaped, malformed, a source
 * without a campaign, neither, ties at one instant, merged contacts' earlier ones, some after asOf,
 * inserted out of time order), personas
 * in the scores, and deals (open, won, lost; won or lost events, close dates on local month edges,
 * other currencies, no amount, cents).
 */
async function addSalesFacts(database: Database, workspaceId: string, seed: number) {
  const next = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const exec = (query: ReturnType<typeof sql>) => database.db.execute(query);
  const contacts = (
    (await exec(
      sql`select id, merged_into_id from contacts where workspace_id = ${workspaceId} order by created_at, id`,
    )) as unknown as {
      rows: { id: string; merged_into_id: string | null }[];
    }
  ).rows;
  const contexts = [
    {},
    { campaign: { name: 'Webinar-Q1' } },
    { campaign: { name: ' webinar-q1 ', source: 'linkedin' } },
    { campaign: { name: '', source: 'linkedin' } },
    { campaign: { source: 'google' } },
    { page: { url: 'https://example.com/?utm_campaign=spring%20sale&utm_source=ads' } },
    { page: { url: 'https://example.com/pricing?utm_source=ads&utm_campaign=Spring+Sale#top' } },
    { page: { url: 'https://example.com/?utm_campaign=bad%E0' } },
    { page: { url: 'https://example.com/blog' } },
    // Past the cheap test (a campaign key, a UTM parameter), yet naming neither a campaign nor a source.
    { campaign: { name: '', medium: 'email' } },
    { page: { url: 'https://example.com/?utm_medium=email' } },
  ];
  // Period edges (local midnights) and an asOf of the tests, or anywhere from December to July.
  const edges = [
    '2027-03-01T05:00:00Z',
    '2027-04-01T04:00:00Z',
    '2027-04-02T04:00:00Z',
    '2027-05-01T04:00:00Z',
    '2027-05-20T12:00:00Z',
  ];
  const instant = () =>
    next() < 0.15
      ? pick(edges)
      : new Date(Date.parse('2026-12-01T00:00:00Z') + Math.floor(next() * 240 * 86_400_000)).toISOString();
  for (const contact of contacts) {
    const count = Math.floor(next() * 5);
    let at = instant();
    for (let index = 0; index < count; index++) {
      if (next() < 0.7) at = instant();
      await exec(sql`insert into activities (workspace_id, contact_id, id, kind, event, occurred_at, received_at, properties, context)
        values (${workspaceId}, ${contact.id}, ${randomUUID()}, 'page', 'Page', ${at}, ${at}, '{}'::jsonb,
                ${JSON.stringify(pick(contexts))}::jsonb)`);
    }
    if (contact.merged_into_id === null && next() < 0.7) {
      const personas = pick([[], ['revops-leader'], ['RevOps-Leader ', 'founder'], ['founder']]);
      await exec(sql`update scores set explanation = ${JSON.stringify({ personas })}::jsonb
        where workspace_id = ${workspaceId} and contact_id = ${contact.id}`);
    }
    if (next() < 0.35) {
      const dealId = randomUUID();
      const status = pick(['open', 'won', 'won', 'lost'] as const);
      const created = instant();
      const updated = new Date(Date.parse(created) + Math.floor(next() * 60 * 86_400_000)).toISOString();
      const closeDate =
        status !== 'open' && next() < 0.5
          ? pick(['2027-03-01', '2027-03-31', '2027-04-01', '2027-05-01'])
          : null;
      const amount =
        next() < 0.15 ? null : `${Math.floor(next() * 50_000)}.${pick(['00', '05', '50', '99'])}`;
      const currency = pick(['USD', 'USD', 'EUR', null]);
      await exec(sql`insert into deals (workspace_id, contact_id, id, name, amount, currency, stage, status, created_at,
          close_date, updated_at)
        values (${workspaceId}, ${contact.id}, ${dealId}, 'Deal', ${amount}, ${currency}, 'stage', ${status}, ${created},
          ${closeDate}, ${updated})`);
      for (let index = Math.floor(next() * 3); index > 0; index--) {
        const kind = status === 'open' || next() < 0.2 ? pick(['won', 'lost', 'stage-changed']) : status;
        const occurred =
          next() < 0.3
            ? pick(edges)
            : new Date(Date.parse(created) + Math.floor(next() * 90 * 86_400_000)).toISOString();
        await exec(sql`insert into deal_events (workspace_id, contact_id, deal_id, id, kind, occurred_at, recorded_at, source)
          values (${workspaceId}, ${contact.id}, ${dealId}, ${randomUUID()}, ${kind}, ${occurred}, ${occurred}, 'test')`);
      }
    }
  }
}

const periods: [string, string][] = [
  ['2027-01', '2027-07'],
  ['2027-03', '2027-04'],
  ['2027-02-15', '2027-05-01'],
  ['2027-04-01T04:00:00Z', '2027-04-02T04:00:00Z'],
  ['2026-06', '2026-07'],
];
const segments: SegmentFilters[] = [{}, { source: 'organic' }, { team: 'inside-sales' }, { quadrant: 'hot' }];

function describeSqlPath(name: string, open: () => Promise<Database>) {
  describe(`reports computed in the database answer what core computes from timelines (${name})`, () => {
    let deps: Deps & { close(): Promise<void> };
    let now = new Date('2027-05-20T12:00:00Z');

    beforeAll(async () => {
      deps = await openTestDeps({ database: await open(), clock: () => now });
    });
    afterAll(async () => {
      await deps?.close();
    });

    async function checkAll(workspaceId: string, months: string[]) {
      const agreement = (await deps.repos.agreementVersions.findLatest(workspaceId))?.parsed as Agreement;
      const core = corePath(deps, workspaceId, agreement, now);
      for (const [from, to] of periods) {
        for (const filters of segments) {
          const query = { workspaceId, from, to, filters };
          const label = `${from} ${to} ${JSON.stringify(filters)}`;
          expect(await getFunnelReport(query, deps), `funnel ${label}`).toEqual(
            await core.funnel(from, to, filters),
          );
          expect(await getCloseRatesReport(query, deps), `close rates ${label}`).toEqual(
            await core.closeRates(from, to, filters),
          );
          for (const unit of ['month', 'week'] as const) {
            expect(await getLeadFlowReport({ ...query, unit }, deps), `lead flow ${unit} ${label}`).toEqual(
              await core.leadFlow(from, to, filters, unit),
            );
            expect(await getWaterfallReport({ ...query, unit }, deps), `waterfall ${unit} ${label}`).toEqual(
              await core.waterfall(from, to, filters, unit),
            );
          }
        }
      }
      // In January 2028 the goal tree's trailing window is the year 2027 itself.
      const goalLabels =
        now.getTime() >= Date.parse('2028-01-01T00:00:00Z') ? ['2027'] : ['2027', '2027-Q1', '2027-03'];
      for (const label of goalLabels) {
        for (const filters of segments) {
          expect(
            await getGoalTreeReport({ workspaceId, period: label, filters }, deps),
            `goal tree ${label} ${JSON.stringify(filters)}`,
          ).toEqual(await core.goalTree(label, filters));
        }
      }
      for (const month of months) {
        expect(await getSlaReport({ workspaceId, period: month }, deps), `sla ${month}`).toEqual(
          await core.sla(month),
        );
      }
    }

    test('a random world full of edge cases, seen at several instants', async () => {
      const { workspaceId } = await createWorkspace({ name: `SQL path ${name}`, createdBy: 'test' }, deps);
      await buildRandomWorld(deps.database, workspaceId, 7);
      await addSalesFacts(deps.database, workspaceId, 11);
      for (const instant of [
        '2027-05-20T12:00:00Z',
        '2027-03-01T05:00:00Z',
        '2027-08-01T00:00:00Z',
        '2028-01-10T00:00:00Z',
      ]) {
        now = new Date(instant);
        await checkAll(workspaceId, ['2027-03', '2027-04']);
      }
    }, 300_000);

    test("the simulator's months", async () => {
      now = new Date('2027-05-20T12:00:00Z');
      const workspaceId = await simulatedWorkspace(deps, `SQL path simulated ${name}`, {
        contacts: 120,
        seed: 5,
      });
      await checkAll(workspaceId, ['2027-02', '2027-03', '2027-04']);
    }, 300_000);
  });
}

describeSqlPath('PGlite', () => openDatabase({ memory: true }));
const databaseUrl = inject('testDatabaseUrl') ?? process.env.TEST_DATABASE_URL;
if (databaseUrl) describeSqlPath('PostgreSQL', () => openDatabase({ databaseUrl, poolSize: 4 }));
