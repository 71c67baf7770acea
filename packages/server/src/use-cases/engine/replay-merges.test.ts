import { type Agreement, type ContactState, evaluateInterest } from '@smarketing/core';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import { type Database, openDatabase } from '../../db/client.ts';
import type { Deps } from '../../deps.ts';
import { createRepositories } from '../../repositories/index.ts';
import { eraseContact } from '../erase/erase-contact.ts';
import { ingestMessages } from '../ingest/ingest-messages.ts';
import { createWorkspace } from '../workspaces/create-workspace.ts';
import { replayEngine } from './replay-engine.ts';
import { runEngine, runEnginePipelined } from './run-engine.ts';

/** Every table a replay rebuilds, whole rows (the engine's `state` document included), in a stable order. */
const derived = (workspaceId: string): Record<string, SQL> => ({
  states: sql`select * from contact_states where workspace_id = ${workspaceId} order by contact_id`,
  scores: sql`select * from scores where workspace_id = ${workspaceId} order by contact_id`,
  transitions: sql`select contact_id, id, from_stage, to_stage, occurred_at, cause, actor, rule_id, reason
                     from stage_transitions where workspace_id = ${workspaceId} and external_id like 'engine:%'
                    order by contact_id, id`,
  assignments: sql`select * from assignments where workspace_id = ${workspaceId} order by contact_id, id`,
  clocks: sql`select * from sla_clocks where workspace_id = ${workspaceId} order by contact_id, id`,
  alerts: sql`select * from engine_alerts where workspace_id = ${workspaceId} order by contact_id, id`,
  owners: sql`select * from account_owners where workspace_id = ${workspaceId} order by account_id`,
  // The close rates' rollup of sources, scores and first touchpoints, kept by triggers.
  segments: sql`select * from contact_segments where workspace_id = ${workspaceId} order by contact_id`,
  // The reports' rollup of the transitions: kept by their trigger live, refreshed by the replay itself.
  timelines: sql`select t.person_id, t.n, t.stage, t.at, t.selects, t.pos, t.previous_stage, t.next_at,
                        t.entered_before, t.previous_same_at, t.previous_at, t.next_stage, p.stages as path
                   from person_timelines t
                   left join person_timeline_paths p on p.workspace_id = t.workspace_id and p.id = t.path_id
                  where t.workspace_id = ${workspaceId} order by t.person_id, t.n`,
});

async function snapshot(deps: Deps, workspaceId: string) {
  const tables: Record<string, unknown[]> = {};
  for (const [name, query] of Object.entries(derived(workspaceId))) {
    tables[name] = ((await deps.database.db.execute(query)) as unknown as { rows: unknown[] }).rows;
  }
  return tables;
}

/**
 * Every score is its contact's state's, worked out here from the stored state: fit, grade,
 * personas and contributions, interest and quadrant, and the interest's explanation as of the
 * state's instant; merged contacts have none.
 */
async function expectScoresFromStates(deps: Deps, workspaceId: string) {
  const agreement = (await deps.repos.agreementVersions.findLatest(workspaceId))?.parsed as Agreement;
  const found = await deps.database.db.execute(
    sql`select s.state, sc.fit, sc.interest, sc.quadrant, sc.fit_grade, sc.explanation, sc.computed_at,
               sc.contact_id as scored
          from contact_states s left join scores sc on sc.workspace_id = s.workspace_id and sc.contact_id = s.contact_id
         where s.workspace_id = ${workspaceId} order by s.contact_id`,
  );
  const rows = (found as unknown as { rows: Record<string, unknown>[] }).rows;
  expect(rows.length).toBeGreaterThan(50);
  for (const row of rows) {
    const state = row.state as ContactState;
    if (state.mergedIntoId !== undefined) {
      expect(row.scored).toBeNull();
      continue;
    }
    expect({
      contactId: state.contactId,
      fit: row.fit,
      interest: row.interest,
      quadrant: row.quadrant,
      grade: row.fit_grade,
      explanation: row.explanation,
      at: new Date(row.computed_at as string | Date).getTime(),
    }).toEqual({
      contactId: state.contactId,
      fit: state.fit.score,
      interest: state.interestScore,
      quadrant: state.quadrant,
      grade: state.fit.grade,
      explanation: {
        fit: state.fit.contributions,
        interest: evaluateInterest(state.interest, agreement, state.now).contributions,
        personas: state.fit.personas,
      },
      at: state.now,
    });
  }
}

const start = Date.parse('2027-02-01T14:00:00Z');

/**
 * Batches like the soak's: visitors by anonymous id, identified by a user id two visitors share
 * (so identify merges them), aliases joining more, pricing pages and demo requests, with times
 * that move forward a few minutes per batch.
 */
function batchOf(sender: number, n: number): Record<string, unknown>[] {
  return Array.from({ length: 30 }, (_, index) => {
    const visitor = (sender * 7919 + n * 31 + index) % 120;
    const timestamp = new Date(start + (n * 30 + index) * 60_000 + sender * 1000).toISOString();
    const messageId = `m-${sender}-${n}-${index}`;
    if (index % 10 === 0)
      return {
        type: 'identify',
        messageId,
        anonymousId: `anon-${visitor}`,
        userId: `user-${visitor % 60}`,
        traits: {
          email: `person${visitor % 60}@co${visitor % 8}.example`,
          title: index % 20 === 0 ? 'VP Sales' : 'Head of Marketing',
          employees: 200 + (n % 5) * 100,
        },
        timestamp,
      };
    if (index % 10 === 5)
      return {
        type: 'alias',
        messageId,
        previousId: `anon-${visitor}`,
        userId: `user-${(visitor + 7) % 60}`,
        timestamp,
      };
    if (index % 3 === 0)
      return { type: 'page', messageId, anonymousId: `anon-${visitor}`, name: 'Pricing', timestamp };
    return {
      type: 'track',
      messageId,
      anonymousId: `anon-${visitor}`,
      event: index % 7 === 0 ? 'Demo Requested' : 'Webinar Attended',
      timestamp,
    };
  });
}

/**
 * Senders' batches interleaved, the engine running in small batches between them and a scheduler
 * tick every round, so the engine's batch boundaries and ticks fall between merges.
 */
async function ingestWhileEngineRuns(deps: Deps, workspaceId: string) {
  for (let n = 0; n < 8; n++) {
    for (const sender of [0, 1, 2]) {
      await ingestMessages({ workspaceId, messages: batchOf(sender, n) }, deps);
      await runEngine(deps, { workspaceId, maxSteps: 23 });
    }
    await deps.database.db.transaction(async (tx) => {
      const repos = createRepositories(tx);
      await repos.ingest.lockWorkspace(workspaceId);
      await repos.engine.appendTick(workspaceId, new Date(start + (n * 30 + 15) * 60_000));
    });
    await runEngine(deps, { workspaceId, maxSteps: 41 });
  }
  for (;;) if ((await runEngine(deps, { workspaceId, maxSteps: 61 })).caughtUp) return;
}

const databaseUrl = inject('testDatabaseUrl') ?? process.env.TEST_DATABASE_URL;
const databases: [string, (() => Promise<Database>) | undefined][] = [
  ['PGlite', undefined],
  ['PostgreSQL', databaseUrl ? () => openDatabase({ databaseUrl, poolSize: 6 }) : undefined],
];

describe.each(databases)('live equals replay after concurrent merges on %s', (name, open) => {
  const opened: (Deps & { close(): Promise<void> })[] = [];
  afterAll(async () => {
    for (const deps of opened) await deps.close();
  });

  test.skipIf(name === 'PostgreSQL' && open === undefined)(
    'every derived table, the engine state included, is the same row for row',
    async () => {
      const now = new Date(start + 30 * 24 * 3_600_000);
      const deps = await openTestDeps({ ...(open ? { database: await open() } : {}), clock: () => now });
      opened.push(deps);
      const { workspaceId } = await createWorkspace({ name: `Merges ${name}`, createdBy: 'test' }, deps);
      await ingestWhileEngineRuns(deps, workspaceId);
      const live = await snapshot(deps, workspaceId);
      const merged = await deps.database.db.execute(
        sql`select count(*)::int as n from contacts where workspace_id = ${workspaceId} and merged_into_id is not null`,
      );
      // The scenario really merges contacts, and leads reach sales.
      expect((merged as unknown as { rows: { n: number }[] }).rows[0]?.n).toBeGreaterThan(10);
      expect(live.assignments?.length).toBeGreaterThan(0);
      await expectScoresFromStates(deps, workspaceId);

      // In one chunk; and in chunks of 9 facts, where most states and timelines are written as
      // soon as their contact's last fact is folded (some of them again, after a later merge).
      for (const chunk of [undefined, 9]) {
        const result = await replayEngine(deps, { workspaceId, ...(chunk === undefined ? {} : { chunk }) });
        if (chunk !== undefined) expect(result.statesEarly).toBeGreaterThan(result.contacts / 2);
        const replayed = await snapshot(deps, workspaceId);
        for (const table of Object.keys(live)) {
          expect({ chunk, table, rows: replayed[table] }).toEqual({ chunk, table, rows: live[table] });
        }
      }
    },
    120_000,
  );

  /** The same facts as `ingestWhileEngineRuns`, stored with the engine not running. */
  async function ingestAll(deps: Deps, workspaceId: string) {
    for (let n = 0; n < 8; n++) {
      for (const sender of [0, 1, 2])
        await ingestMessages({ workspaceId, messages: batchOf(sender, n) }, deps);
      await deps.database.db.transaction(async (tx) => {
        const repos = createRepositories(tx);
        await repos.ingest.lockWorkspace(workspaceId);
        await repos.engine.appendTick(workspaceId, new Date(start + (n * 30 + 15) * 60_000));
      });
    }
  }

  test.skipIf(name === 'PostgreSQL' && open === undefined)(
    'rounds prepared while the one before commits give the same rows, also when a rival engine commits between them',
    async () => {
      const now = new Date(start + 30 * 24 * 3_600_000);
      const deps = await openTestDeps({ ...(open ? { database: await open() } : {}), clock: () => now });
      opened.push(deps);
      const { workspaceId } = await createWorkspace({ name: `Pipelined ${name}`, createdBy: 'test' }, deps);
      await ingestAll(deps, workspaceId);
      let commits = 0;
      const result = await runEnginePipelined(deps, {
        workspaceId,
        maxSteps: 23,
        // Every third commit, a rival round moves the cursor under the round prepared meanwhile.
        onCommitted: () => {
          commits++;
        },
        between: async () => {
          if (commits % 3 === 1) await runEngine(deps, { workspaceId, maxSteps: 7 });
        },
      });
      expect(result.caughtUp).toBe(true);
      expect(result.refused).toBeGreaterThan(2);
      const live = await snapshot(deps, workspaceId);
      expect(live.assignments?.length).toBeGreaterThan(0);

      await replayEngine(deps, { workspaceId });
      const replayed = await snapshot(deps, workspaceId);
      for (const table of Object.keys(live)) {
        expect({ table, rows: live[table] }).toEqual({ table, rows: replayed[table] });
      }
    },
    120_000,
  );

  test.skipIf(name === 'PostgreSQL' && open === undefined)(
    'a contact erased while a round that read its facts is being prepared gets no derived rows back',
    async () => {
      const now = new Date(start + 30 * 24 * 3_600_000);
      const deps = await openTestDeps({ ...(open ? { database: await open() } : {}), clock: () => now });
      opened.push(deps);
      const { workspaceId } = await createWorkspace({ name: `Erased ${name}`, createdBy: 'test' }, deps);
      await ingestAll(deps, workspaceId);
      // The busiest contact: it has facts in nearly every round.
      const busiest = await deps.database.db.execute(
        sql`select contact_id from activities where workspace_id = ${workspaceId}
             group by contact_id order by count(*) desc, contact_id limit 1`,
      );
      const contact = (busiest as unknown as { rows: { contact_id: string }[] }).rows[0]?.contact_id ?? '';
      let erased: string[] = [];
      const result = await runEnginePipelined(deps, {
        workspaceId,
        maxSteps: 11,
        // Runs after a commit, when the next round has already been prepared with the contact's facts.
        onCommitted: async () => {
          if (erased.length === 0)
            erased = (await eraseContact({ workspaceId, contact, erasedBy: 'test' }, deps)).contactIds;
        },
      });
      expect(result.caughtUp).toBe(true);
      expect(erased).toContain(contact);
      expect(result.refused).toBeGreaterThan(0);
      const left = await deps.database.db.execute(
        sql`select (select count(*) from contact_states where workspace_id = ${workspaceId} and contact_id::text in (select jsonb_array_elements_text(${JSON.stringify(erased)}::jsonb)))
                 + (select count(*) from scores where workspace_id = ${workspaceId} and contact_id::text in (select jsonb_array_elements_text(${JSON.stringify(erased)}::jsonb))) as n`,
      );
      expect(Number((left as unknown as { rows: { n: string | number }[] }).rows[0]?.n)).toBe(0);
    },
    120_000,
  );
});
