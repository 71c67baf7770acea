import { randomUUID } from 'node:crypto';
import { type Agreement, attributionModels, simulate } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAppError } from '../src/app-error.ts';
import type { Database } from '../src/db/client.ts';
import type { Deps } from '../src/deps.ts';
import { importCampaignSpend } from '../src/use-cases/campaign-spend/import-campaign-spend.ts';
import { loadSimulatedFacts } from '../src/use-cases/demo/load-simulated-facts.ts';
import { runEngineUntilCaughtUp } from '../src/use-cases/engine/run-engine.ts';
import { closeSlaPeriod } from '../src/use-cases/reports/close-sla-period.ts';
import { getAttributionReport } from '../src/use-cases/reports/get-attribution-report.ts';
import { getCloseRatesReport } from '../src/use-cases/reports/get-close-rates-report.ts';
import { getFollowThroughReport } from '../src/use-cases/reports/get-follow-through-report.ts';
import { getFunnelReport } from '../src/use-cases/reports/get-funnel-report.ts';
import { getGoalTreeReport } from '../src/use-cases/reports/get-goal-tree-report.ts';
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

/** Writes what the sales reports read: accounts, touches, verdicts, campaign activities, deals. */
function salesWriter(database: Database, workspaceId: string) {
  const exec = (query: ReturnType<typeof sql>) => database.db.execute(query);
  const base = worldWriter(database, workspaceId);
  return {
    ...base,
    async account(id: string, domain: string) {
      await exec(sql`insert into accounts (workspace_id, id, domain, name, traits, created_at)
        values (${workspaceId}, ${id}, ${domain}, ${domain}, '{}'::jsonb, '2026-01-01T00:00:00Z')`);
    },
    async contactAt(id: string, traits: Row, accountId: string | null, mergedIntoId: string | null = null) {
      await exec(sql`insert into contacts (workspace_id, id, account_id, traits, merged_into_id, created_at, updated_at)
        values (${workspaceId}, ${id}, ${accountId}, ${JSON.stringify(traits)}::jsonb, ${mergedIntoId},
          '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`);
    },
    async clock(
      contactId: string,
      teamId: string,
      repId: string,
      startedAt: string,
      options: { businessHours: boolean; status: string },
    ) {
      await exec(sql`insert into sla_clocks (workspace_id, contact_id, id, rep_id, team_id, quadrant, started_at,
          deadline_at, business_hours, status, stopped_at, agreement_version)
        values (${workspaceId}, ${contactId}, ${randomUUID()}, ${repId}, ${teamId}, 'hot', ${startedAt},
          ${startedAt}, ${options.businessHours}, ${options.status}, null, 1)`);
    },
    async touch(contactId: string, kind: string, at: string) {
      await exec(sql`insert into touches (workspace_id, contact_id, id, rep_id, kind, occurred_at, recorded_at, source)
        values (${workspaceId}, ${contactId}, ${randomUUID()}, 'rep', ${kind}, ${at}, ${at}, 'test')`);
    },
    async verdict(contactId: string, verdict: string, reason: string | null, at: string) {
      await exec(sql`insert into feedback (workspace_id, contact_id, id, rep_id, verdict, reason, occurred_at, recorded_at)
        values (${workspaceId}, ${contactId}, ${randomUUID()}, 'rep', ${verdict}, ${reason}, ${at}, ${at})`);
    },
    async activity(contactId: string, at: string, context: Row) {
      await exec(sql`insert into activities (workspace_id, contact_id, id, kind, event, occurred_at, received_at,
          properties, context)
        values (${workspaceId}, ${contactId}, ${randomUUID()}, 'page', 'Page', ${at}, ${at}, '{}'::jsonb,
          ${JSON.stringify(context)}::jsonb)`);
    },
    async deal(
      contactId: string,
      deal: {
        amount: string;
        currency?: string;
        status: 'won' | 'lost';
        createdAt: string;
        closeDate: string;
        /** The won or lost event; without one the close date says when. */
        closedAt?: string;
        accountId?: string;
      },
    ) {
      const id = randomUUID();
      await exec(sql`insert into deals (workspace_id, contact_id, id, account_id, name, amount, currency, stage, status,
          created_at, close_date, updated_at)
        values (${workspaceId}, ${contactId}, ${id}, ${deal.accountId ?? null}, 'Deal', ${deal.amount},
          ${deal.currency ?? 'USD'}, 'closed', ${deal.status}, ${deal.createdAt}, ${deal.closeDate}, '2027-04-10T00:00:00Z')`);
      if (deal.closedAt !== undefined) {
        await exec(sql`insert into deal_events (workspace_id, contact_id, deal_id, id, kind, occurred_at, recorded_at, source)
          values (${workspaceId}, ${contactId}, ${id}, ${randomUUID()}, ${deal.status}, ${deal.closedAt}, ${deal.closedAt}, 'test')`);
      }
    },
  };
}

/**
 * The sales side of March 2027 in New York: s1 (account A) goes lead → customer and wins 24,000
 * after touchpoints of its own and of s6 at the same account; s2 is handed to enterprise sales
 * (a business-hours clock), recycled and handed again, and loses a deal; s3 was merged into s4,
 * and s3's call works s4's hand-over (s3's own clock was cancelled); s5 becomes a lead and is
 * handed over at 23:45 and 23:50 on 31 March local time (April in UTC), then rejected as spam;
 * s7 has no touchpoint and wins 500 (credited to its leadSource) and 900 EUR.
 */
async function buildSalesWorld(database: Database, workspaceId: string) {
  const ids = Object.fromEntries(
    ['A', 's1', 's2', 's3', 's4', 's5', 's6', 's7'].map((key) => [key, randomUUID()]),
  );
  const id = (key: string) => ids[key] as string;
  const w = salesWriter(database, workspaceId);
  await w.account(id('A'), 'acme.example');
  await w.contactAt(id('s1'), { leadSource: 'Webinar' }, id('A'));
  await w.contactAt(id('s2'), { leadSource: 'ads' }, null);
  await w.contactAt(id('s4'), { leadSource: 'ADS' }, null);
  await w.contactAt(id('s3'), { leadSource: 'ads' }, null, id('s4'));
  await w.contactAt(id('s5'), {}, null);
  await w.contactAt(id('s6'), {}, id('A'));
  await w.contactAt(id('s7'), { leadSource: 'Partner' }, null);

  await w.moves(
    id('s1'),
    ['lead', '2027-03-02T10:00:00Z'],
    ['mql', '2027-03-03T10:00:00Z'],
    ['sql', '2027-03-05T10:00:00Z'],
    ['opportunity', '2027-03-10T10:00:00Z'],
    ['customer', '2027-03-20T10:00:00Z'],
  );
  await w.moves(
    id('s2'),
    ['subscriber', '2027-03-01T12:00:00Z'],
    ['mql', '2027-03-02T12:00:00Z'],
    ['recycled', '2027-03-10T12:00:00Z'],
    ['lead', '2027-03-20T12:00:00Z'],
    ['mql', '2027-03-25T12:00:00Z'],
  );
  await w.moves(id('s4'), ['subscriber', '2027-03-08T09:00:00Z'], ['mql', '2027-03-12T09:00:00Z']);
  await w.moves(id('s5'), ['subscriber', '2027-04-01T03:30:00Z'], ['lead', '2027-04-01T03:45:00Z']);

  await w.clock(id('s1'), 'inside-sales', 'alex', '2027-03-03T10:00:00Z', {
    businessHours: false,
    status: 'worked',
  });
  await w.clock(id('s2'), 'enterprise-sales', 'taylor', '2027-03-02T12:00:00Z', {
    businessHours: true,
    status: 'breached',
  });
  await w.clock(id('s2'), 'enterprise-sales', 'taylor', '2027-03-25T12:00:00Z', {
    businessHours: false,
    status: 'breached',
  });
  await w.clock(id('s3'), 'inside-sales', 'alex', '2027-03-11T09:00:00Z', {
    businessHours: false,
    status: 'cancelled',
  });
  await w.clock(id('s4'), 'inside-sales', 'alex', '2027-03-12T09:00:00Z', {
    businessHours: false,
    status: 'breached',
  });
  await w.clock(id('s5'), 'inside-sales', 'sam', '2027-04-01T03:50:00Z', {
    businessHours: false,
    status: 'open',
  });

  await w.touch(id('s1'), 'email', '2027-03-03T15:00:00Z');
  await w.touch(id('s1'), 'call', '2027-03-05T15:00:00Z');
  await w.touch(id('s2'), 'call', '2027-03-05T15:00:00Z');
  await w.touch(id('s3'), 'call', '2027-03-12T13:00:00Z');
  await w.verdict(id('s1'), 'accept', null, '2027-03-04T10:00:00Z');
  await w.verdict(id('s2'), 'recycle', 'not-now', '2027-03-10T12:00:00Z');
  await w.verdict(id('s5'), 'reject', 'spam', '2027-04-01T05:00:00Z');

  await w.activity(id('s6'), '2027-02-10T10:00:00Z', {
    campaign: { name: 'competitor-terms', source: 'google' },
  });
  await w.activity(id('s1'), '2027-02-24T10:00:00Z', {
    page: { url: 'https://example.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand' },
  });
  await w.activity(id('s1'), '2027-03-03T10:00:00Z', {
    campaign: { name: 'Webinar-Q1', source: 'LinkedIn', medium: 'paid-social' },
  });
  await w.activity(id('s1'), '2027-03-15T10:00:00Z', { campaign: { name: 'brand', source: 'google' } });

  await w.deal(id('s1'), {
    amount: '24000.00',
    status: 'won',
    createdAt: '2027-03-10T10:00:00Z',
    closeDate: '2027-03-21',
    closedAt: '2027-03-20T10:00:00Z',
    accountId: id('A'),
  });
  await w.deal(id('s2'), {
    amount: '9000.00',
    status: 'lost',
    createdAt: '2027-03-12T10:00:00Z',
    closeDate: '2027-03-22',
    closedAt: '2027-03-22T10:00:00Z',
  });
  await w.deal(id('s7'), {
    amount: '500.00',
    status: 'won',
    createdAt: '2027-03-05T04:00:00Z',
    closeDate: '2027-03-25',
  });
  await w.deal(id('s7'), {
    amount: '900.00',
    currency: 'EUR',
    status: 'won',
    createdAt: '2027-03-05T05:00:00Z',
    closeDate: '2027-03-06',
  });
  return { id };
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

  describe(`sales reports on ${name}`, () => {
    let deps: Deps & { close(): Promise<void> };
    const now = new Date('2027-04-15T12:00:00Z');
    let workspaceId: string;
    const march = () => ({ workspaceId, from: '2027-03', to: '2027-04' });

    beforeAll(async () => {
      deps = await openTestDeps({ database: await open(), clock: () => now });
      ({ workspaceId } = await createWorkspace({ name: `Sales reports ${name}`, createdBy: 'test' }, deps));
      await buildSalesWorld(deps.database, workspaceId);
    });
    afterAll(async () => {
      await deps?.close();
    });

    test('follow-through: worked share, time to first touch, attempts and verdicts; handed equals the SLA report', async () => {
      const report = await getFollowThroughReport(march(), deps);
      expect(report.total).toMatchObject({
        handed: 5,
        worked: 3,
        workedShare: 0.6,
        timeToFirstTouch: {
          // s4 4 h (its merged contact's call), s1 5 h, s2 75 h — 31 business hours in Chicago.
          wallClockHours: { median: 5, p90: 61 },
          slaHours: { median: 5, p90: 25.8 },
        },
        attempts: { measured: 5, average: 0.8, median: 1, none: 2 },
        feedback: {
          accepted: 1,
          rejected: 1,
          recycled: 1,
          pending: 2,
          acceptRate: 0.2,
          reasons: [
            { verdict: 'recycle', reason: 'not-now', count: 1 },
            { verdict: 'reject', reason: 'spam', count: 1 },
          ],
        },
      });
      expect(report.teams.map((team) => [team.team, team.handed, team.worked])).toEqual([
        ['inside-sales', 3, 2],
        ['enterprise-sales', 2, 1],
      ]);
      const sla = await getSlaReport({ workspaceId, period: '2027-03' }, deps);
      expect(report.total.handed).toBe(sla.sales.total.handed);
      const segment = await getFollowThroughReport({ ...march(), filters: { source: 'ads' } }, deps);
      expect(segment.total).toMatchObject({ handed: 3, worked: 2 });
    });

    test('close rates: the local month’s new leads by source and campaign; deals’ win rate and cycle', async () => {
      const report = await getCloseRatesReport(march(), deps);
      expect(report.closeRates.total).toEqual({ leads: 4, customers: 1, closeRate: 0.25 });
      expect(report.closeRates.bySource.map((row) => [row.key, row.leads, row.customers])).toEqual([
        ['ads', 2, 0],
        ['webinar', 1, 1],
        [null, 1, 0],
      ]);
      expect(report.closeRates.byCampaign.map((row) => [row.key, row.leads])).toEqual([
        [null, 3],
        ['brand', 1],
      ]);
      expect(report.deals).toEqual({
        currency: 'USD',
        closed: 4,
        won: 3,
        lost: 1,
        winRate: 0.75,
        wonAmount: 24_500,
        salesCycleDays: { median: 10, p90: 18 },
        openCreated: 0,
      });
      expect(report.velocity.find((pair) => pair.to === 'customer')).toMatchObject({
        moved: 1,
        days: { median: 10 },
      });
      const funnel = await getFunnelReport(march(), deps);
      const customers = funnel.anyOrder.find((stage) => stage.stage === 'customer')?.entered;
      expect(report.velocity.at(-1)?.moved).toBe(customers);
    });

    test('attribution: six models each summing to the revenue; ROI on imported spend', async () => {
      const rows = [
        {
          campaign: 'webinar-q1',
          source: 'linkedin',
          periodStart: '2027-02-15',
          periodEnd: '2027-03-16',
          amount: 300,
          currency: 'USD',
        },
        {
          campaign: 'brand',
          periodStart: '2027-03-01',
          periodEnd: '2027-03-31',
          amount: '200.00',
          currency: 'USD',
        },
      ];
      const first = await importCampaignSpend({ workspaceId, rows, importedBy: 'test' }, deps);
      expect(first).toEqual({ received: 2, inserted: 2, updated: 0 });
      const again = await importCampaignSpend({ workspaceId, rows, importedBy: 'test' }, deps);
      expect(again).toEqual({ received: 2, inserted: 0, updated: 2 });
      const audited = await deps.repos.audit.list(workspaceId, {
        action: 'campaign-spend.import',
        limit: 10,
      });
      expect(audited).toHaveLength(2);
      const bad = await importCampaignSpend(
        { workspaceId, rows: [{ ...rows[0], amount: -1 } as (typeof rows)[0]], importedBy: 'test' },
        deps,
      ).catch((error: unknown) => error);
      expect(isAppError(bad) && bad.code).toBe('VALIDATION_FAILED');

      const report = await getAttributionReport(march(), deps);
      expect(report.total).toMatchObject({ deals: 2, revenue: 24_500 });
      for (const model of attributionModels) expect(report.total.credited[model]).toBe(24_500);
      expect(report.excluded).toEqual({ otherCurrency: 1, noAmount: 0 });
      const source = (key: string) => report.bySource.find((row) => row.key === key)?.revenue;
      expect(source('google')).toEqual({
        firstTouch: 24_000,
        lastTouch: 0,
        linear: 16_000,
        uShaped: 14_400,
        wShaped: 16_000,
        timeDecay: 9230.77,
      });
      expect(source('linkedin')).toEqual({
        firstTouch: 0,
        lastTouch: 24_000,
        linear: 8000,
        uShaped: 9600,
        wShaped: 8000,
        timeDecay: 14_769.23,
      });
      expect(source('partner')).toMatchObject({ firstTouch: 500, timeDecay: 500 });
      expect(
        report.roi.byCampaign.map((row) => [row.key, row.spend, row.returnOnSpend.linear, row.roi.linear]),
      ).toEqual([
        ['brand', 200, 40, 39],
        ['webinar-q1', 160, 50, 49],
      ]);
    });

    test("attribution: W-shaped's lead-creation touch is as of asOf (a later move into the lead stage is unknown then)", async () => {
      const { workspaceId: ws } = await createWorkspace(
        { name: `Attribution as of ${name}`, createdBy: 'test' },
        deps,
      );
      const w = salesWriter(deps.database, ws);
      const person = randomUUID();
      await w.contactAt(person, {}, null);
      await w.activity(person, '2027-03-01T10:00:00Z', { campaign: { name: 'brand', source: 'google' } });
      await w.activity(person, '2027-03-03T10:00:00Z', { campaign: { name: 'webinar', source: 'linkedin' } });
      await w.deal(person, {
        amount: '3000.00',
        status: 'won',
        createdAt: '2027-03-05T10:00:00Z',
        closeDate: '2027-03-10',
        closedAt: '2027-03-10T10:00:00Z',
      });
      // The person becomes a lead after the report's instant (now, 15 April).
      await w.moves(person, ['lead', '2027-04-20T10:00:00Z']);
      const wShaped = async () =>
        Object.fromEntries(
          (
            await getAttributionReport({ workspaceId: ws, from: '2027-03', to: '2027-04' }, deps)
          ).bySource.map((row) => [row.key, row.revenue.wShaped]),
        );
      // Not a lead as of now: the lead-creation touch is the first (google: 30 % + 30 % + 10 %/3 × 2).
      expect(await wShaped()).toEqual({ google: 2000, linkedin: 1000 });
      // Had it become a lead before now, the last touchpoint up to then would be it.
      await w.moves(person, ['lead', '2027-03-04T10:00:00Z']);
      expect(await wShaped()).toEqual({ google: 1000, linkedin: 2000 });
    });

    test('goal tree: from the quarter goal to the leads needed, actuals equal to the funnel month by month', async () => {
      const report = await getGoalTreeReport({ workspaceId, period: '2027-Q1' }, deps);
      expect(report.rates.every((rate) => rate.basis === 'default')).toBe(true);
      expect(report.total.revenueGoal).toBe(1_000_000);
      expect(report.months[0]?.stages.map((stage) => [stage.stage, stage.needed])).toEqual([
        ['lead', 617.28],
        ['mql', 185.19],
        ['sql', 92.59],
        ['opportunity', 55.56],
        ['customer', 13.89],
      ]);
      for (const month of report.months) {
        const funnel = await getFunnelReport({ workspaceId, from: month.from, to: month.to }, deps);
        const entered = Object.fromEntries(funnel.anyOrder.map((stage) => [stage.stage, stage.entered]));
        for (const stage of month.stages) expect(stage.actual).toBe(entered[stage.stage]);
      }
      expect(report.months[2]?.stages.map((stage) => stage.actual)).toEqual([3, 3, 1, 1, 1]);
      expect(report.months[2]?.revenueWon).toBe(24_500);
    });

    test('an empty period: no hand-overs, no leads, no revenue', async () => {
      const query = { workspaceId, from: '2026-06', to: '2026-07' };
      expect((await getFollowThroughReport(query, deps)).total).toMatchObject({
        handed: 0,
        workedShare: null,
      });
      expect((await getCloseRatesReport(query, deps)).closeRates.total).toEqual({
        leads: 0,
        customers: 0,
        closeRate: null,
      });
      const attribution = await getAttributionReport(query, deps);
      expect(attribution.total).toMatchObject({ deals: 0, revenue: 0 });
      expect(attribution.roi.byCampaign).toEqual([]);
    });

    test('over simulated months, the sales reports match independent SQL recomputations', async () => {
      const simulated = await createWorkspace({ name: `Sales simulated ${name}`, createdBy: 'test' }, deps);
      const agreement = (await deps.repos.agreementVersions.findLatest(simulated.workspaceId))
        ?.parsed as Agreement;
      const simulation = simulate({
        contacts: 150,
        months: 10,
        seed: 7,
        // From the summer before, so deals created then are won in the windows below.
        start: new Date('2026-07-01T00:00:00Z'),
        agreement,
      });
      await loadSimulatedFacts({ workspaceId: simulated.workspaceId, facts: simulation.facts }, deps);
      await runEngineUntilCaughtUp(deps, { workspaceId: simulated.workspaceId });
      const ws = simulated.workspaceId;
      const asOf = now.toISOString();
      const leadStages = ['lead', 'mql', 'sql', 'opportunity', 'customer'];
      let seen = { handed: 0, leads: 0, deals: 0 };
      for (const [from, to] of [
        ['2027-01', '2027-05'],
        ['2027-02', '2027-03'],
        ['2027-03-10', '2027-04-20'],
      ] as const) {
        const query = { workspaceId: ws, from, to };
        const follow = await getFollowThroughReport(query, deps);
        const { from: start, to: end } = follow.period;
        const [handOvers] = await queryRows<{ handed: number; worked: number; accepted: number }>(
          deps.database.db,
          sql`with k as (
                select coalesce(c.merged_into_id, c.id) as person_id, k.started_at,
                       lead(k.started_at) over (partition by coalesce(c.merged_into_id, c.id) order by k.started_at) as next_at
                  from sla_clocks k join contacts c on c.workspace_id = k.workspace_id and c.id = k.contact_id
                 where k.workspace_id = ${ws} and k.status <> 'cancelled' and k.started_at <= ${asOf}
              ),
              facts as (
                select k.*,
                  exists (select 1 from touches t join contacts tc on tc.workspace_id = t.workspace_id and tc.id = t.contact_id
                           where t.workspace_id = ${ws} and coalesce(tc.merged_into_id, tc.id) = k.person_id
                             and t.kind in ('call', 'email', 'meeting') and t.occurred_at >= k.started_at
                             and t.occurred_at < coalesce(k.next_at, 'infinity') and t.occurred_at <= ${asOf}) as worked,
                  (select f.verdict from feedback f join contacts fc on fc.workspace_id = f.workspace_id and fc.id = f.contact_id
                    where f.workspace_id = ${ws} and coalesce(fc.merged_into_id, fc.id) = k.person_id
                      and f.occurred_at >= k.started_at and f.occurred_at < coalesce(k.next_at, 'infinity')
                      and f.occurred_at <= ${asOf}
                    order by f.occurred_at limit 1) as verdict
                  from k where k.started_at >= ${start} and k.started_at < ${end}
              )
              select count(*)::int as handed, count(*) filter (where worked)::int as worked,
                     count(*) filter (where verdict = 'accept')::int as accepted from facts`,
        );
        expect(follow.total.handed).toBe(handOvers?.handed);
        expect(follow.total.worked).toBe(handOvers?.worked);
        expect(follow.total.feedback.accepted).toBe(handOvers?.accepted);
        const sla = await getSlaReport({ workspaceId: ws, from, to }, deps);
        expect(follow.total.handed).toBe(sla.sales.total.handed);

        const closeRates = await getCloseRatesReport(query, deps);
        const [cohort] = await queryRows<{ leads: number; customers: number }>(
          deps.database.db,
          sql`with became as (
                select coalesce(c.merged_into_id, c.id) as person_id, min(t.occurred_at) as at
                  from stage_transitions t join contacts c on c.workspace_id = t.workspace_id and c.id = t.contact_id
                 where t.workspace_id = ${ws} and t.occurred_at <= ${asOf}
                   and t.to_stage in (select jsonb_array_elements_text(${JSON.stringify(leadStages)}::jsonb))
                 group by 1
              )
              select count(*)::int as leads,
                     count(*) filter (where exists (
                       select 1 from stage_transitions t join contacts c on c.workspace_id = t.workspace_id and c.id = t.contact_id
                        where t.workspace_id = ${ws} and coalesce(c.merged_into_id, c.id) = b.person_id
                          and t.to_stage = 'customer' and t.occurred_at >= b.at and t.occurred_at <= ${asOf}))::int as customers
                from became b where b.at >= ${start} and b.at < ${end}`,
        );
        expect(closeRates.closeRates.total.leads).toBe(cohort?.leads);
        expect(closeRates.closeRates.total.customers).toBe(cohort?.customers);
        expect(closeRates.closeRates.bySource.reduce((sum, row) => sum + row.leads, 0)).toBe(cohort?.leads);

        const attribution = await getAttributionReport(query, deps);
        const [won] = await queryRows<{ deals: number; revenue: string | null }>(
          deps.database.db,
          sql`with closed as (
                select d.amount, coalesce(
                  (select max(e.occurred_at) from deal_events e where e.workspace_id = d.workspace_id
                      and e.contact_id = d.contact_id and e.deal_id = d.id and e.kind = 'won'),
                  d.close_date::timestamp at time zone 'America/New_York', d.updated_at) as won_at
                  from deals d
                 where d.workspace_id = ${ws} and d.status = 'won' and coalesce(d.currency, 'USD') = 'USD'
                   and d.amount is not null and d.created_at <= ${asOf}
              )
              select count(*)::int as deals, sum(amount)::text as revenue from closed
               where won_at >= ${start} and won_at < ${end} and won_at <= ${asOf}`,
        );
        expect(attribution.total.deals).toBe(won?.deals);
        expect(attribution.total.revenue).toBeCloseTo(Number(won?.revenue ?? 0), 2);
        for (const model of attributionModels)
          expect(attribution.total.credited[model]).toBeCloseTo(attribution.total.revenue, 2);
        seen = {
          handed: seen.handed + follow.total.handed,
          leads: seen.leads + (cohort?.leads ?? 0),
          deals: seen.deals + attribution.total.deals,
        };
      }
      expect(seen.handed).toBeGreaterThan(0);
      expect(seen.leads).toBeGreaterThan(0);
      expect(seen.deals).toBeGreaterThan(0);
    });
  });
}
