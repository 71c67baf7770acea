import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { withRepos } from '../with-repos.ts';
import { type Announcement, toAnnouncement } from './announcement-input.ts';

/**
 * Withdraws an announcement: it stays stored (and listed with `includeWithdrawn`) but no longer
 * reaches the dashboard or the brief. Withdrawing it again answers it unchanged.
 */
export async function withdrawAnnouncement(
  options: { workspaceId: string; id: string; withdrawnBy: string },
  deps: Pick<Deps, 'repos' | 'clock'> & Partial<Pick<Deps, 'database'>>,
): Promise<Announcement> {
  const now = deps.clock();
  return withRepos(deps, async (repos) => {
    const existing = await repos.announcements.find(options.workspaceId, options.id);
    if (existing === undefined) {
      throw new AppError('NOT_FOUND', {
        message: `No announcement ${options.id} in this workspace.`,
        details: { id: options.id },
      });
    }
    if (existing.withdrawnAt !== null) return toAnnouncement(existing);
    const row = await repos.announcements.update(options.workspaceId, options.id, {
      withdrawnAt: now,
      updatedAt: now,
    });
    if (row === undefined)
      throw new Error(`the announcement ${options.id} disappeared while being withdrawn`);
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.withdrawnBy,
      action: 'announcement.withdraw',
      target: row.id,
      detail: { title: row.title },
      at: now,
    });
    return toAnnouncement(row);
  });
}
