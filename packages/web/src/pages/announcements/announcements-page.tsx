import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, query } from '../../api/client.ts';
import type { Announcement } from '../../api/collaboration-types.ts';
import { AnnouncementSummary } from '../../components/announcements/announcement-item.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/status.tsx';
import { canEditShared } from '../../session/collaboration-permissions.ts';
import { useSession } from '../../session/session-context.tsx';
import { useApi } from '../../use-api.ts';
import '../collaboration.css';
import { AnnouncementForm } from './announcement-form.tsx';

const weekLabel = new Intl.DateTimeFormat('en-US', { month: 'long', day: 'numeric', year: 'numeric' });

/** The Monday (local time) of the week an instant falls in, as a sortable key and a label. */
function weekOf(iso: string): { key: string; label: string } {
  const at = new Date(iso);
  const monday = new Date(at.getFullYear(), at.getMonth(), at.getDate() - ((at.getDay() + 6) % 7));
  const key = `${monday.getFullYear()}-${String(monday.getMonth() + 1).padStart(2, '0')}-${String(monday.getDate()).padStart(2, '0')}`;
  return { key, label: `Week of ${weekLabel.format(monday)}` };
}

/**
 * News both teams should know — product features, campaigns, promotions, events — by the week
 * they take effect, newest first. Both teams publish, edit and withdraw; everyone reads.
 */
export function AnnouncementsPage() {
  const session = useSession();
  const mayEdit = canEditShared(session.user.role);
  const [params, setParams] = useSearchParams();
  const withdrawn = params.get('withdrawn') === 'true';
  const list = useApi<{ announcements: Announcement[] }>(
    `/api/v1/announcements${query({ includeWithdrawn: withdrawn ? 'true' : undefined })}`,
  );
  const [editing, setEditing] = useState<string | 'new'>();
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string }>();
  const thisWeek = weekOf(new Date().toISOString()).key;

  const weeks = new Map<string, { label: string; items: Announcement[] }>();
  for (const announcement of [...(list.data?.announcements ?? [])].reverse()) {
    const week = weekOf(announcement.effectiveAt);
    const entry = weeks.get(week.key) ?? { label: week.label, items: [] };
    entry.items.push(announcement);
    weeks.set(week.key, entry);
  }

  // The list is fetched again before the confirmation shows, so what it confirms is on the page.
  const afterSave = async (text: string) => {
    await list.reload();
    setEditing(undefined);
    setMessage({ kind: 'success', text });
  };

  return (
    <section aria-labelledby="announcements-title" className="announcements-page">
      <div className="page-header">
        <div>
          <h1 id="announcements-title">Announcements</h1>
          <p className="muted">
            Product features, campaigns and promotions both teams should know about, by week.
          </p>
        </div>
        <div className="page-header-actions">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={withdrawn}
              onChange={(event) => {
                const next = new URLSearchParams(params);
                if (event.target.checked) next.set('withdrawn', 'true');
                else next.delete('withdrawn');
                setParams(next, { replace: true });
              }}
            />
            Show withdrawn
          </label>
          {mayEdit && editing !== 'new' && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => {
                setMessage(undefined);
                setEditing('new');
              }}
            >
              New announcement
            </button>
          )}
        </div>
      </div>
      {message && (
        <p className={message.kind === 'success' ? 'form-success' : 'form-error'} role="status">
          {message.text}
        </p>
      )}
      {editing === 'new' && (
        <article className="card announcement-card">
          <h2>New announcement</h2>
          <AnnouncementForm
            onSaved={(saved) => void afterSave(`Published “${saved.title}”.`)}
            onCancel={() => setEditing(undefined)}
          />
        </article>
      )}
      {list.status === 'failed' && !list.data ? (
        <ErrorMessage error={list.error} onRetry={() => void list.reload()} />
      ) : !list.data ? (
        <Loading label="Loading the announcements…" />
      ) : weeks.size === 0 ? (
        <Empty title="No announcements yet">
          {mayEdit
            ? 'Publish the first: a launch, a campaign or a promotion both teams should know.'
            : 'Nothing has been announced.'}
        </Empty>
      ) : (
        <div className="announcement-weeks">
          {[...weeks.entries()].map(([key, week]) => (
            <section key={key} aria-labelledby={`week-${key}`} className="announcement-week">
              <h2 id={`week-${key}`}>
                {week.label}
                {key === thisWeek && <span className="badge stage">this week</span>}
              </h2>
              <ul className="announcement-list">
                {week.items.map((announcement) => (
                  <li key={announcement.id} className="card announcement-card">
                    {editing === announcement.id ? (
                      <AnnouncementForm
                        announcement={announcement}
                        onSaved={(saved) => void afterSave(`Saved “${saved.title}”.`)}
                        onCancel={() => setEditing(undefined)}
                      />
                    ) : (
                      <>
                        <AnnouncementSummary announcement={announcement} />
                        <p className="muted small announcement-meta">By {announcement.createdBy}</p>
                        {mayEdit && !announcement.withdrawnAt && (
                          <div className="persona-actions">
                            <button
                              type="button"
                              className="button"
                              aria-label={`Edit ${announcement.title}`}
                              onClick={() => {
                                setMessage(undefined);
                                setEditing(announcement.id);
                              }}
                            >
                              Edit
                            </button>
                            <button
                              type="button"
                              className="button button-quiet"
                              aria-label={`Withdraw ${announcement.title}`}
                              onClick={async () => {
                                if (
                                  !window.confirm(
                                    `Withdraw “${announcement.title}”? It stays in the record but is no longer shown.`,
                                  )
                                )
                                  return;
                                try {
                                  await api.post(
                                    `/api/v1/announcements/${encodeURIComponent(announcement.id)}/withdraw`,
                                    {},
                                  );
                                  await afterSave(`Withdrew “${announcement.title}”.`);
                                } catch (error) {
                                  setMessage({
                                    kind: 'error',
                                    text: error instanceof Error ? error.message : String(error),
                                  });
                                }
                              }}
                            >
                              Withdraw
                            </button>
                          </div>
                        )}
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
    </section>
  );
}
