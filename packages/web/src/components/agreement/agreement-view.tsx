import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { FullAgreement, QuadrantRule, Reason } from '../../api/agreement-types.ts';
import { formatNumber, humanize } from '../../format.ts';
import { QuadrantBadge } from '../badges.tsx';
import { ConditionText, conditionNamesOf } from './condition-text.tsx';

const sections = [
  ['stages', 'Stages'],
  ['teams', 'Teams'],
  ['fit', 'Fit'],
  ['interest', 'Interest'],
  ['quadrants', 'Quadrants'],
  ['routing', 'Routing'],
  ['sla', 'SLA'],
  ['reasons', 'Reasons'],
  ['personas', 'Personas'],
  ['goals', 'Goals'],
] as const;

const actionLabels: Record<QuadrantRule['action'], string> = {
  'hand-to-sales': 'Hand to sales',
  nurture: 'Marketing nurtures',
  'low-touch-sales': 'Low-touch sales follow-up',
  suppress: 'Suppress',
};

/** The agreement as both teams read it: every section in words and tables, not YAML. */
export function AgreementView({ agreement }: { agreement: FullAgreement }) {
  const names = conditionNamesOf(agreement);
  const labels = new Map<string, string>([
    ...agreement.stages.map((s) => [s.id, s.label] as const),
    ...agreement.detours.map((d) => [d.id, d.label] as const),
    ...agreement.teams.map((t) => [t.id, t.label] as const),
    ...agreement.interest.activities.map((a) => [a.id, a.label] as const),
    ...agreement.personas.map((p) => [p.id, p.label] as const),
  ]);
  const label = (id: string) => labels.get(id) ?? humanize(id);
  const money = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: agreement.currency,
    maximumFractionDigits: 0,
  });
  const reasonLabels = new Map(
    [
      ...agreement.feedback.rejectReasons,
      ...agreement.feedback.recycleReasons,
      ...agreement.feedback.lostReasons,
    ].map((reason) => [reason.id, reason.label]),
  );

  return (
    <div className="agreement-layout">
      <nav className="agreement-toc" aria-label="Sections of the agreement">
        <ol>
          {sections.map(([id, title]) => (
            <li key={id}>
              <a href={`#agreement-${id}`}>{title}</a>
            </li>
          ))}
        </ol>
      </nav>
      <div className="agreement-sections">
        <Section id="stages" title="Stages: the funnel and who owns each step">
          <ol className="agreement-stages">
            {agreement.stages.map((stage, index) => (
              <li key={stage.id} className="agreement-stage">
                <div className="agreement-stage-head">
                  <span className="agreement-step" aria-hidden="true">
                    {index + 1}
                  </span>
                  <strong>{stage.label}</strong>
                  <code>{stage.id}</code>
                  <OwnerBadge owner={stage.owner} label={label} />
                </div>
                {stage.description && <p className="muted">{stage.description}</p>}
                <dl className="agreement-facts">
                  <dt>Enters when</dt>
                  <dd>
                    {stage.entry ? (
                      <ConditionText condition={stage.entry} names={names} />
                    ) : (
                      <span className="muted">first stage: no entry rule</span>
                    )}
                  </dd>
                  <dt>Moves on to</dt>
                  <dd>{stage.moves.length > 0 ? stage.moves.map(label).join(', ') : '—'}</dd>
                </dl>
              </li>
            ))}
          </ol>
          {agreement.detours.length > 0 && (
            <>
              <h3>Detours</h3>
              <Table head={['Detour', 'From', 'Returns to', 'Reason']}>
                {agreement.detours.map((detour) => (
                  <tr key={detour.id}>
                    <th scope="row">{detour.label}</th>
                    <td>{detour.from.map(label).join(', ')}</td>
                    <td>{detour.returnsTo ? label(detour.returnsTo) : 'the end of the road'}</td>
                    <td>
                      {detour.reasons ? `${detour.reasons} reasons` : '—'}
                      {detour.reasonRequired && <span className="muted"> (required)</span>}
                    </td>
                  </tr>
                ))}
              </Table>
            </>
          )}
        </Section>

        <Section id="teams" title="Teams">
          <p className="muted small">Times in {agreement.timezone} unless a team says otherwise.</p>
          <div className="agreement-teams">
            {agreement.teams.map((team) => (
              <article key={team.id} className="agreement-team">
                <h4>
                  {team.label} <OwnerBadge owner={team.kind} label={humanize} />
                </h4>
                <p className="small muted">
                  {team.businessHours.days.join(', ')} {team.businessHours.start}–{team.businessHours.end}
                  {team.timezone ? ` (${team.timezone})` : ''}
                  {team.holidays.length > 0 ? ` · ${team.holidays.length} holidays` : ''}
                </p>
                {team.manager && <p className="small">Manager: {team.manager.name}</p>}
                {team.reps.length > 0 && (
                  <ul className="agreement-reps">
                    {team.reps.map((rep) => (
                      <li key={rep.id}>
                        {rep.name}
                        <span className="muted small">
                          {' '}
                          · capacity {rep.capacity}
                          {rep.dailyCap ? ` · at most ${rep.dailyCap} a day` : ''}
                        </span>
                        {rep.away && <span className="badge detour">away</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </article>
            ))}
          </div>
        </Section>

        <Section id="fit" title="Fit: who they are">
          <Table head={['Rule', 'When', 'Points']} numeric={[2]}>
            {agreement.fit.rules.map((rule) => (
              <tr key={rule.id}>
                <th scope="row">{rule.label}</th>
                <td>
                  <ConditionText condition={rule.when} names={names} />
                </td>
                <td className="numeric">
                  <Points value={rule.points} />
                </td>
              </tr>
            ))}
          </Table>
          {agreement.fit.grades && (
            <p className="agreement-grades">
              Grades:{' '}
              {agreement.fit.grades.map((band) => (
                <span key={band.grade} className="badge">
                  {band.grade}{' '}
                  {band.min !== undefined && band.max !== undefined
                    ? `${band.min}–${band.max}`
                    : band.min !== undefined
                      ? `${band.min}+`
                      : `up to ${band.max}`}
                </span>
              ))}
            </p>
          )}
        </Section>

        <Section id="interest" title="Interest: what they did">
          <p>
            Points halve every <strong>{agreement.interest.halfLifeDays} days</strong>
            {agreement.interest.totalCap !== undefined && (
              <>
                ; the score is capped at <strong>{agreement.interest.totalCap}</strong>
              </>
            )}
            .
          </p>
          <Table head={['Activity', 'Counts', 'Points', 'Cap']} numeric={[2, 3]}>
            {agreement.interest.activities.map((activity) => (
              <tr key={activity.id}>
                <th scope="row">
                  {activity.label}
                  {activity.group && <span className="muted small"> · group {activity.group}</span>}
                </th>
                <td className="small">
                  {[
                    activity.match.events && `events ${activity.match.events.join(', ')}`,
                    activity.match.pages && `pages ${activity.match.pages.join(', ')}`,
                    activity.match.types && `${activity.match.types.join(', ')} calls`,
                  ]
                    .filter(Boolean)
                    .join('; ')}
                </td>
                <td className="numeric">
                  <Points value={activity.points} />
                </td>
                <td className="numeric">{activity.cap ?? '—'}</td>
              </tr>
            ))}
          </Table>
          {Object.keys(agreement.interest.groupCaps).length > 0 && (
            <p className="small">
              Group caps:{' '}
              {Object.entries(agreement.interest.groupCaps)
                .map(([group, cap]) => `${group} ${cap}`)
                .join(' · ')}
            </p>
          )}
          {agreement.interest.frequency.length > 0 && (
            <>
              <h3>Frequency rules</h3>
              <ul className="agreement-plain-list">
                {agreement.interest.frequency.map((rule) => (
                  <li key={rule.id}>
                    <Points value={rule.points} /> for {rule.label ?? rule.id}:{' '}
                    <span className="muted">
                      {label(rule.activity).toLowerCase()} at least {rule.atLeast} times within{' '}
                      {rule.withinDays} days
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </Section>

        <Section id="quadrants" title="Quadrants: fit × interest and the agreed action">
          <p className="small muted">
            Good fit: fit ≥ {agreement.quadrants.thresholds.fit}. Interested: interest ≥{' '}
            {agreement.quadrants.thresholds.interest}.
          </p>
          <div className="quadrant-grid">
            <span className="quadrant-axis quadrant-axis-y">Fit</span>
            <span className="quadrant-axis quadrant-axis-x">Interest</span>
            {(['nurture', 'hot', 'drop', 'fan'] as const).map((id) => {
              const quadrant = agreement.quadrants[id];
              return (
                <div key={id} className={`quadrant-cell quadrant-cell-${id}`}>
                  <QuadrantBadge quadrant={id} />
                  <strong>{actionLabels[quadrant.action]}</strong>
                  <span className="small">
                    {quadrant.firstTouchWithin
                      ? `First touch within ${quadrant.firstTouchWithin}${quadrant.businessHours ? ' (business hours)' : ''}`
                      : 'No first-touch deadline'}
                  </span>
                </div>
              );
            })}
          </div>
        </Section>

        <Section id="routing" title="Routing: who gets a lead">
          <ol className="agreement-plain-list">
            {agreement.routing.accountOwnerWins && <li>The owner of the contact’s account.</li>}
            {agreement.routing.keepExistingOwner && <li>The contact’s existing owner.</li>}
            {agreement.routing.rules.map((rule) => (
              <li key={rule.id}>
                {label(rule.team)} when <ConditionText condition={rule.when} names={names} />
              </li>
            ))}
            <li>The team specialised on the contact’s persona.</li>
            <li>Otherwise {label(agreement.routing.defaultTeam)}.</li>
          </ol>
          <p className="small muted">
            Within a team, reps take turns by capacity ({humanize(agreement.routing.strategy)}).
          </p>
        </Section>

        <Section id="sla" title="Service-level agreement, both ways">
          <div className="agreement-two">
            <div>
              <h3>Marketing delivers</h3>
              <p>
                <strong>
                  {agreement.sla.marketing.measure === 'points'
                    ? `${formatNumber(agreement.sla.marketing.target)} points`
                    : money.format(agreement.sla.marketing.target)}
                </strong>{' '}
                a {agreement.sla.period} of leads entering {label(agreement.sla.marketing.stage)}
                {agreement.sla.marketing.measure === 'expected-value' ? ' (expected value)' : ''}.
              </p>
              {agreement.sla.marketing.gradePoints && (
                <p className="small">
                  Points by fit grade:{' '}
                  {Object.entries(agreement.sla.marketing.gradePoints)
                    .map(([grade, points]) => `${grade} ${points}`)
                    .join(' · ')}
                </p>
              )}
              {Object.keys(agreement.sla.marketing.teams).length > 0 && (
                <p className="small">
                  Per team:{' '}
                  {Object.entries(agreement.sla.marketing.teams)
                    .map(([team, target]) => `${label(team)} ${formatNumber(target)}`)
                    .join(' · ')}
                </p>
              )}
              {agreement.sla.marketing.invalidReasons.length > 0 && (
                <p className="small muted">
                  Not counted when rejected as:{' '}
                  {agreement.sla.marketing.invalidReasons.map((id) => reasonLabels.get(id) ?? id).join(', ')}
                </p>
              )}
            </div>
            <div>
              <h3>Sales works</h3>
              <p>
                <strong>{Math.round(agreement.sla.sales.workedWithinDeadline * 100)}%</strong> of delivered
                leads with a {agreement.sla.sales.qualifyingTouches.join(', ')} before the quadrant’s
                deadline.
              </p>
              {agreement.sla.sales.escalation.length > 0 && (
                <ul className="agreement-plain-list small">
                  {agreement.sla.sales.escalation.map((step) => (
                    <li key={`${step.after}-${step.action}`}>
                      {step.after} after a missed deadline:{' '}
                      {step.action === 'notify-manager' ? 'notify the manager' : 'reassign the lead'}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        </Section>

        <Section id="reasons" title="Feedback reasons">
          <div className="agreement-three">
            <ReasonList title="Reject" reasons={agreement.feedback.rejectReasons} />
            <ReasonList title="Recycle" reasons={agreement.feedback.recycleReasons} />
            <ReasonList title="Lost" reasons={agreement.feedback.lostReasons} />
          </div>
        </Section>

        <Section id="personas" title="Personas">
          <p className="small">
            <Link to="/personas">Open the personas page</Link> to edit them; each edit is a new version.
          </p>
          {agreement.personas.length === 0 ? (
            <p className="muted">No personas yet.</p>
          ) : (
            <ul className="agreement-personas">
              {agreement.personas.map((persona) => (
                <li key={persona.id}>
                  <strong>{persona.label}</strong>
                  {persona.team && <span className="muted small"> · {label(persona.team)}</span>}
                  {persona.description && <p className="muted">{persona.description}</p>}
                  <div className="small">
                    Matches when <ConditionText condition={persona.match} names={names} />
                  </div>
                  {persona.pains && persona.pains.length > 0 && (
                    <div className="small">
                      Pains: <span className="muted">{persona.pains.join(' · ')}</span>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Section>

        <Section id="goals" title="Revenue goals">
          {agreement.goals.length === 0 ? (
            <p className="muted">No goals set.</p>
          ) : (
            <Table head={['Period', 'Revenue', 'Average deal']} numeric={[1, 2]}>
              {agreement.goals.map((goal) => (
                <tr key={goal.period}>
                  <th scope="row">{goal.period}</th>
                  <td className="numeric">{money.format(goal.amount)}</td>
                  <td className="numeric">
                    {goal.averageDealSize ? money.format(goal.averageDealSize) : '—'}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Section>
      </div>
    </div>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section
      id={`agreement-${id}`}
      className="card agreement-section"
      aria-labelledby={`agreement-${id}-title`}
    >
      <h2 id={`agreement-${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

function Table({
  head,
  children,
  numeric = [],
}: {
  head: string[];
  children: ReactNode;
  numeric?: number[];
}) {
  return (
    <table className="agreement-table">
      <thead>
        <tr>
          {head.map((cell, index) => (
            <th key={cell} scope="col" className={numeric.includes(index) ? 'numeric' : undefined}>
              {cell}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

function Points({ value }: { value: number }) {
  return (
    <span className={value < 0 ? 'points points-negative' : 'points'}>{value > 0 ? `+${value}` : value}</span>
  );
}

function OwnerBadge({ owner, label }: { owner: string; label: (id: string) => string }) {
  const kind = owner === 'sales' || owner === 'marketing' ? owner : 'team';
  return <span className={`owner owner-${kind === 'team' ? 'sales' : kind}`}>{label(owner)}</span>;
}

function ReasonList({ title, reasons }: { title: string; reasons: Reason[] }) {
  return (
    <div>
      <h3>{title}</h3>
      {reasons.length === 0 ? (
        <p className="muted small">None</p>
      ) : (
        <ul className="agreement-plain-list small">
          {reasons.map((reason) => (
            <li key={reason.id}>
              {reason.label}
              {reason.invalid && <span className="badge detour">not a real lead</span>}
              {reason.recycleAfterDays !== undefined && (
                <span className="muted"> · back after {reason.recycleAfterDays} days</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
