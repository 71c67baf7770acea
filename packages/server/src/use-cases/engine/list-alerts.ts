import type { Deps } from '../../deps.ts';

export type AlertView = { contactId: string; id: string; kind: string; at: Date; detail: unknown };

/** The engine's alerts of a workspace, newest first. */
export async function listAlerts(
  options: { workspaceId: string; since?: Date; kinds?: string[]; limit: number },
  deps: Pick<Deps, 'repos'>,
): Promise<AlertView[]> {
  const rows = await deps.repos.engine.listAlerts(options.workspaceId, options);
  return rows.map((row) => ({
    contactId: String(row.contact_id),
    id: String(row.id),
    kind: String(row.kind),
    at: new Date(row.at as string),
    detail: row.detail,
  }));
}
