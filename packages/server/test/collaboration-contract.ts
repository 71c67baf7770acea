import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../src/db/client.ts';
import type { Deps } from '../src/deps.ts';
import { getClogReport } from '../src/use-cases/reports/get-clog-report.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { openTestDeps } from './test-runtime.ts';

const hour = 3_600_000;
const day = 24 * hour;

/**
 * The storage behind announcements, persona counts and the clog report, on one database:
 * the same statements must answer the same on PGlite and on PostgreSQL.
 */
export function describeCollaborationContract(name: string, open: () => Promise<Database>) {
  describe(`announcements, personas and clogs on ${name}`, () => {
    let database: Database;
    let deps: Deps & { close(): Promise<void> };
    let workspaceId: string;
    const now = new Date('2027-03-22T01:00:00Z');

    const exec = (query: ReturnType<typeof sql>) => database.db.execute(query);
    async function contact(id: string, traits: Record<string, unknown>, mergedIntoId: string | null = null) {
      await exec(sql`insert into contacts (workspace_id, id, email, traits, merged_into_id, created_at, updated_at)
        values (${workspaceId}, ${id}, ${`${id.slice(0, 8)}@example.com`}, ${JSON.stringify(traits)}::jsonb,
          ${mergedIntoId}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`);
    }
    async function state(contactId: string, teamId: string, personas: string[]) {
      await exec(sql`insert into contact_states (workspace_id, contact_id, stage, stage_since, furthest_stage,
          owner_rep_id, owner_team_id, state, agreement_version, last_seq, updated_at)
        values (${workspaceId}, ${contactId}, 'mql', '2027-03-01T00:00:00Z', 'mql', 'sam', ${teamId},
          ${JSON.stringify({ fit: { personas } })}::jsonb, 1, 0, '2027-03-01T00:00:00Z')`);
    }
    async function moves(contactId: string, steps: [string, number][]) {
      for (const [index, [to, at]] of steps.entries()) {
        const from = index === 0 ? null : (steps[index - 1]?.[0] ?? null);
        const id = randomUUID();
        const instant = new Date(at).toISOString();
        await exec(sql`insert into stage_transitions (workspace_id, contact_id, id, from_stage, to_stage, occurred_at,
            recorded_at, cause, rule_id, agreement_version, external_id)
          values (${workspaceId}, ${contactId}, ${id}, ${from}, ${to}, ${instant}, ${instant}, 'rule', 'test', 1,
            ${`engine:${id}`})`);
      }
    }

    beforeAll(async () => {
      database = await open();
      deps = await openTestDeps({ database, clock: () => now });
      workspaceId = (await createWorkspace({ name: 'Acme', createdBy: 'test' }, deps)).workspaceId;
    });

    afterAll(async () => {
      await deps.close();
    });

    test('announcements: lists by effective date, leaves withdrawn ones out unless asked, updates in place', async () => {
      const row = (title: string, effectiveAt: string) => ({
        workspaceId,
        id: randomUUID(),
        kind: 'campaign' as const,
        title,
        body: '',
        link: null,
        effectiveAt: new Date(effectiveAt),
        createdAt: now,
        createdBy: 'test',
        updatedAt: now,
      });
      const early = await deps.repos.announcements.create(row('early', '2027-03-01T00:00:00Z'));
      const inWeek = await deps.repos.announcements.create(row('in week', '2027-03-10T00:00:00Z'));
      await deps.repos.announcements.create(row('at end', '2027-03-15T00:00:00Z'));
      const week = { from: new Date('2027-03-08T00:00:00Z'), to: new Date('2027-03-15T00:00:00Z') };
      const titles = async (options: { from?: Date; to?: Date; includeWithdrawn: boolean }) =>
        (await deps.repos.announcements.list(workspaceId, { ...options, limit: 10 })).map(
          (found) => found.title,
        );
      expect(await titles({ ...week, includeWithdrawn: false })).toEqual(['in week']);
      expect(await titles({ includeWithdrawn: false })).toEqual(['early', 'in week', 'at end']);
      await deps.repos.announcements.update(workspaceId, inWeek.id, { withdrawnAt: now, updatedAt: now });
      expect(await titles({ ...week, includeWithdrawn: false })).toEqual([]);
      expect(await titles({ ...week, includeWithdrawn: true })).toEqual(['in week']);
      const edited = await deps.repos.announcements.update(workspaceId, early.id, {
        title: 'earlier',
        updatedAt: now,
      });
      expect(edited?.title).toBe('earlier');
      expect(
        await deps.repos.announcements.update(workspaceId, randomUUID(), { updatedAt: now }),
      ).toBeUndefined();
    });

    test('persona counts: surviving contacts by the personas in the engine state, merged ones left out', async () => {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      await contact(a, {});
      await contact(b, {});
      await contact(c, {}, a);
      await state(a, 'inside-sales', ['revops-leader', 'marketing-leader']);
      await state(b, 'inside-sales', ['revops-leader']);
      await state(c, 'inside-sales', ['revops-leader']);
      const counts = await deps.repos.personas.countContacts(workspaceId);
      expect(Object.fromEntries(counts)).toEqual({ 'revops-leader': 2, 'marketing-leader': 1 });
    });

    test('clogs: finds the MQL conversion drop of the week, by source and persona, with the leads named', async () => {
      const from = Date.parse('2027-03-15T04:00:00Z'); // local midnight in New York (EDT)
      // Baseline: 20 MQLs 20 days before the week, 16 reach SQL the next day (8 per source and persona).
      for (let i = 0; i < 20; i++) {
        const id = randomUUID();
        const at = from - 20 * day + i * hour;
        await contact(id, { leadSource: i < 10 ? 'Ads' : 'Webinar', firstName: 'Base', lastName: String(i) });
        await state(id, 'inside-sales', i < 10 ? ['revops-leader'] : ['marketing-leader']);
        await moves(id, [['mql', at], ...(i % 10 < 8 ? ([['sql', at + day]] as [string, number][]) : [])]);
      }
      // The week's cohort (horizon ends in the week): 20 MQLs, 4 reach SQL (all from ads).
      for (let i = 0; i < 20; i++) {
        const id = randomUUID();
        const at = from - 5 * day + i * hour;
        await contact(id, { leadSource: i < 10 ? 'Ads' : 'Webinar', name: `Stuck ${i}` });
        await state(id, 'inside-sales', i < 10 ? ['revops-leader'] : ['marketing-leader']);
        await moves(id, [['mql', at], ...(i < 4 ? ([['sql', at + day]] as [string, number][]) : [])]);
      }
      const report = await getClogReport(
        {
          workspaceId,
          from: '2027-03-15',
          to: '2027-03-22',
          horizonDays: 7,
          segmentBy: ['source', 'persona'],
        },
        deps,
      );
      const mql = report.checks.filter((check) => check.stage === 'mql' && check.metric === 'conversion');
      expect(
        mql.map((check) => [check.segment?.value ?? 'all', check.current.converted, check.current.entries]),
      ).toEqual([
        ['all', 4, 20],
        ['ads', 4, 10],
        ['webinar', 0, 10],
        ['marketing-leader', 0, 10],
        ['revops-leader', 4, 10],
      ]);
      expect(mql[0]?.baseline).toEqual({ entries: 20, converted: 16, rate: 0.8 });
      const flagged = report.clogs.map((clog) => clog.segment?.value ?? 'all');
      expect(flagged).toEqual(expect.arrayContaining(['all', 'webinar', 'marketing-leader']));
      expect(flagged).not.toContain('ads');
      const webinar = report.clogs.find((clog) => clog.segment?.value === 'webinar');
      expect(webinar?.leadCount).toBe(10);
      expect(webinar?.leads[0]).toMatchObject({ name: 'Stuck 10', stillIn: true });
      expect(webinar?.leads[0]?.email).toMatch(/@example.com$/);
    });
  });
}
