import { type Agreement, type SimulatedFact, simulate } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../src/db/client.ts';
import type { Deps } from '../src/deps.ts';
import { createRepositories } from '../src/repositories/index.ts';
import { loadSimulatedFacts } from '../src/use-cases/demo/load-simulated-facts.ts';
import { replayEngine } from '../src/use-cases/engine/replay-engine.ts';
import { runEngine, runEngineUntilCaughtUp } from '../src/use-cases/engine/run-engine.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';
import { queryRows } from './repository-contract.ts';
import { openTestDeps } from './test-runtime.ts';

/** The derived tables a replay rebuilds, each read in a stable order. */
const derivedQueries = {
  contactStates: (workspaceId: string) =>
    sql`select contact_id, stage, stage_since, furthest_stage, detour, owner_rep_id, owner_team_id, next_due_at,
               state, agreement_version, updated_at
          from contact_states where workspace_id = ${workspaceId} order by contact_id`,
  scores: (workspaceId: string) =>
    sql`select contact_id, fit, interest, quadrant, fit_grade, explanation, agreement_version, computed_at
          from scores where workspace_id = ${workspaceId} order by contact_id`,
  transitions: (workspaceId: string) =>
    sql`select contact_id, id, from_stage, to_stage, occurred_at, cause, actor, rule_id, reason, agreement_version
          from stage_transitions where workspace_id = ${workspaceId} and external_id like 'engine:%'
         order by contact_id, id`,
  assignments: (workspaceId: string) =>
    sql`select * from assignments where workspace_id = ${workspaceId} order by contact_id, id`,
  clocks: (workspaceId: string) =>
    sql`select * from sla_clocks where workspace_id = ${workspaceId} order by contact_id, id`,
  alerts: (workspaceId: string) =>
    sql`select * from engine_alerts where workspace_id = ${workspaceId} order by contact_id, id`,
  accountOwners: (workspaceId: string) =>
    sql`select * from account_owners where workspace_id = ${workspaceId} order by account_id`,
  routing: (workspaceId: string) =>
    sql`select routing from engine_states where workspace_id = ${workspaceId}`,
};

async function snapshot(database: Database, workspaceId: string) {
  const entries = await Promise.all(
    Object.entries(derivedQueries).map(
      async ([name, query]) =>
        [name, await queryRows<Record<string, unknown>>(database.db, query(workspaceId))] as const,
    ),
  );
  return Object.fromEntries(entries);
}

/** Reps a manager gives leads to, in turn: known ones, and one the agreement does not know. */
const reassignTargets = ['taylor', 'sam', 'jamie', 'ghost', 'alex'];

/**
 * A manager's reassignments, stored as facts the way the route stores them (under the ingest
 * lock): the first lead with a running clock, and one contact picked in id order (merged or not,
 * owned or not), each to the next rep of `reassignTargets`.
 */
async function reassignSome(deps: Deps, workspaceId: string, at: Date, round: number) {
  await deps.database.db.transaction(async (tx) => {
    const repos = createRepositories(tx);
    await repos.ingest.lockWorkspace(workspaceId);
    const running = await queryRows<{ contact_id: string }>(
      tx,
      sql`select contact_id from sla_clocks where workspace_id = ${workspaceId} and stopped_at is null
           order by contact_id limit 1`,
    );
    const any = await queryRows<{ id: string }>(
      tx,
      sql`select id from contacts where workspace_id = ${workspaceId} order by id
           offset ${(round * 7) % 50} limit 1`,
    );
    const contactIds = [...running.map((row) => row.contact_id), ...any.map((row) => row.id)];
    for (const [index, contactId] of contactIds.entries()) {
      const repId = reassignTargets[(round * 2 + index) % reassignTargets.length] as string;
      await tx.execute(
        sql`insert into reassignments (workspace_id, contact_id, id, to_rep_id, actor, reason, occurred_at, recorded_at)
            values (${workspaceId}, ${contactId}, gen_random_uuid(), ${repId}, 'manager@example.com',
                    ${index === 0 ? 'covering a holiday' : null}, ${at.toISOString()}, ${at.toISOString()})`,
      );
    }
  });
}

/**
 * Loads simulated facts as a live system would see them: a week at a time, a scheduler tick, the
 * engine; with `reassign`, a manager's reassignments each week too.
 */
async function loadLive(deps: Deps, workspaceId: string, facts: SimulatedFact[], reassign = false) {
  const week = 7 * 24 * 3_600_000;
  let chunk: SimulatedFact[] = [];
  let chunkEnd: number | undefined;
  let round = 0;
  const flush = async () => {
    if (chunk.length === 0 || chunkEnd === undefined) return;
    await loadSimulatedFacts({ workspaceId, facts: chunk }, deps);
    if (reassign) await reassignSome(deps, workspaceId, new Date(chunkEnd - 3_600_000), round++);
    await deps.database.db.transaction(async (tx) => {
      const repos = createRepositories(tx);
      await repos.ingest.lockWorkspace(workspaceId);
      await repos.engine.appendTick(workspaceId, new Date(chunkEnd as number));
    });
    // Small batches, so that batch boundaries fall everywhere.
    for (;;) {
      const result = await runEngine(deps, { workspaceId, maxSteps: 97 });
      if (result.caughtUp) break;
    }
    chunk = [];
  };
  for (const fact of facts) {
    const at = factTime(fact);
    if (chunkEnd === undefined) chunkEnd = at + week;
    if (at >= chunkEnd) {
      await flush();
      chunkEnd = at + week;
    }
    chunk.push(fact);
  }
  await flush();
}

function factTime(fact: SimulatedFact): number {
  return fact.at.getTime();
}

/** Hot leads that sales never touches, so clocks run out and escalate. */
function ignoredHotLeads(count: number, start: number): SimulatedFact[] {
  return Array.from({ length: count }, (_, index) => {
    const at = start + index * 5 * 24 * 3_600_000;
    const identity = { userId: `ignored-${index}` };
    const traits = {
      email: `ignored${index}@bigco.example`,
      title: 'VP Marketing',
      employees: 400,
      industry: 'Software',
    };
    return [
      {
        type: 'identify',
        traits,
        timestamp: new Date(at).toISOString(),
        messageId: `ignored-${index}-1`,
        ...identity,
      },
      {
        type: 'track',
        event: 'Demo Requested',
        timestamp: new Date(at + 1000).toISOString(),
        messageId: `ignored-${index}-2`,
        ...identity,
      },
    ].map(
      (message, step): SimulatedFact => ({
        at: new Date(at + step * 1000),
        contactIndex: -1,
        kind: 'segment',
        message,
      }),
    );
  }).flat();
}

/** The engine against a real database: live processing over simulated facts, and replay equal to it. */
export function describeEngineContract(name: string, open: () => Promise<Database>): void {
  describe(`engine on ${name}`, () => {
    let deps: Deps & { close(): Promise<void> };
    const now = new Date('2027-07-01T00:00:00Z');

    beforeAll(async () => {
      deps = await openTestDeps({ database: await open(), clock: () => now });
    });
    afterAll(async () => {
      await deps?.close();
    });

    test('replay of a simulated year equals live processing, row for row', async () => {
      const { workspaceId } = await createWorkspace({ name: `Engine ${name}`, createdBy: 'test' }, deps);
      const agreement = (await deps.repos.agreementVersions.findLatest(workspaceId))?.parsed as Agreement;
      const simulation = simulate({
        contacts: 150,
        months: 12,
        seed: 7,
        start: new Date('2026-06-01T00:00:00Z'),
        agreement,
      });
      const facts = [...simulation.facts, ...ignoredHotLeads(3, Date.parse('2026-09-15T15:00:00Z'))].sort(
        (a, b) => a.at.getTime() - b.at.getTime(),
      );
      await loadLive(deps, workspaceId, facts, true);
      const live = await snapshot(deps.database, workspaceId);

      // The live result is a real one: leads reached sales, clocks ran, some ran out.
      expect(live.contactStates?.length).toBeGreaterThan(100);
      const stages = new Set(live.contactStates?.map((row) => row.stage));
      expect(stages.has('mql') || stages.has('sql') || stages.has('opportunity')).toBe(true);
      expect(live.assignments?.length).toBeGreaterThan(5);
      expect(live.clocks?.some((clock) => clock.status === 'worked')).toBe(true);
      expect(live.transitions?.some((row) => row.rule_id === 'entry:mql')).toBe(true);
      expect(live.alerts?.filter((row) => row.kind === 'sla-breached').length).toBeGreaterThanOrEqual(3);
      expect(live.alerts?.some((row) => row.kind === 'sla-escalated')).toBe(true);
      expect(
        live.transitions?.some((row) => row.to_stage === 'recycled' || row.to_stage === 'disqualified'),
      ).toBe(true);
      // Manual reassignments moved owners, restarted running clocks and refused an unknown rep.
      expect(live.assignments?.filter((row) => row.reason_kind === 'manual').length).toBeGreaterThan(10);
      expect(live.clocks?.filter((row) => row.stop_cause === 'reassigned').length).toBeGreaterThan(3);
      expect(live.alerts?.some((row) => row.kind === 'reassign-refused')).toBe(true);

      const result = await replayEngine(deps, { workspaceId });
      expect(result.contacts).toBe(live.contactStates?.length);
      const replayed = await snapshot(deps.database, workspaceId);
      for (const table of Object.keys(derivedQueries)) {
        expect({ table, rows: replayed[table] }).toEqual({ table, rows: live[table] });
      }
    });

    test('reads the facts as steps in seq order, every instant as the driver reads a timestamp', async () => {
      const { workspaceId } = await createWorkspace(
        { name: `Engine steps ${name}`, createdBy: 'test' },
        deps,
      );
      const agreement = (await deps.repos.agreementVersions.findLatest(workspaceId))?.parsed as Agreement;
      const simulation = simulate({
        contacts: 60,
        months: 6,
        seed: 5,
        start: new Date('2027-03-01T00:00:00Z'),
        agreement,
      });
      await loadSimulatedFacts({ workspaceId, facts: simulation.facts }, deps);
      // Ticks at instants with microseconds, before and after the epoch: steps are whole
      // milliseconds, rounded down as the drivers read a timestamp into a Date.
      await deps.database.db.transaction(async (tx) => {
        const repos = createRepositories(tx);
        await repos.ingest.lockWorkspace(workspaceId);
        for (const at of ['2027-04-01 10:00:00.123987+00', '1969-12-31 23:59:59.998765+00'])
          await tx.execute(sql`insert into engine_ticks (workspace_id, at) values (${workspaceId}, ${at})`);
      });
      const repos = createRepositories(deps.database.db);
      const horizon = await repos.engine.readHorizon(workspaceId);
      // In chunks of 97 (one JSON value each) and of 1,000 (several: a value holds 256 steps).
      const readAll = async (limit: number) => {
        const all = [];
        for (let after = 0; ; ) {
          const read = await repos.engine.readSteps(workspaceId, after, horizon, limit);
          all.push(...read.steps);
          if (read.through >= horizon) return all;
          after = read.through;
        }
      };
      const steps = await readAll(97);
      expect(await readAll(1_000)).toEqual(steps);
      // The same facts read table by table, instants as the driver's Dates.
      const expected = (
        await queryRows<{ kind: string; seq: string; contact_id: string | null; at: Date }>(
          deps.database.db,
          sql`select 'contact' as kind, cc.seq, cc.contact_id::text, c.created_at as at from contact_changes cc
                join contacts c on c.workspace_id = cc.workspace_id and c.id = cc.contact_id
               where cc.workspace_id = ${workspaceId}
              union all select 'activity', seq, contact_id::text, occurred_at from activities where workspace_id = ${workspaceId}
              union all select 'touch', seq, contact_id::text, occurred_at from touches where workspace_id = ${workspaceId}
              union all select 'feedback', seq, contact_id::text, occurred_at from feedback where workspace_id = ${workspaceId}
              union all select 'deal', seq, contact_id::text, occurred_at from deal_events where workspace_id = ${workspaceId}
              union all select 'tick', seq, null, at from engine_ticks where workspace_id = ${workspaceId}
              order by seq`,
        )
      ).map((row) => ({
        kind: row.kind,
        seq: Number(row.seq),
        at: new Date(row.at).getTime(),
        ...(row.contact_id === null ? {} : { contactId: row.contact_id }),
      }));
      expect(new Set(expected.map((step) => step.kind))).toEqual(
        new Set(['contact', 'activity', 'touch', 'feedback', 'deal', 'tick']),
      );
      expect(
        steps.map((step) => ({
          kind: step.kind,
          seq: step.seq,
          at: step.at,
          ...('contactId' in step ? { contactId: step.contactId } : {}),
        })),
      ).toEqual(expected);
      expect(steps.filter((step) => step.kind === 'tick').map((step) => step.at)).toEqual([
        Date.parse('2027-04-01T10:00:00.123Z'),
        Date.parse('1969-12-31T23:59:59.998Z'),
      ]);
      // Each kind's own fields come through: activity types, a contact's traits, a deal's event.
      const activity = steps.find((step) => step.kind === 'activity');
      expect(activity && 'activityType' in activity && typeof activity.activityType).toBe('string');
      const contact = steps.find((step) => step.kind === 'contact');
      expect(contact && 'traits' in contact && typeof contact.traits).toBe('object');
      const deal = steps.find((step) => step.kind === 'deal');
      expect(deal && 'event' in deal && typeof deal.event).toBe('string');
    });

    test('the engine picks up where it stopped and a second run finds nothing to do', async () => {
      const { workspaceId } = await createWorkspace(
        { name: `Engine resume ${name}`, createdBy: 'test' },
        deps,
      );
      const agreement = (await deps.repos.agreementVersions.findLatest(workspaceId))?.parsed as Agreement;
      const simulation = simulate({
        contacts: 30,
        months: 1,
        seed: 3,
        start: new Date('2027-05-01T00:00:00Z'),
        agreement,
      });
      await loadSimulatedFacts({ workspaceId, facts: simulation.facts }, deps);
      const first = await runEngine(deps, { workspaceId, maxSteps: 50 });
      expect(first.caughtUp).toBe(false);
      const rest = await runEngineUntilCaughtUp(deps, { workspaceId, maxSteps: 50 });
      expect(rest.caughtUp).toBe(true);
      const again = await runEngine(deps, { workspaceId });
      expect(again).toEqual({ steps: 0, caughtUp: true, notifications: 0 });
    });
  });
}
