import type { Deps } from '../../deps.ts';
import type { AuditEntry } from '../../repositories/audit.repository.ts';

export type AuditView = Omit<AuditEntry, 'workspaceId'>;

/** The workspace's audit log, newest first. */
export async function listAudit(
  options: { workspaceId: string; since?: Date; before?: Date; action?: string; limit?: number },
  deps: Pick<Deps, 'repos'>,
): Promise<AuditView[]> {
  const rows = await deps.repos.audit.list(options.workspaceId, {
    ...(options.since === undefined ? {} : { since: options.since }),
    ...(options.before === undefined ? {} : { before: options.before }),
    ...(options.action === undefined ? {} : { action: options.action }),
    limit: Math.min(Math.max(options.limit ?? 100, 1), 10_000),
  });
  return rows.map(({ workspaceId: _, ...entry }) => entry);
}
