import type { Deps } from '../../deps.ts';

export type WorkspaceMetrics = {
  workspaceId: string;
  slug: string;
  slaBreaches: number;
  slaOpenClocks: number;
  /** Facts stored that the engine has not processed yet. */
  enginePendingFacts: number;
  /** Seconds since the engine last stored a batch while facts are pending; 0 when caught up. */
  engineLagSeconds: number;
};

/** The database-backed series of `/metrics`, for one workspace or (no id) every workspace. */
export async function collectWorkspaceGauges(
  options: { workspaceId?: string },
  deps: Pick<Deps, 'repos' | 'clock'>,
): Promise<WorkspaceMetrics[]> {
  const now = deps.clock().getTime();
  const gauges = await deps.repos.metrics.workspaceGauges(options.workspaceId);
  const collected: WorkspaceMetrics[] = [];
  for (const gauge of gauges) {
    const pending = await deps.repos.engine.countPending(gauge.workspaceId, gauge.engineCursor);
    collected.push({
      workspaceId: gauge.workspaceId,
      slug: gauge.slug,
      slaBreaches: gauge.slaBreaches,
      slaOpenClocks: gauge.slaOpenClocks,
      enginePendingFacts: pending,
      engineLagSeconds:
        pending === 0 ? 0 : Math.max(0, (now - (gauge.engineUpdatedAt?.getTime() ?? now)) / 1000),
    });
  }
  return collected;
}
