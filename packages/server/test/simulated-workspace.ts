import { type Agreement, simulate } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import type { Deps } from '../src/deps.ts';
import { loadSimulatedFacts } from '../src/use-cases/demo/load-simulated-facts.ts';
import { runEngineUntilCaughtUp } from '../src/use-cases/engine/run-engine.ts';
import { createWorkspace } from '../src/use-cases/workspaces/create-workspace.ts';

/**
 * A workspace holding the simulator's months from January 2027 under the default agreement, with
 * the engine caught up and statistics fresh (what the ingest writer's refresh does as a workspace
 * grows; PGlite has no autovacuum): the second world of the tests that check a database path
 * against core's.
 */
export async function simulatedWorkspace(
  deps: Deps,
  name: string,
  options: { contacts: number; seed: number; months?: number },
): Promise<string> {
  const { workspaceId } = await createWorkspace({ name, createdBy: 'test' }, deps);
  const agreement = (await deps.repos.agreementVersions.findLatest(workspaceId))?.parsed as Agreement;
  const simulation = simulate({
    contacts: options.contacts,
    months: options.months ?? 5,
    seed: options.seed,
    start: new Date('2027-01-01T00:00:00Z'),
    agreement,
  });
  await loadSimulatedFacts({ workspaceId, facts: simulation.facts }, deps);
  await runEngineUntilCaughtUp(deps, { workspaceId });
  await deps.database.db.execute(sql`analyze`);
  return workspaceId;
}
