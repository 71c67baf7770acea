import { Link } from 'react-router';
import { AnnouncementsPanel } from '../components/announcements/announcements-panel.tsx';
import { QuadrantBadge } from '../components/badges.tsx';
import { SlaGlance } from '../components/report/sla-glance.tsx';
import { Loading } from '../components/status.tsx';
import { humanize } from '../format.ts';
import { canReadAnyQueue, useSession } from '../session/session-context.tsx';
import { repsOf, useAgreement } from '../use-agreement.ts';

const quadrantOrder = ['hot', 'fan', 'nurture', 'drop'];

/** Where marketers, managers and admins land: the agreement both teams work to, and the queues. */
export function HomePage() {
  const session = useSession();
  const current = useAgreement();
  const agreement = current?.agreement;
  const showQueues = canReadAnyQueue(session.user.role);

  return (
    <section aria-labelledby="home-title">
      <div className="page-header">
        <div>
          <h1 id="home-title">Welcome, {session.user.name.split(' ')[0]}</h1>
          <p className="muted">
            {session.workspace.name}
            {current &&
              ` · agreement version ${current.version}${agreement?.name ? `: ${agreement.name}` : ''}`}
          </p>
        </div>
        {session.user.repId && (
          <Link to="/queue" className="button button-primary">
            Open my queue
          </Link>
        )}
      </div>

      {!agreement ? (
        <Loading label="Loading the agreement…" />
      ) : (
        <div className="grid">
          <SlaGlance />
          <AnnouncementsPanel />
          {showQueues && (
            <article className="card" aria-labelledby="queues-title">
              <h2 id="queues-title">Sales queues</h2>
              <ul className="link-list">
                {repsOf(agreement).map((rep) => (
                  <li key={rep.id}>
                    <Link to={`/queue?rep=${encodeURIComponent(rep.id)}`}>{rep.name}</Link>
                    <span className="muted"> · {rep.team}</span>
                  </li>
                ))}
              </ul>
            </article>
          )}
          <article className="card" aria-labelledby="stages-title">
            <h2 id="stages-title">The funnel both teams agreed</h2>
            <ol className="stage-list">
              {agreement.stages.map((stage) => (
                <li key={stage.id}>
                  <span className="stage-name">{stage.label}</span>
                  <span className={`owner owner-${stage.owner === 'sales' ? 'sales' : 'marketing'}`}>
                    {humanize(stage.owner)}
                  </span>
                  {stage.description && <span className="muted stage-description">{stage.description}</span>}
                </li>
              ))}
            </ol>
          </article>
          <article className="card" aria-labelledby="quadrants-title">
            <h2 id="quadrants-title">Fit × interest: the agreed action</h2>
            <ul className="quadrant-list">
              {quadrantOrder
                .flatMap((id) => {
                  const quadrant = agreement.quadrants[id];
                  return quadrant ? [[id, quadrant] as const] : [];
                })
                .map(([id, quadrant]) => (
                  <li key={id}>
                    <QuadrantBadge quadrant={id} />
                    <span>{humanize(quadrant.action)}</span>
                    {quadrant.firstTouchWithin && (
                      <span className="muted">first touch within {quadrant.firstTouchWithin}</span>
                    )}
                  </li>
                ))}
            </ul>
          </article>
        </div>
      )}
    </section>
  );
}
