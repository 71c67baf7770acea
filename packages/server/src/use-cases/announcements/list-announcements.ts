import type { Deps } from '../../deps.ts';
import {
  type Announcement,
  parseDateField,
  toAnnouncement,
  workspaceTimezone,
} from './announcement-input.ts';

const maxListed = 500;

/**
 * The announcements taking effect in [from, to) (dates in the agreement's time zone; either bound
 * optional), oldest effect first, withdrawn ones only when asked; at most 500.
 */
export async function listAnnouncements(
  options: { workspaceId: string; from?: string; to?: string; includeWithdrawn?: boolean },
  deps: Pick<Deps, 'repos'>,
): Promise<Announcement[]> {
  const timezone = await workspaceTimezone(deps.repos, options.workspaceId);
  const rows = await deps.repos.announcements.list(options.workspaceId, {
    ...(options.from === undefined ? {} : { from: parseDateField('from', options.from, timezone) }),
    ...(options.to === undefined ? {} : { to: parseDateField('to', options.to, timezone) }),
    includeWithdrawn: options.includeWithdrawn ?? false,
    limit: maxListed,
  });
  return rows.map(toAnnouncement);
}
