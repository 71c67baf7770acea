import { Fragment, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { query } from '../api/client.ts';
import type { Queue, QueueItem } from '../api/types.ts';
import { ClockBadge, QuadrantBadge, StageBadge } from '../components/badges.tsx';
import { Countdown } from '../components/countdown.tsx';
import { ReassignForm } from '../components/reassign-form.tsx';
import { Empty, ErrorMessage, Loading } from '../components/status.tsx';
import { formatAgo, formatNumber } from '../format.ts';
import { canReadAnyQueue, canReassign, useSession } from '../session/session-context.tsx';
import { labelsOf, repsOf, useAgreement } from '../use-agreement.ts';
import { useApi, useNow } from '../use-api.ts';

const urgencyLabels: Record<QueueItem['urgency'], string> = {
  'open-clock': 'SLA clock running',
  breached: 'SLA deadline missed: still to work',
  owned: 'Other owned leads, by quadrant and interest',
};

/** A rep's leads by urgency: running SLA clocks by time left, then missed ones, then the rest. */
export function QueuePage() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const anyRep = canReadAnyQueue(session.user.role);
  const agreement = useAgreement();
  const reps = repsOf(agreement?.agreement);
  const rep = (anyRep ? params.get('rep') : null) ?? session.user.repId ?? undefined;
  const queue = useApi<Queue>(rep === undefined ? undefined : `/api/v1/queue${query({ rep, limit: 200 })}`);
  const now = useNow(30_000);
  const labels = labelsOf(agreement?.agreement);
  // Leads reassigned from this queue, by contact id → the new owner's name, until the engine moves them.
  const [moving, setMoving] = useState<Record<string, string>>({});
  const movingIds = Object.keys(moving);
  const reloadQueue = queue.reload;

  useEffect(() => {
    if (movingIds.length === 0) return;
    const timer = setInterval(() => void reloadQueue(), 1_000);
    return () => clearInterval(timer);
  }, [movingIds.length, reloadQueue]);

  useEffect(() => {
    const items = queue.data?.items;
    if (!items) return;
    setMoving((current) => {
      const still = Object.entries(current).filter(([id]) => items.some((item) => item.contactId === id));
      return still.length === Object.keys(current).length ? current : Object.fromEntries(still);
    });
  }, [queue.data]);

  return (
    <section aria-labelledby="queue-title">
      <div className="page-header">
        <div>
          <h1 id="queue-title">{queue.data ? `${queue.data.rep.name}’s queue` : 'Queue'}</h1>
          <p className="muted">
            Most urgent first: running SLA clocks by time left, then missed deadlines, then the other leads by
            quadrant and interest.
          </p>
        </div>
        {anyRep && (
          <label className="field field-inline">
            <span>Rep</span>
            <select
              value={rep ?? ''}
              onChange={(event) => setParams(event.target.value ? { rep: event.target.value } : {})}
            >
              <option value="">Choose a rep…</option>
              {reps.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name} ({candidate.team})
                </option>
              ))}
            </select>
          </label>
        )}
      </div>

      {rep === undefined ? (
        <Empty title="Choose a rep to see their queue.">
          {anyRep ? 'Managers and admins can open any rep’s queue.' : 'Your user is not linked to a rep.'}
        </Empty>
      ) : queue.status === 'failed' && !queue.data ? (
        <ErrorMessage error={queue.error} onRetry={() => void queue.reload()} />
      ) : !queue.data ? (
        <Loading label="Loading the queue…" />
      ) : queue.data.items.length === 0 ? (
        <Empty title="Nothing to work right now.">
          New leads routed to {queue.data.rep.name} appear here.
        </Empty>
      ) : (
        <QueueTable
          items={queue.data.items}
          now={now}
          stageLabel={labels}
          reassign={
            canReassign(session.user.role)
              ? {
                  reps,
                  currentRepId: queue.data.rep.id,
                  moving,
                  onDone: (contactId, repName) =>
                    setMoving((current) => ({ ...current, [contactId]: repName })),
                }
              : undefined
          }
        />
      )}
    </section>
  );
}

type ReassignOptions = {
  reps: { id: string; name: string; team: string }[];
  currentRepId: string;
  /** Reassigned leads still in this queue: contact id → the new owner's name. */
  moving: Record<string, string>;
  onDone(contactId: string, repName: string): void;
};

function QueueTable({
  items,
  now,
  stageLabel,
  reassign,
}: {
  items: QueueItem[];
  now: number;
  stageLabel: (id: string) => string;
  reassign: ReassignOptions | undefined;
}) {
  const [openFor, setOpenFor] = useState<string | undefined>();
  const columns = reassign ? 8 : 7;
  const closeForm = (contactId: string) => {
    setOpenFor(undefined);
    // Back to the button that opened the form (keyboard users keep their place).
    requestAnimationFrame(() =>
      document.querySelector<HTMLElement>(`[data-reassign="${contactId}"]`)?.focus(),
    );
  };
  const groups = (['open-clock', 'breached', 'owned'] as const)
    .map((urgency) => ({ urgency, items: items.filter((item) => item.urgency === urgency) }))
    .filter((group) => group.items.length > 0);
  return (
    <div className="table-wrap">
      <table className="queue">
        <caption className="visually-hidden">Leads by urgency</caption>
        <thead>
          <tr>
            <th scope="col">Lead</th>
            <th scope="col">SLA</th>
            <th scope="col">Quadrant</th>
            <th scope="col">Stage</th>
            <th scope="col" className="numeric">
              Fit
            </th>
            <th scope="col" className="numeric">
              Interest
            </th>
            <th scope="col">Last activity</th>
            {reassign && (
              <th scope="col">
                <span className="visually-hidden">Reassign</span>
              </th>
            )}
          </tr>
        </thead>
        {groups.map((group) => (
          <tbody key={group.urgency}>
            <tr className="group-row">
              <th scope="rowgroup" colSpan={columns}>
                {urgencyLabels[group.urgency]} <span className="count">{group.items.length}</span>
              </th>
            </tr>
            {group.items.map((item) => {
              const leadName = item.name ?? item.email ?? 'Unnamed contact';
              const movingTo = reassign?.moving[item.contactId];
              return (
                <Fragment key={item.contactId}>
                  <tr className={`urgency-${item.urgency}${movingTo ? ' reassigned' : ''}`}>
                    <td>
                      <Link to={`/leads/${item.contactId}`} className="lead-link">
                        {leadName}
                      </Link>
                      <span className="lead-sub">
                        {[item.title, item.company].filter(Boolean).join(' · ') || item.email}
                      </span>
                    </td>
                    <td>
                      {item.clock === null ? (
                        <span className="muted">—</span>
                      ) : item.clock.status === 'breached' && item.clock.stoppedAt !== null ? (
                        <span className="muted">Worked late</span>
                      ) : item.clock.status === 'open' || item.clock.status === 'breached' ? (
                        <Countdown deadline={item.clock.deadlineAt} />
                      ) : (
                        <ClockBadge status={item.clock.status} />
                      )}
                    </td>
                    <td>
                      <QuadrantBadge quadrant={item.quadrant} />
                    </td>
                    <td>
                      <StageBadge stage={item.stage} label={stageLabel(item.stage)} />
                    </td>
                    <td className="numeric">
                      <span className="grade">{item.fit.grade}</span> {formatNumber(item.fit.score)}
                    </td>
                    <td className="numeric">{formatNumber(item.interest)}</td>
                    <td className="muted">
                      {item.lastActivityAt ? formatAgo(item.lastActivityAt, now) : '—'}
                    </td>
                    {reassign && (
                      <td className="reassign-cell">
                        {movingTo ? (
                          <span className="reassign-moving" role="status">
                            Reassigned to {movingTo}
                          </span>
                        ) : (
                          <button
                            type="button"
                            className="button button-small"
                            data-reassign={item.contactId}
                            aria-expanded={openFor === item.contactId}
                            aria-label={`Reassign ${leadName}`}
                            onClick={() =>
                              setOpenFor(openFor === item.contactId ? undefined : item.contactId)
                            }
                          >
                            Reassign
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                  {reassign && openFor === item.contactId && !movingTo && (
                    <tr className="reassign-row">
                      <td colSpan={columns}>
                        <ReassignForm
                          contactId={item.contactId}
                          leadName={leadName}
                          reps={reassign.reps}
                          currentRepId={reassign.currentRepId}
                          onDone={(_, repName) => {
                            setOpenFor(undefined);
                            reassign.onDone(item.contactId, repName);
                          }}
                          onClose={() => closeForm(item.contactId)}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        ))}
      </table>
    </div>
  );
}
