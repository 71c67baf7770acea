import { randomUUID } from 'node:crypto';
import { type Agreement, simulate } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAppError } from '../src/app-error.ts';
import type { Database } from '../src/db/client.ts';
import type { Deps } from '../src/deps.ts';
import { loadSimulatedFacts } from '../src/use-cases/demo/load-simulated-facts.ts';
import { runEngineUntilCaughtUp } from '../src/use-cases/engine/run-engine.ts';
import { closeSlaPeriod } from '../src/use-cases/reports/close-sla-period.ts';
import { getFunnelReport } from '../src/use-cases/reports/get-funnel-report.ts';
import { getLeadFlowReport } from '../src/use-cases/reports/get-lead-flow-report.ts';
import { getSlaReport } from '../src/use-cases/reports/get-sla-report.ts';
import { getWaterfallReport } from '../src/use-cases/reports/get-waterfall-report.ts';
import { listSlaSettlements } from '../src/use-cases/reports/list-sla-settlements.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { queryRows } from './repository-contract.ts';
import { openTestDeps } from './test-runtime.ts';

type Row = Record<string, unknown>;

/** Writes a small world straight into the tables the reports read. */
function worldWriter(database: Database, workspaceId: string) {
  const exec = (query: ReturnType<typeof sql>) => database.db.execute(query);
  return {
    async contact(id: string, traits: Row, mergedIntoId: string | null = null) {
      await exec(sql`insert into contacts (workspace_id, id, traits, merged_into_id, created_at, updated_at)
        values (${workspaceId}, ${id}, ${JSON.stringify(traits)}::jsonb, ${mergedIntoId}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`);
    },
    /** The contact's moves, `[stage, instant]`, the first its start (from no stage). */
    async moves(contactId: string, ...steps: [string, string][]) {
      for (const [index, [to, at]] of steps.entries()) {
        const from = index === 0 ? null : (steps[index - 1]?.[0] ?? null);
        const id = randomUUID();
        await exec(sql`insert into stage_transitions (workspace_id, contact_id, id, from_stage, to_stage, occurred_at,
            recorded_at, cause, rule_id, agreement_version, external_id)
          values (${workspaceId}, ${contactId}, ${id}, ${from}, ${to}, ${at}, ${at}, 'rule',
            ${index === 0 ? 'start' : `entry:${to}`}, 1, ${`engine:${id}`})`);
      }
    },
    async score(contactId: string, fit: number, grade: string, quadrant: string) {
      await exec(sql`insert into scores (workspace_id, contact_id, fit, interest, quadrant, fit_grade, explanation,
          agreement_version, computed_at)
        values (${workspaceId}, ${contactId}, ${fit}, 50, ${quadrant}, ${grade}, '{}'::jsonb, 1, '2027-04-01T00:00:00Z')`);
    },
    async owner(contactId: string, stage: string, teamId: string, repId: string) {
      await exec(sql`insert into contact_states (workspace_id, contact_id, stage, stage_since, furthest_stage,
          owner_rep_id, owner_team_id, state, agreement_version, last_seq, updated_at)
        values (${workspaceId}, ${contactId}, ${stage}, '2027-03-01T00:00:00Z', ${stage}, ${repId}, ${teamId},
          '{}'::jsonb, 1, 0, '2027-04-01T00:00:00Z')`);
    },
    async handOver(
      contactId: string,
      teamId: string,
      repId: string,
      startedAt: string,
      clock: { deadline: string; status: string; stoppedAt: string | null },
    ) {
      await exec(sql`insert into assignments (workspace_id, contact_id, id, rep_id, team_id, reason_kind, reason,
          assigned_at, agreement_version)
        values (${workspaceId}, ${contactId}, ${randomUUID()}, ${repId}, ${teamId}, 'rule', 'test', ${startedAt}, 1)`);
      await exec(sql`insert into sla_clocks (workspace_id, contact_id, id, rep_id, team_id, quadrant, started_at,
          deadline_at, business_hours, status, stopped_at, agreement_version)
        values (${workspaceId}, ${contactId}, ${randomUUID()}, ${repId}, ${teamId}, 'hot', ${startedAt},
          ${clock.deadline}, false, ${clock.status}, ${clock.stoppedAt}, 1)`);
    },
    async reject(contactId: string, reason: string, at: string) {
      await exec(sql`insert into feedback (workspace_id, contact_id, id, rep_id, verdict, reason, occurred_at, recorded_at)
        values (${workspaceId}, ${contactId}, ${randomUUID()}, 'sam', 'reject', ${reason}, ${at}, ${at})`);
    },
    async wonDeal(contactId: string, amount: string) {
      await exec(sql`insert into deals (workspace_id, contact_id, id, name, amount, currency, stage, status,
          created_at, updated_at)
        values (${workspaceId}, ${contactId}, ${randomUUID()}, 'Deal', ${amount}, 'USD', 'closed', 'won',
          '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')`);
    },
  };
}

/**
 * Seven people around March 2027 in New York (the default agreement): c1 goes lead → MQL → SQL;
 * c2 skips the lead stage, is recycled and qualifies again; c3 starts at 23:30 on 31 March local
 * time (already April in UTC); c4, an MQL in January, qualifies again in March and is rejected as
 * spam; c5 was merged into c6 (one person); c7 only subscribes; c8 became a customer in 2026.
 */
async function buildMarchWorld(database: Database, workspaceId: string) {
  const ids = Object.fromEntries(
    ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'].map((key) => [key, randomUUID()]),
  );
  const id = (key: string) => ids[key] as string;
  const w = worldWriter(database, workspaceId);
  await w.contact(id('c1'), { leadSource: 'webinar', country: 'US', industry: 'Software' });
  await w.contact(id('c2'), { leadSource: 'ads', country: 'DE' });
  await w.contact(id('c3'), { leadSource: 'webinar' });
  await w.contact(id('c4'), { leadSource: 'ads' });
  await w.contact(id('c6'), { leadSource: 'webinar', country: 'US' });
  await w.contact(id('c5'), { leadSource: 'ads' }, id('c6'));
  await w.contact(id('c7'), { leadSource: 'organic' });
  await w.contact(id('c8'), { leadSource: 'webinar' });

  await w.moves(
    id('c1'),
    ['subscriber', '2027-02-20T10:00:00Z'],
    ['lead', '2027-03-02T10:00:00Z'],
    ['mql', '2027-03-03T10:00:00Z'],
    ['sql', '2027-03-05T10:00:00Z'],
  );
  await w.moves(
    id('c2'),
    ['subscriber', '2027-03-01T12:00:00Z'],
    ['mql', '2027-03-02T12:00:00Z'],
    ['recycled', '2027-03-10T12:00:00Z'],
    ['lead', '2027-03-20T12:00:00Z'],
    ['mql', '2027-03-25T12:00:00Z'],
  );
  await w.moves(id('c3'), ['subscriber', '2027-04-01T03:30:00Z'], ['lead', '2027-04-01T04:30:00Z']);
  await w.moves(
    id('c4'),
    ['subscriber', '2027-01-05T15:00:00Z'],
    ['lead', '2027-01-10T15:00:00Z'],
    ['mql', '2027-01-15T15:00:00Z'],
    ['recycled', '2027-01-20T15:00:00Z'],
    ['lead', '2027-02-25T15:00:00Z'],
    ['mql', '2027-03-10T12:00:00Z'],
    ['disqualified', '2027-03-11T10:00:00Z'],
  );
  await w.moves(id('c5'), ['subscriber', '2027-03-04T09:00:00Z'], ['lead', '2027-03-06T09:00:00Z']);
  await w.moves(id('c6'), ['subscriber', '2027-03-08T09:00:00Z'], ['mql', '2027-03-12T09:00:00Z']);
  await w.moves(id('c7'), ['subscriber', '2027-03-05T15:00:00Z']);
  await w.moves(
    id('c8'),
    ['subscriber', '2026-11-01T15:00:00Z'],
    ['mql', '2026-11-10T15:00:00Z'],
    ['sql', '2026-11-12T15:00:00Z'],
    ['opportunity', '2026-11-20T15:00:00Z'],
    ['customer', '2026-12-01T15:00:00Z'],
  );

  await w.score(id('c1'), 80, 'A', 'hot');
  await w.score(id('c2'), 55, 'B', 'nurture');
  await w.score(id('c3'), 40, 'C', 'fan');
  await w.score(id('c4'), 30, 'C', 'hot');
  await w.score(id('c6'), 72, 'A', 'hot');
  await w.score(id('c8'), 90, 'A', 'nurture');
  await w.owner(id('c1'), 'sql', 'inside-sales', 'alex');
  await w.owner(id('c2'), 'mql', 'enterprise-sales', 'taylor');
  await w.owner(id('c4'), 'disqualified', 'inside-sales', 'sam');
  await w.owner(id('c6'), 'mql', 'inside-sales', 'alex');

  await w.handOver(id('c1'), 'inside-sales', 'alex', '2027-03-03T10:00:00Z', {
    deadline: '2027-03-04T10:00:00Z',
    status: 'worked',
    stoppedAt: '2027-03-03T15:00:00Z',
  });
  await w.handOver(id('c2'), 'enterprise-sales', 'taylor', '2027-03-02T12:00:00Z', {
    deadline: '2027-03-03T12:00:00Z',
    status: 'breached',
    stoppedAt: null,
  });
  await w.handOver(id('c2'), 'enterprise-sales', 'taylor', '2027-03-25T12:00:00Z', {
    deadline: '2027-03-26T12:00:00Z',
    status: 'worked',
    stoppedAt: '2027-03-25T14:00:00Z',
  });
  await w.handOver(id('c4'), 'inside-sales', 'sam', '2027-03-10T12:00:00Z', {
    deadline: '2027-03-11T12:00:00Z',
    status: 'worked',
    stoppedAt: '2027-03-11T10:00:00Z',
  });
  await w.handOver(id('c6'), 'inside-sales', 'alex', '2027-03-12T09:00:00Z', {
    deadline: '2027-03-13T09:00:00Z',
    status: 'breached',
    stoppedAt: null,
  });
  await w.reject(id('c4'), 'spam', '2027-03-11T10:00:00Z');
  await w.wonDeal(id('c8'), '20000.00');
  return { id, writer: w };
}

const stageCounts = (stages: { stage: string; entered: number }[]) =>
  stages.map((stage) => [stage.stage, stage.entered]);

/** The reports against a real database, on small worlds with hand-computed answers. */
export function describeReportContract(name: string, open: () => Promise<Database>): void {
  describe(`reports on ${name}`, () => {
    let deps: Deps & { close(): Promise<void> };
    let now = new Date('2027-04-15T12:00:00Z');
    let workspaceId: string;
    let world: Awaited<ReturnType<typeof buildMarchWorld>>;
    const march = () => ({ workspaceId, from: '2027-03', to: '2027-04' });

    beforeAll(async () => {
      deps = await openTestDeps({ database: await open(), clock: () => now });
      ({ workspaceId } = await createWorkspace({ name: `Reports ${name}`, createdBy: 'test' }, deps));
      world = await buildMarchWorld(deps.database, workspaceId);
    });
    afterAll(async () => {
      await deps?.close();
    });

    test('funnel: entries per stage, once per person, merged contacts as one, the local month edge respected', async () => {
      const funnel = await getFunnelReport(march(), deps);
      expect(stageCounts(funnel.anyOrder)).toEqual([
        ['subscriber', 4],
        ['lead', 3],
        ['mql', 4],
        ['sql', 1],
        ['opportunity', 0],
        ['customer', 0],
      ]);
      expect(funnel.strictOrder.map((stage) => stage.entered)).toEqual([4, 3, 3, 1, 0, 0]);
      const mql = funnel.anyOrder[2];
      expect(mql).toMatchObject({
        reentries: 1,
        returning: 1,
        conversionFromPrevious: 1.3333,
        conversionFromFirst: 1,
      });
      expect(mql?.timeInStage).toEqual({ left: 3, stillIn: 1, medianHours: 48, p90Hours: 163.2 });
      expect(funnel.detours.map((detour) => [detour.detour, detour.entered])).toEqual([
        ['recycled', 1],
        ['disqualified', 1],
        ['lost', 0],
      ]);
      expect(funnel).toMatchObject({
        agreementVersion: 1,
        asOf: '2027-04-15T12:00:00.000Z',
        period: {
          from: '2027-03-01T05:00:00.000Z',
          to: '2027-04-01T04:00:00.000Z',
          timezone: 'America/New_York',
        },
      });
    });

    test('funnel: segments by source (any case), team, quadrant and any trait', async () => {
      const mqlsFor = async (filters: Parameters<typeof getFunnelReport>[0]['filters']) =>
        (await getFunnelReport({ ...march(), filters }, deps)).anyOrder[2]?.entered;
      expect(await mqlsFor({ source: 'WEBINAR' })).toBe(2);
      expect(await mqlsFor({ team: 'inside-sales' })).toBe(3);
      expect(await mqlsFor({ quadrant: 'hot' })).toBe(3);
      expect(await mqlsFor({ traits: { country: 'us' } })).toBe(2);
      expect(await mqlsFor({ source: 'webinar', rep: 'taylor' })).toBe(0);
    });

    test('lead flow: per local month with change and quality; the total equals the funnel', async () => {
      const flow = await getLeadFlowReport(march(), deps);
      expect(flow.rows.map((row) => [row.label, row.leads, row.newLeads, row.mqls])).toEqual([
        ['2027-03', 3, 3, 4],
      ]);
      expect(flow.rows[0]?.change).toEqual({
        leads: { absolute: 2, relative: 2 },
        newLeads: { absolute: 3, relative: null },
        mqls: { absolute: 4, relative: null },
      });
      // c4 was rejected as spam; c1 and c6 are A (3 points), c2 B (2). One A in three became a customer, deals average 20,000.
      expect(flow.rows[0]?.quality).toEqual({
        invalid: 1,
        averageFit: 69,
        shareHot: 0.6667,
        points: 8,
        expectedValue: 13333.33,
      });
      const funnel = await getFunnelReport(march(), deps);
      expect(flow.total.mqls).toBe(funnel.anyOrder.find((stage) => stage.stage === 'mql')?.entered);
    });

    test('waterfall: monthly cohorts of new leads followed to now, and stage balances', async () => {
      const waterfall = await getWaterfallReport({ workspaceId, from: '2027-01', to: '2027-04' }, deps);
      expect(waterfall.cohorts.map((cohort) => [cohort.label, cohort.size, cohort.offsets.length])).toEqual([
        ['2027-01', 1, 4],
        ['2027-02', 0, 3],
        ['2027-03', 3, 2],
      ]);
      expect(waterfall.cohorts[2]?.offsets[0]?.reached).toEqual({
        lead: 3,
        mql: 3,
        sql: 1,
        opportunity: 0,
        customer: 0,
      });
      const marchFlow = Object.fromEntries(
        (waterfall.flow[2]?.stages ?? []).map((stage) => [stage.stage, stage]),
      );
      expect(marchFlow.subscriber).toMatchObject({ opening: 1, inflow: 4, outflow: 3, closing: 2 });
      expect(marchFlow.customer).toMatchObject({ opening: 1, closing: 1 });
    });

    test('SLA: marketing value by grade and team against target and pace; sales compliance and breaches', async () => {
      const sla = await getSlaReport({ workspaceId, period: '2027-03' }, deps);
      expect(sla.marketing.total).toMatchObject({
        target: 400,
        leads: 4,
        invalid: 1,
        value: 8,
        attainment: 0.02,
      });
      expect(sla.marketing.total.pace).toMatchObject({
        elapsedShare: 1,
        expected: 400,
        projected: 8,
        onPace: false,
      });
      const teams = Object.fromEntries(sla.marketing.teams.map((team) => [team.team, team]));
      expect(teams['inside-sales']).toMatchObject({ target: 250, leads: 3, invalid: 1, value: 6 });
      expect(teams['enterprise-sales']).toMatchObject({ target: 150, leads: 1, value: 2 });
      expect(sla.sales.total).toEqual({
        team: null,
        handed: 5,
        due: 5,
        workedWithinDeadline: 3,
        compliance: 0.6,
        breaches: 2,
        openBreaches: 2,
        met: false,
      });
      expect(
        sla.sales.teams.map((team) => [team.team, team.handed, team.compliance, team.openBreaches]),
      ).toEqual([
        ['inside-sales', 3, 0.6667, 1],
        ['enterprise-sales', 2, 0.5, 1],
      ]);
    });

    test('SLA settlement: stored once, unchanged by later facts, refused before the period ends', async () => {
      const first = await closeSlaPeriod({ workspaceId, period: '2027-03', closedBy: 'test' }, deps);
      expect(first.created).toBe(true);
      expect(first.settlement).toMatchObject({ period: '2027-03', agreementVersion: 1, closedBy: 'test' });

      // A late import: c7 turns out to have become an MQL in March.
      await world.writer.moves(
        world.id('c7'),
        ['subscriber', '2027-03-05T15:00:00Z'],
        ['mql', '2027-03-20T15:00:00Z'],
      );
      now = new Date('2027-04-20T12:00:00Z');
      const live = await getSlaReport({ workspaceId, period: '2027-03' }, deps);
      expect(live.marketing.total.leads).toBe(5);

      const again = await closeSlaPeriod({ workspaceId, period: '2027-03', closedBy: 'someone else' }, deps);
      expect(again.created).toBe(false);
      expect(again.settlement).toEqual(first.settlement);
      const report = again.settlement.report as { marketing: { total: { leads: number; value: number } } };
      expect(report.marketing.total).toMatchObject({ leads: 4, value: 8 });

      const early = await closeSlaPeriod({ workspaceId, period: '2027-04', closedBy: 'test' }, deps).catch(
        (error: unknown) => error,
      );
      expect(isAppError(early) && early.code).toBe('CONFLICT');
      expect(
        (await listSlaSettlements({ workspaceId }, deps)).map((settlement) => settlement.period),
      ).toEqual(['2027-03']);
      const changed = await deps.database.db
        .execute(sql`update sla_settlements set closed_by = 'x' where workspace_id = ${workspaceId}`)
        .catch((error: unknown) => error);
      const messages: string[] = [];
      for (let cause = changed; cause instanceof Error; cause = cause.cause) messages.push(cause.message);
      expect(messages.join(' | ')).toContain('sla_settlements is append-only');
    });

    test('an empty period gives zeros and no rates', async () => {
      const query = { workspaceId, from: '2026-06', to: '2026-07' };
      const funnel = await getFunnelReport(query, deps);
      expect(
        funnel.anyOrder.every((stage) => stage.entered === 0 && stage.conversionFromFirst === null),
      ).toBe(true);
      const flow = await getLeadFlowReport(query, deps);
      expect(flow.total).toMatchObject({
        leads: 0,
        newLeads: 0,
        mqls: 0,
        quality: { averageFit: null, shareHot: null, points: 0 },
      });
      const sla = await getSlaReport({ workspaceId, period: '2026-06' }, deps);
      expect(sla.marketing.total).toMatchObject({ leads: 0, value: 0 });
      expect(sla.sales.total).toMatchObject({ handed: 0, compliance: null, met: null });
    });

    test('over simulated months, the funnel MQL count equals lead flow and a plain SQL count', async () => {
      const simulated = await createWorkspace({ name: `Reports simulated ${name}`, createdBy: 'test' }, deps);
      const agreement = (await deps.repos.agreementVersions.findLatest(simulated.workspaceId))
        ?.parsed as Agreement;
      const simulation = simulate({
        contacts: 80,
        months: 4,
        seed: 11,
        start: new Date('2027-01-01T00:00:00Z'),
        agreement,
      });
      await loadSimulatedFacts({ workspaceId: simulated.workspaceId, facts: simulation.facts }, deps);
      await runEngineUntilCaughtUp(deps, { workspaceId: simulated.workspaceId });
      let total = 0;
      for (const [from, to] of [
        ['2027-01', '2027-05'],
        ['2027-02', '2027-03'],
        ['2027-03-10', '2027-04-20'],
      ] as const) {
        const query = { workspaceId: simulated.workspaceId, from, to };
        const funnel = await getFunnelReport(query, deps);
        const flow = await getLeadFlowReport(query, deps);
        const mqls = funnel.anyOrder.find((stage) => stage.stage === 'mql')?.entered;
        expect(flow.total.mqls).toBe(mqls);
        const [plain] = await queryRows<{ count: number }>(
          deps.database.db,
          sql`select count(distinct coalesce(c.merged_into_id, c.id))::int as count
                from stage_transitions t join contacts c on c.workspace_id = t.workspace_id and c.id = t.contact_id
               where t.workspace_id = ${simulated.workspaceId} and t.to_stage = 'mql'
                 and t.occurred_at >= ${funnel.period.from} and t.occurred_at < ${funnel.period.to}`,
        );
        expect(mqls).toBe(plain?.count);
        total += mqls ?? 0;
      }
      expect(total).toBeGreaterThan(0);
    });
  });
}
