import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import type { TimelinePosition, TimelineRow } from '../../repositories/timeline.repository.ts';

export type TimelinePage = {
  contactId: string;
  entries: TimelineRow[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: string | null;
};

/** The cursor is opaque to clients: the last entry's time, source and id, base64url. */
function encodeTimelineCursor(position: TimelinePosition): string {
  return Buffer.from(
    `${position.occurredAt.toISOString()}|${position.source}|${position.id}`,
    'utf8',
  ).toString('base64url');
}

function decodeTimelineCursor(cursor: string): TimelinePosition {
  const [at, source, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const occurredAt = new Date(at ?? '');
  if (!source || !id || rest.length > 0 || Number.isNaN(occurredAt.getTime())) {
    throw new AppError('VALIDATION_FAILED', {
      message: '`before` is not a cursor this API gave out.',
      details: { field: 'before' },
    });
  }
  return { occurredAt, source, id };
}

/**
 * A contact's whole history on one list, newest first: page views, track and identify calls,
 * touches, stage transitions, feedback and deal events, of the contact and every contact merged
 * into it. NOT_FOUND when the id is not a contact of this workspace; a merged contact's id
 * answers its survivor's timeline.
 */
export async function listTimeline(
  options: { workspaceId: string; contactId: string; limit: number; before?: string | undefined },
  deps: Pick<Deps, 'repos'>,
): Promise<TimelinePage> {
  const before = options.before === undefined ? undefined : decodeTimelineCursor(options.before);
  const family = await deps.repos.contactWrites.findFamily(options.workspaceId, options.contactId);
  if (!family) {
    throw new AppError('NOT_FOUND', {
      message: `Contact ${options.contactId} does not exist in this workspace.`,
      details: { contactId: options.contactId },
    });
  }
  const entries = await deps.repos.timeline.list(options.workspaceId, family.members, {
    limit: options.limit + 1,
    before,
  });
  const page = entries.slice(0, options.limit);
  const last = page.at(-1);
  return {
    contactId: family.survivor,
    entries: page,
    nextBefore: entries.length > options.limit && last ? encodeTimelineCursor(last) : null,
  };
}
