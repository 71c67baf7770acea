import type { Announcement, AnnouncementKind } from '../../api/collaboration-types.ts';

const kindLabels: Record<AnnouncementKind, string> = {
  product: 'Product',
  campaign: 'Campaign',
  promotion: 'Promotion',
  event: 'Event',
  other: 'News',
};

export function kindLabel(kind: AnnouncementKind): string {
  return kindLabels[kind];
}

const day = new Intl.DateTimeFormat('en-US', { weekday: 'short', month: 'short', day: 'numeric' });

function formatDay(iso: string): string {
  return day.format(new Date(iso));
}

/** Only http(s) links are shown as links. */
function safeLink(link: string | null): string | undefined {
  if (!link) return undefined;
  try {
    const url = new URL(link);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** One announcement as everyone reads it: kind, title, when, what, and its link. */
export function AnnouncementSummary({
  announcement,
  compact,
}: {
  announcement: Pick<Announcement, 'kind' | 'title' | 'body' | 'link' | 'effectiveAt'> & {
    withdrawnAt?: string | null;
  };
  compact?: boolean;
}) {
  const link = safeLink(announcement.link);
  return (
    <div className={`announcement announcement-${announcement.kind}`}>
      <div className="announcement-head">
        <span className={`badge announcement-kind kind-${announcement.kind}`}>
          {kindLabel(announcement.kind)}
        </span>
        <strong className="announcement-title">{announcement.title}</strong>
        <span className="muted small">{formatDay(announcement.effectiveAt)}</span>
        {announcement.withdrawnAt && <span className="badge detour">withdrawn</span>}
      </div>
      {announcement.body && (
        <p className={compact ? 'announcement-body announcement-body-compact' : 'announcement-body'}>
          {announcement.body}
        </p>
      )}
      {link && (
        <a
          href={link}
          target="_blank"
          rel="noreferrer noopener"
          className="small"
          aria-label={compact ? `More about ${announcement.title}` : undefined}
        >
          {compact ? 'More' : link}
        </a>
      )}
    </div>
  );
}
