import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { withRepos } from '../with-repos.ts';
import {
  type Announcement,
  type AnnouncementInput,
  checkAnnouncementInput,
  toAnnouncement,
  workspaceTimezone,
} from './announcement-input.ts';

/** Publishes an announcement (effective now unless a date is given), audited with who wrote it. */
export async function createAnnouncement(
  options: { workspaceId: string; input: AnnouncementInput; createdBy: string },
  deps: Pick<Deps, 'repos' | 'clock'> & Partial<Pick<Deps, 'database'>>,
): Promise<Announcement> {
  const { input } = options;
  if (input.kind === undefined || input.title === undefined) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'An announcement needs a kind and a title.',
      details: { field: input.kind === undefined ? 'kind' : 'title' },
    });
  }
  const now = deps.clock();
  return withRepos(deps, async (repos) => {
    const checked = checkAnnouncementInput(input, await workspaceTimezone(repos, options.workspaceId));
    const row = await repos.announcements.create({
      workspaceId: options.workspaceId,
      id: createUuidV7(now),
      kind: checked.kind ?? 'other',
      title: checked.title ?? '',
      body: checked.body ?? '',
      link: checked.link ?? null,
      effectiveAt: checked.effectiveAt ?? now,
      createdAt: now,
      createdBy: options.createdBy,
      updatedAt: now,
    });
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.createdBy,
      action: 'announcement.create',
      target: row.id,
      detail: { kind: row.kind, title: row.title, effectiveAt: row.effectiveAt.toISOString() },
      at: now,
    });
    return toAnnouncement(row);
  });
}
