import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, query } from '../api/client.ts';
import type { ContactView, LeadStatus, TimelineEntry, TimelinePage } from '../api/types.ts';
import { ClockBadge, QuadrantBadge, StageBadge } from '../components/badges.tsx';
import { Countdown } from '../components/countdown.tsx';
import { ExplanationBars } from '../components/explanation-bars.tsx';
import { Empty, ErrorMessage, Loading } from '../components/status.tsx';
import { TimelineList } from '../components/timeline-list.tsx';
import { formatDateTime, formatNumber, humanize } from '../format.ts';
import { navigationFor } from '../navigation.ts';
import { canWriteFacts, useSession } from '../session/session-context.tsx';
import { labelsOf, repsOf, useAgreement } from '../use-agreement.ts';
import { useApi } from '../use-api.ts';
import { LeadActions } from './lead-actions.tsx';

const text = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
const pageSize = 50;

function nameOf(contact: ContactView): string {
  const traits = contact.traits;
  return (
    text(traits.name) ??
    ([text(traits.firstName), text(traits.lastName)].filter(Boolean).join(' ') ||
      contact.email ||
      'Unnamed contact')
  );
}

/** What the engine decides about a lead, to tell when it has acted on a new fact. */
function signatureOf(lead: LeadStatus | null): string {
  if (!lead) return 'none';
  return JSON.stringify([
    lead.stage,
    lead.detour?.id,
    lead.clock?.status,
    lead.clock?.stoppedAt,
    lead.owner?.repId,
  ]);
}

/** `touch:call` → "by a call", `feedback:accept` → "by the rep's accept", `merged` → "merged". */
function describeStop(cause: string): string {
  const [kind, detail] = cause.split(':', 2);
  if (kind === 'touch' && detail) return `by ${/^[aeiou]/.test(detail) ? 'an' : 'a'} ${detail}`;
  if (kind === 'feedback' && detail) return `by the rep's ${detail}`;
  return `(${cause})`;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One lead on one page: who, why now, the SLA clock, the whole history, and what to do. */
export function LeadPage() {
  const { contactId = '' } = useParams();
  const session = useSession();
  const contact = useApi<ContactView>(`/api/v1/contacts/${encodeURIComponent(contactId)}`);
  const current = useAgreement();
  const agreement = current?.agreement;
  const labels = labelsOf(agreement);
  const timeline = useTimeline(contactId);

  const onRecorded = useCallback(
    async (kind: 'touch' | 'feedback') => {
      const before = signatureOf(contact.data?.lead ?? null);
      const expectsChange = kind === 'feedback' || contact.data?.lead?.clock?.status === 'open';
      // The engine processes the fact within about 100 ms: refetch until it has, for up to 5 s.
      for (let attempt = 0; attempt < 25; attempt++) {
        const fresh = await contact.reload();
        if (!expectsChange || (fresh && signatureOf(fresh.lead) !== before)) break;
        await wait(200);
      }
      await timeline.refresh();
    },
    [contact, timeline],
  );

  if (contact.status === 'failed' && !contact.data) {
    return <ErrorMessage error={contact.error} onRetry={() => void contact.reload()} />;
  }
  if (!contact.data) return <Loading label="Loading the lead…" />;

  const view = contact.data;
  const lead = view.lead;
  const repId = session.user.repId ?? lead?.owner?.repId ?? null;
  const reps = repsOf(agreement);
  const repName = (id: string | null | undefined) =>
    reps.find((rep) => rep.id === id)?.name ?? id ?? 'nobody';
  const personaLabels = (lead?.fit.personas ?? []).map(
    (id) => agreement?.personas.find((persona) => persona.id === id)?.label ?? humanize(id),
  );
  const company = text(view.traits.company) ?? view.account?.name;
  const title = text(view.traits.title);
  const latestAssignment = lead?.assignments.at(-1);

  return (
    <article className="lead" aria-labelledby="lead-name">
      {navigationFor(session.user.role).some((entry) => entry.to === '/queue') && (
        <nav aria-label="Breadcrumb" className="breadcrumb">
          <Link to="/queue">← Queue</Link>
        </nav>
      )}
      <header className="lead-header">
        <div>
          <h1 id="lead-name">{nameOf(view)}</h1>
          <p className="lead-subtitle">
            {[title, company].filter(Boolean).join(' at ')}
            {view.email && (
              <>
                {title || company ? ' · ' : ''}
                <a href={`mailto:${view.email}`}>{view.email}</a>
              </>
            )}
          </p>
        </div>
        {lead && (
          <div className="lead-badges">
            <StageBadge stage={lead.stage} label={labels(lead.stage)} />
            {lead.detour && <span className="badge detour">{labels(lead.detour.id)}</span>}
            <QuadrantBadge quadrant={lead.quadrant} />
          </div>
        )}
      </header>

      {!lead ? (
        <Empty title="The engine has not scored this contact yet.">
          It will within moments of its first fact.
        </Empty>
      ) : (
        <div className="lead-grid">
          <div className="lead-main">
            <section className="card" aria-labelledby="why-title">
              <h2 id="why-title">Why now</h2>
              <div className="scores">
                <div className="score">
                  <span className="score-label">Fit</span>
                  <span className="score-value">
                    {lead.fit.grade} <small>{formatNumber(lead.fit.score)}</small>
                  </span>
                </div>
                <div className="score">
                  <span className="score-label">Interest</span>
                  <span className="score-value">{formatNumber(lead.interest.score)}</span>
                </div>
                <div className="score">
                  <span className="score-label">Quadrant</span>
                  <span className="score-value">
                    <QuadrantBadge quadrant={lead.quadrant} />
                  </span>
                </div>
              </div>
              <div className="explanations">
                <div>
                  <h3>Fit: who they are</h3>
                  <ExplanationBars contributions={lead.fit.explanation} label="What makes up the fit score" />
                </div>
                <div>
                  <h3>Interest: what they did</h3>
                  <ExplanationBars
                    contributions={lead.interest.explanation}
                    label="What makes up the interest score"
                  />
                </div>
              </div>
            </section>

            <section className="card" aria-labelledby="timeline-title">
              <h2 id="timeline-title">
                History <span className="muted small">{view.activities.count} activities, newest first</span>
              </h2>
              {timeline.entries === undefined ? (
                timeline.error ? (
                  <ErrorMessage error={timeline.error} onRetry={() => void timeline.refresh()} />
                ) : (
                  <Loading label="Loading the history…" />
                )
              ) : timeline.entries.length === 0 ? (
                <Empty title="No history yet." />
              ) : (
                <>
                  <TimelineList entries={timeline.entries} labels={labels} />
                  {timeline.nextBefore && (
                    <button
                      type="button"
                      className="button button-quiet"
                      disabled={timeline.loadingMore}
                      onClick={() => void timeline.loadMore()}
                    >
                      {timeline.loadingMore ? 'Loading…' : 'Show older'}
                    </button>
                  )}
                </>
              )}
            </section>
          </div>

          <aside className="lead-side">
            <section className="card" aria-labelledby="clock-title">
              <h2 id="clock-title">SLA clock</h2>
              {lead.clock === null ? (
                <p className="muted">No clock: this lead was not handed to sales.</p>
              ) : (
                <dl className="facts" data-clock-status={lead.clock.status}>
                  <dt>Status</dt>
                  <dd>
                    <ClockBadge status={lead.clock.status} />
                  </dd>
                  {lead.clock.status === 'open' && (
                    <>
                      <dt>Time left</dt>
                      <dd>
                        <Countdown deadline={lead.clock.deadlineAt} />
                      </dd>
                    </>
                  )}
                  <dt>Deadline</dt>
                  <dd>
                    {formatDateTime(lead.clock.deadlineAt)}
                    {lead.clock.businessHours && <span className="muted"> (business hours)</span>}
                  </dd>
                  <dt>Started</dt>
                  <dd>{formatDateTime(lead.clock.startedAt)}</dd>
                  {lead.clock.stoppedAt && (
                    <>
                      <dt>Stopped</dt>
                      <dd>
                        {formatDateTime(lead.clock.stoppedAt)}
                        {lead.clock.stopCause && (
                          <span className="muted"> {describeStop(lead.clock.stopCause)}</span>
                        )}
                      </dd>
                    </>
                  )}
                  {lead.clock.breachedAt && (
                    <>
                      <dt>Missed</dt>
                      <dd>{formatDateTime(lead.clock.breachedAt)}</dd>
                    </>
                  )}
                </dl>
              )}
            </section>

            {canWriteFacts(session.user.role) &&
              (repId === null ? (
                <p className="notice">This lead has no owner and you are not a rep: nothing to log as.</p>
              ) : (
                <LeadActions
                  contactId={view.id}
                  repId={repId}
                  agreement={agreement}
                  onRecorded={onRecorded}
                />
              ))}

            <section className="card" aria-labelledby="who-title">
              <h2 id="who-title">Who</h2>
              <dl className="facts">
                <dt>Owner</dt>
                <dd>
                  {lead.owner ? repName(lead.owner.repId) : 'Marketing'}
                  {lead.owner && <span className="muted"> since {formatDateTime(lead.owner.since)}</span>}
                </dd>
                {latestAssignment && (
                  <>
                    <dt>Routed</dt>
                    <dd className="small">{latestAssignment.reason}</dd>
                  </>
                )}
                <dt>Persona</dt>
                <dd>
                  {personaLabels.length > 0 ? (
                    personaLabels.join(', ')
                  ) : (
                    <span className="muted">none matched</span>
                  )}
                </dd>
                <dt>Stage</dt>
                <dd>
                  {labels(lead.stage)}
                  {lead.stageSince && <span className="muted"> since {formatDateTime(lead.stageSince)}</span>}
                </dd>
              </dl>
            </section>

            {view.account && (
              <section className="card" aria-labelledby="account-title">
                <h2 id="account-title">Account: {view.account.name}</h2>
                {lead.account ? (
                  <>
                    <p className="account-summary">
                      <QuadrantBadge quadrant={lead.account.quadrant} /> fit {lead.account.fitGrade} (
                      {formatNumber(lead.account.fit)}), interest {formatNumber(lead.account.interest)} across{' '}
                      {lead.account.contacts} {lead.account.contacts === 1 ? 'contact' : 'contacts'}
                    </p>
                    <ExplanationBars
                      contributions={lead.account.explanation.map((contribution) => ({
                        ...contribution,
                        label: contribution.label.replace(
                          /^Contact [0-9a-f-]{36}$/,
                          contribution.label.endsWith(view.id) ? 'This contact' : 'A colleague',
                        ),
                      }))}
                      label="The account's roll-up"
                    />
                  </>
                ) : (
                  <p className="muted">{view.account.domain}</p>
                )}
              </section>
            )}
          </aside>
        </div>
      )}
    </article>
  );
}

/** The timeline, newest first, a page at a time; `refresh` reloads the newest page. */
function useTimeline(contactId: string) {
  const [entries, setEntries] = useState<TimelineEntry[] | undefined>();
  const [nextBefore, setNextBefore] = useState<string | null>(null);
  const [error, setError] = useState<Error | undefined>();
  const [loadingMore, setLoadingMore] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const page = await api.get<TimelinePage>(
        `/api/v1/contacts/${encodeURIComponent(contactId)}/timeline${query({ limit: pageSize })}`,
      );
      setEntries(page.entries);
      setNextBefore(page.nextBefore);
      setError(undefined);
    } catch (failure) {
      setError(failure instanceof Error ? failure : new Error(String(failure)));
    }
  }, [contactId]);

  useEffect(() => {
    setEntries(undefined);
    void refresh();
  }, [refresh]);

  const loadMore = useCallback(async () => {
    if (!nextBefore) return;
    setLoadingMore(true);
    try {
      const page = await api.get<TimelinePage>(
        `/api/v1/contacts/${encodeURIComponent(contactId)}/timeline${query({ limit: pageSize, before: nextBefore })}`,
      );
      setEntries((previous) => [...(previous ?? []), ...page.entries]);
      setNextBefore(page.nextBefore);
    } finally {
      setLoadingMore(false);
    }
  }, [contactId, nextBefore]);

  return { entries, nextBefore, error, loadingMore, refresh, loadMore };
}
