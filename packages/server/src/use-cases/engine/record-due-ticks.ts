import type { Deps } from '../../deps.ts';
import { createRepositories } from '../../repositories/index.ts';

/**
 * The scheduler's step: for every workspace with a contact timer due by `at` (an SLA deadline,
 * an at-risk warning, an escalation, a return from a detour, a quadrant change by decay), stores
 * a tick at `at` in the engine's order. The engine fires the timers when it reaches the tick, so
 * a replay fires them at the same place. Answers the workspaces ticked.
 */
export async function recordDueTicks(
  deps: Pick<Deps, 'database' | 'repos'>,
  options: { at: Date },
): Promise<string[]> {
  const workspaces = await deps.repos.engine.findWorkspacesWithDueTimers(options.at);
  for (const workspaceId of workspaces) {
    await deps.database.db.transaction(async (tx) => {
      const repos = createRepositories(tx);
      // Under the workspace's ingest lock, so the tick's seq is in commit order with the facts'.
      await repos.ingest.lockWorkspace(workspaceId);
      await repos.engine.appendTick(workspaceId, options.at);
    });
  }
  return workspaces;
}
