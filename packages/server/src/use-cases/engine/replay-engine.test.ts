import { type Agreement, simulate } from '@smarketing/core';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDeps } from '../../../test/test-runtime.ts';
import type { Deps } from '../../deps.ts';
import { loadSimulatedFacts } from '../demo/load-simulated-facts.ts';
import { createWorkspace } from '../workspaces/create-workspace.ts';
import { type ReplayProgress, replayEngine } from './replay-engine.ts';
import { runEngineUntilCaughtUp } from './run-engine.ts';

/** Everything a replay rebuilds, in a stable order (the engine contract compares the same on both databases). */
const derived = (workspaceId: string): Record<string, SQL> => ({
  states: sql`select contact_id, stage, stage_since, furthest_stage, detour, owner_rep_id, owner_team_id,
                     next_due_at, state, agreement_version, updated_at
                from contact_states where workspace_id = ${workspaceId} order by contact_id`,
  scores: sql`select contact_id, fit, interest, quadrant, fit_grade, explanation, agreement_version, computed_at
                from scores where workspace_id = ${workspaceId} order by contact_id`,
  transitions: sql`select contact_id, id, from_stage, to_stage, occurred_at, cause, actor, rule_id, reason
                     from stage_transitions where workspace_id = ${workspaceId} and external_id like 'engine:%'
                    order by contact_id, id`,
  assignments: sql`select * from assignments where workspace_id = ${workspaceId} order by contact_id, id`,
  clocks: sql`select * from sla_clocks where workspace_id = ${workspaceId} order by contact_id, id`,
  alerts: sql`select * from engine_alerts where workspace_id = ${workspaceId} order by contact_id, id`,
  owners: sql`select * from account_owners where workspace_id = ${workspaceId} order by account_id`,
  cursor: sql`select cursor, routing, agreement_version from engine_states where workspace_id = ${workspaceId}`,
});

async function snapshot(deps: Deps, workspaceId: string) {
  const tables: Record<string, unknown[]> = {};
  for (const [name, query] of Object.entries(derived(workspaceId))) {
    tables[name] = ((await deps.database.db.execute(query)) as unknown as { rows: unknown[] }).rows;
  }
  return tables;
}

describe('replayEngine', () => {
  let deps: Deps & { close(): Promise<void> };
  let workspaceId: string;
  let live: Record<string, unknown[]>;
  const now = new Date('2027-03-01T00:00:00Z');

  beforeAll(async () => {
    deps = await openTestDeps({ clock: () => now });
    ({ workspaceId } = await createWorkspace({ name: 'Replay chunks', createdBy: 'test' }, deps));
    const agreement = (await deps.repos.agreementVersions.findLatest(workspaceId))?.parsed as Agreement;
    const simulation = simulate({
      contacts: 40,
      months: 3,
      seed: 11,
      start: new Date('2026-11-01T00:00:00Z'),
      agreement,
    });
    await loadSimulatedFacts({ workspaceId, facts: simulation.facts }, deps);
    await runEngineUntilCaughtUp(deps, { workspaceId, maxSteps: 37 });
    live = await snapshot(deps, workspaceId);
  });
  afterAll(async () => {
    await deps?.close();
  });

  test('gives the live rows whatever the chunk: reads, writes and state writes pipelined across chunks', async () => {
    expect(live.states?.length).toBeGreaterThan(30);
    expect(live.transitions?.length).toBeGreaterThan(live.states?.length ?? 0);
    for (const chunk of [7, 64, 20_000]) {
      const progress: ReplayProgress[] = [];
      const result = await replayEngine(deps, {
        workspaceId,
        chunk,
        onProgress: (step) => progress.push(step),
      });
      expect(result.contacts).toBe(live.states?.length);
      expect(result.transitions).toBe(live.transitions?.length);
      expect(await snapshot(deps, workspaceId)).toEqual(live);
      // Progress after every chunk, in order, ending at the horizon with every fact counted.
      const last = progress.at(-1);
      expect(last?.through).toBe(last?.horizon);
      expect(last?.steps).toBe(result.steps);
      if (chunk === 7) expect(progress.length).toBeGreaterThan(result.steps / 7 - 1);
      for (const [index, step] of progress.entries()) {
        if (index > 0) expect(step.through).toBeGreaterThan(progress[index - 1]?.through ?? 0);
      }
    }
  });

  test('a failure in the middle leaves the rows as they were', async () => {
    await expect(
      replayEngine(deps, {
        workspaceId,
        chunk: 50,
        onProgress: ({ steps }) => {
          if (steps > 200) throw new Error('stopped on purpose');
        },
      }),
    ).rejects.toThrow('stopped on purpose');
    expect(await snapshot(deps, workspaceId)).toEqual(live);
  });

  test("a write the database refuses is the error reported, not the next statement's", async () => {
    // Inserting transitions fails from the start; reads and other writes are queued behind that write.
    await deps.database.db.execute(
      sql`create function test_refuse_transitions() returns trigger language plpgsql as $$
          begin raise exception 'transitions refused for the test'; end $$`,
    );
    await deps.database.db.execute(
      sql`create trigger test_refuse_transitions before insert on stage_transitions
          for each statement execute function test_refuse_transitions()`,
    );
    try {
      const error = await replayEngine(deps, { workspaceId, chunk: 3 }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      // The driver's error for the refused statement is the cause of the query's error.
      const cause = (error as { cause?: { message?: string } } | undefined)?.cause?.message;
      expect(cause ?? String(error)).toContain('transitions refused for the test');
    } finally {
      await deps.database.db.execute(sql`drop trigger test_refuse_transitions on stage_transitions`);
      await deps.database.db.execute(sql`drop function test_refuse_transitions()`);
    }
    expect(await snapshot(deps, workspaceId)).toEqual(live);
  });
});
