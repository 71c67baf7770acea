import { useState } from 'react';
import { Link } from 'react-router';
import { query } from '../../api/client.ts';
import type { Announcement } from '../../api/collaboration-types.ts';
import { useApi } from '../../use-api.ts';
import { kindLabel } from './announcement-item.tsx';
import '../../pages/collaboration.css';

const dayMs = 86_400_000;
const storageKey = 'smarketing.dismissed-announcements';

function readDismissed(): string[] {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey) ?? '[]') as unknown;
    return Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Under the top bar on every page: the newest announcement that took effect in the last week and
 * that this browser has not dismissed, so news reaches reps who live in their queue too.
 */
export function AnnouncementBanner() {
  // The window is fixed when the shell mounts: one request per sign-in, not per page.
  const [since] = useState(() => new Date(Date.now() - 7 * dayMs).toISOString().slice(0, 10));
  const [until] = useState(() => new Date(Date.now() + dayMs).toISOString());
  const answer = useApi<{ announcements: Announcement[] }>(
    `/api/v1/announcements${query({ from: since, to: until })}`,
  );
  const [dismissed, setDismissed] = useState(readDismissed);
  const now = Date.now();
  const fresh = (answer.data?.announcements ?? []).filter(
    (announcement) =>
      new Date(announcement.effectiveAt).getTime() <= now && !dismissed.includes(announcement.id),
  );
  const newest = fresh.at(-1);
  if (!newest) return null;
  return (
    <aside className="announcement-banner" aria-label="Latest announcement">
      <span className={`badge announcement-kind kind-${newest.kind}`}>{kindLabel(newest.kind)}</span>
      <strong className="announcement-banner-title">{newest.title}</strong>
      {fresh.length > 1 && <span className="muted small">and {fresh.length - 1} more this week</span>}
      <Link to="/announcements" className="small">
        Read the announcements
      </Link>
      <button
        type="button"
        className="button button-quiet announcement-banner-close"
        aria-label={`Dismiss “${newest.title}”`}
        onClick={() => {
          const next = [...dismissed, newest.id].slice(-200);
          setDismissed(next);
          try {
            localStorage.setItem(storageKey, JSON.stringify(next));
          } catch {
            // Private browsing without storage: dismissed for this visit only.
          }
        }}
      >
        ✕
      </button>
    </aside>
  );
}
