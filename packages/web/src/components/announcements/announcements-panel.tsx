import { Link } from 'react-router';
import { query } from '../../api/client.ts';
import type { Announcement } from '../../api/collaboration-types.ts';
import { useApi } from '../../use-api.ts';
import { Loading } from '../status.tsx';
import { AnnouncementSummary } from './announcement-item.tsx';
import '../../pages/collaboration.css';

const dayMs = 86_400_000;

function isoDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** For the home page: what took effect in the last week and what is coming in the next two. */
export function AnnouncementsPanel() {
  const now = Date.now();
  const from = isoDate(now - 7 * dayMs);
  const to = isoDate(now + 15 * dayMs);
  const answer = useApi<{ announcements: Announcement[] }>(`/api/v1/announcements${query({ from, to })}`);
  return (
    <article className="card announcements-panel" aria-labelledby="announcements-panel-title">
      <div className="announcements-panel-head">
        <h2 id="announcements-panel-title">Announcements</h2>
        <Link to="/announcements" className="small">
          All announcements
        </Link>
      </div>
      {answer.status === 'failed' ? (
        <p className="muted small">Announcements could not be loaded: {answer.error.message}</p>
      ) : !answer.data ? (
        <Loading />
      ) : answer.data.announcements.length === 0 ? (
        <p className="muted">Nothing announced for this week or the next two.</p>
      ) : (
        <ul className="announcement-list">
          {[...answer.data.announcements].reverse().map((announcement) => (
            <li key={announcement.id}>
              <AnnouncementSummary announcement={announcement} compact />
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
