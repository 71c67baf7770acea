import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, query } from '../../api/client.ts';
import type { BreachAlert, SlaReport } from '../../api/report-types.ts';
import type { ContactView } from '../../api/types.ts';
import { Empty, Loading } from '../../components/status.tsx';
import { formatDateTime } from '../../format.ts';

/** untouched: the clock is still breached; late: worked after the deadline; reassigned: a newer clock replaced it. */
type Breach = BreachAlert & { state: 'untouched' | 'late' | 'reassigned' | 'unknown' };

const shownAtMost = 25;

const stateLabels = {
  untouched: 'still untouched',
  late: 'worked late',
  reassigned: 'reassigned',
  unknown: 'no clock now',
};

/**
 * The period's breaches, newest first, each linking to its lead: the engine's `sla-breached`
 * alerts for clocks started in the period, and whether the lead is still untouched (its clock
 * still breached and never stopped).
 */
function useBreaches(report: SlaReport, round: number): Breach[] | undefined {
  const [breaches, setBreaches] = useState<Breach[] | undefined>();
  const { from, to } = report.period;
  useEffect(() => {
    let live = true;
    // A later round keeps the list on screen while it asks again.
    if (round === 0) setBreaches(undefined);
    (async () => {
      const { alerts } = await api.get<{ alerts: BreachAlert[] }>(
        `/api/v1/alerts${query({ kind: 'sla-breached', since: from, limit: 1000 })}`,
      );
      const start = new Date(from).getTime();
      const end = new Date(to).getTime();
      const inPeriod = alerts
        .filter((alert) => {
          const started = new Date(alert.detail.startedAt ?? alert.at).getTime();
          return started >= start && started < end;
        })
        .slice(0, shownAtMost);
      const found = await Promise.all(
        inPeriod.map(async (alert): Promise<Breach> => {
          const contact = await api
            .get<ContactView>(`/api/v1/contacts/${encodeURIComponent(alert.contactId)}`)
            .catch(() => undefined);
          const clock = contact?.lead?.clock;
          if (!clock) return { ...alert, state: 'unknown' };
          const same =
            alert.detail.startedAt === undefined ||
            new Date(clock.startedAt).getTime() === new Date(alert.detail.startedAt).getTime();
          if (!same) return { ...alert, state: 'reassigned' };
          return {
            ...alert,
            state: clock.status === 'breached' && clock.stoppedAt === null ? 'untouched' : 'late',
          };
        }),
      );
      if (live) setBreaches(found);
    })().catch(() => live && setBreaches([]));
    return () => {
      live = false;
    };
  }, [from, to, round]);
  return breaches;
}

/** How often to ask again while the report counts breaches whose alerts are not raised yet. */
const recheckMs = 10_000;
/** The scheduler ticks every minute by default: a few minutes of asking is plenty. */
const maxRechecks = 18;

export function SlaBreaches({ report }: { report: SlaReport }) {
  const [round, setRound] = useState(0);
  const breaches = useBreaches(report, round);
  const total = report.sales.total.breaches;
  // The report counts a clock as breached once its deadline passed; the alert that names the lead
  // is raised by the scheduler at its next tick. Until then, say so instead of "no breaches".
  const notRaised = breaches === undefined ? 0 : Math.max(0, Math.min(total, shownAtMost) - breaches.length);
  useEffect(() => {
    if (notRaised === 0 || round >= maxRechecks) return;
    const timer = setTimeout(() => setRound((value) => value + 1), recheckMs);
    return () => clearTimeout(timer);
  }, [notRaised, round]);
  return (
    <article className="card" aria-labelledby="breaches-title">
      <h2 id="breaches-title">
        Breaches of the period <span className="count">{total}</span>
      </h2>
      {breaches === undefined ? (
        <Loading label="Finding the breached leads…" />
      ) : breaches.length === 0 && total === 0 ? (
        <Empty title="No breaches">Every lead handed over in this period was worked in time so far.</Empty>
      ) : breaches.length === 0 ? (
        <Empty title={`${total} ${total === 1 ? 'breach' : 'breaches'} counted, not listed yet`}>
          Their deadlines passed; the scheduler raises an alert for each at its next tick, and they appear
          here then. Each rep’s queue already shows the leads whose deadline was missed.
        </Empty>
      ) : (
        <ul className="breach-list">
          {breaches.map((breach) => {
            const contact = breach.detail.contact;
            return (
              <li key={breach.id}>
                <Link to={`/leads/${encodeURIComponent(breach.contactId)}`}>
                  {contact?.name ?? contact?.email ?? 'Unnamed lead'}
                  {contact?.company ? ` · ${contact.company}` : ''}
                </Link>
                <span
                  className={`verdict ${breach.state === 'untouched' ? 'verdict-bad' : 'verdict-neutral'}`}
                >
                  {stateLabels[breach.state]}
                </span>
                <span className="breach-meta">
                  {breach.detail.rep?.name ?? 'no rep'}
                  {breach.detail.team ? ` · ${breach.detail.team.name}` : ''} · deadline{' '}
                  {formatDateTime(breach.detail.deadline ?? breach.at)}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {breaches && breaches.length > 0 && notRaised > 0 && (
        <p className="hint" role="status">
          {notRaised} more counted whose alerts the scheduler has not raised yet; they appear here at its next
          tick.
        </p>
      )}
      {breaches && breaches.length >= shownAtMost && (
        <p className="hint">The {shownAtMost} most recent are listed; the queue of each rep has the rest.</p>
      )}
    </article>
  );
}
