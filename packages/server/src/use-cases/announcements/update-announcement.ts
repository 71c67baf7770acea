import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { withRepos } from '../with-repos.ts';
import {
  type Announcement,
  type AnnouncementInput,
  checkAnnouncementInput,
  toAnnouncement,
  workspaceTimezone,
} from './announcement-input.ts';

/**
 * Edits an announcement's kind, title, body, link or effective date (only the fields given); the
 * audit entry records each changed field before and after. A withdrawn one cannot be edited.
 */
export async function updateAnnouncement(
  options: { workspaceId: string; id: string; input: AnnouncementInput; updatedBy: string },
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
    if (existing.withdrawnAt !== null) {
      throw new AppError('CONFLICT', {
        message: `The announcement ${options.id} was withdrawn at ${existing.withdrawnAt.toISOString()}; it cannot be edited.`,
        details: { id: options.id },
      });
    }
    const checked = checkAnnouncementInput(
      options.input,
      await workspaceTimezone(repos, options.workspaceId),
    );
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    for (const [field, after] of Object.entries(checked)) {
      const before = existing[field as keyof typeof checked];
      const same =
        before instanceof Date && after instanceof Date
          ? before.getTime() === after.getTime()
          : before === after;
      if (!same) changes[field] = { before, after };
    }
    if (Object.keys(changes).length === 0) return toAnnouncement(existing);
    const row = await repos.announcements.update(options.workspaceId, options.id, {
      ...checked,
      updatedAt: now,
    });
    if (row === undefined) throw new Error(`the announcement ${options.id} disappeared while being edited`);
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.updatedBy,
      action: 'announcement.update',
      target: row.id,
      detail: { changes },
      at: now,
    });
    return toAnnouncement(row);
  });
}
