import { useSearchParams } from 'react-router';
import { query } from '../../api/client.ts';
import type { Brief } from '../../api/collaboration-types.ts';
import { AnnouncementSummary } from '../../components/announcements/announcement-item.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/status.tsx';
import { formatDateTime, formatNumber } from '../../format.ts';
import { useApi } from '../../use-api.ts';
import '../collaboration.css';
import { SendBrief } from './send-brief.tsx';

const weekPattern = /^(\d{4})-W(\d{2})$/;

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value * 1000) / 10}%`;
}

/** The ISO week `weeks` away from `label` (`2027-W09`). */
function shiftWeek(label: string, weeks: number): string {
  const match = weekPattern.exec(label);
  if (!match) return label;
  const year = Number(match[1]);
  const week = Number(match[2]);
  // Monday of ISO week 1 is the Monday of the week holding January 4th.
  const jan4 = Date.UTC(year, 0, 4);
  const monday =
    jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000 + (week - 1 + weeks) * 7 * 86_400_000;
  const thursday = new Date(monday + 3 * 86_400_000);
  const isoYear = thursday.getUTCFullYear();
  const firstJan4 = Date.UTC(isoYear, 0, 4);
  const firstMonday = firstJan4 - ((new Date(firstJan4).getUTCDay() + 6) % 7) * 86_400_000;
  const number = Math.round((monday - firstMonday) / (7 * 86_400_000)) + 1;
  return `${isoYear}-W${String(number).padStart(2, '0')}`;
}

const day = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});

/**
 * The weekly meeting brief, one ISO week (in the URL as `?week=2027-W09`): the questions the data
 * raises, wins, both halves of the SLA, lead flow, cohorts, clogs, sales feedback and the week's
 * announcements. Prints on paper as it reads on screen.
 */
export function BriefPage() {
  const [params, setParams] = useSearchParams();
  const requested = params.get('week');
  const week = requested && weekPattern.test(requested) ? requested : undefined;
  const brief = useApi<Brief>(`/api/v1/brief${query({ week, format: 'json' })}`);
  const data = brief.data;
  const shown = data?.week.label ?? week;
  const go = (next: string) => {
    const nextParams = new URLSearchParams(params);
    nextParams.set('week', next);
    setParams(nextParams);
  };
  const money = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: data?.currency ?? 'USD',
    maximumFractionDigits: 0,
  });

  return (
    <section aria-labelledby="brief-title" className="brief-page">
      <div className="page-header">
        <div>
          <h1 id="brief-title">Weekly brief{shown ? `: ${shown}` : ''}</h1>
          <p className="muted">
            {data
              ? `${day.format(new Date(data.week.from))} to ${day.format(new Date(new Date(data.week.to).getTime() - 1))} (${data.week.timezone}) · as of ${formatDateTime(data.asOf)} · agreement version ${data.agreementVersion}`
              : 'One page for the weekly sales and marketing meeting.'}
          </p>
        </div>
        <div className="page-header-actions no-print">
          {shown && (
            <button
              type="button"
              className="button"
              onClick={() => go(shiftWeek(shown, -1))}
              aria-label="Previous week"
            >
              ←
            </button>
          )}
          <label className="field field-inline">
            <span>Week</span>
            <input
              type="week"
              value={shown ?? ''}
              onChange={(event) => {
                if (weekPattern.test(event.target.value)) go(event.target.value);
              }}
            />
          </label>
          {shown && (
            <button
              type="button"
              className="button"
              onClick={() => go(shiftWeek(shown, 1))}
              aria-label="Next week"
            >
              →
            </button>
          )}
          <button type="button" className="button" onClick={() => window.print()} disabled={!data}>
            Print
          </button>
          {data && (
            <a
              className="button button-quiet"
              href={`/api/v1/brief${query({ week: data.week.label, format: 'html' })}`}
              target="_blank"
              rel="noreferrer"
            >
              HTML
            </a>
          )}
          {data && <SendBrief week={data.week.label} />}
        </div>
      </div>

      {brief.status === 'failed' ? (
        <ErrorMessage error={brief.error} onRetry={() => void brief.reload()} />
      ) : !data || brief.status === 'loading' ? (
        <Loading label="Putting the brief together…" />
      ) : (
        <div className="brief">
          <section className="card brief-section brief-questions" aria-labelledby="brief-questions">
            <h2 id="brief-questions">Questions for the meeting</h2>
            {data.questions.length === 0 ? (
              <p className="muted">The data raises no question this week.</p>
            ) : (
              <ol>
                {data.questions.map((question) => (
                  <li key={`${question.rule}:${question.question}`}>
                    <strong>{question.question}</strong>
                    <span className="muted small"> {question.evidence}</span>
                  </li>
                ))}
              </ol>
            )}
          </section>

          <div className="brief-two">
            <section className="card brief-section" aria-labelledby="brief-sla">
              <h2 id="brief-sla">SLA, {data.sla.period}</h2>
              <div className="brief-figures">
                <div>
                  <span className="score-label">Marketing delivered</span>
                  <span className="score-value">{percent(data.sla.marketing.attainment)}</span>
                  <span className="small muted">
                    {formatNumber(data.sla.marketing.value ?? 0)} of{' '}
                    {formatNumber(data.sla.marketing.target ?? 0)} ·{' '}
                    {data.sla.marketing.onPace === null
                      ? 'pace unknown'
                      : data.sla.marketing.onPace
                        ? 'on pace'
                        : 'behind pace'}
                    {data.sla.marketing.projected !== null &&
                      ` · projected ${formatNumber(data.sla.marketing.projected)}`}
                  </span>
                </div>
                <div>
                  <span className="score-label">Sales worked in time</span>
                  <span className="score-value">{percent(data.sla.sales.compliance)}</span>
                  <span className="small muted">
                    target {percent(data.sla.sales.target)} · {formatNumber(data.sla.sales.due)} due ·{' '}
                    {formatNumber(data.sla.sales.breaches)} breaches,{' '}
                    {formatNumber(data.sla.sales.openBreaches)} open
                  </span>
                </div>
              </div>
            </section>
            <section className="card brief-section" aria-labelledby="brief-wins">
              <h2 id="brief-wins">Wins</h2>
              <p>
                <strong>{formatNumber(data.wins.count)}</strong> deals won ·{' '}
                <strong>{money.format(data.wins.revenue)}</strong>
              </p>
              {data.wins.deals.length > 0 && (
                <ul className="brief-list">
                  {data.wins.deals.slice(0, 8).map((deal) => (
                    <li key={deal.id}>
                      {deal.big && <span className="badge quadrant-hot">big win</span>} {deal.name}
                      {deal.account ? ` · ${deal.account}` : ''}
                      <span className="muted">
                        {' '}
                        · {deal.amount === null ? 'no amount' : money.format(deal.amount)}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>

          <section className="card brief-section" aria-labelledby="brief-flow">
            <h2 id="brief-flow">Lead flow, last eight weeks</h2>
            <table className="agreement-table">
              <thead>
                <tr>
                  <th scope="col">Week</th>
                  <th scope="col" className="numeric">
                    Leads
                  </th>
                  <th scope="col" className="numeric">
                    New leads
                  </th>
                  <th scope="col" className="numeric">
                    MQLs
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">MQLs as a bar</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.leadFlow.rows.map((row) => {
                  const most = Math.max(1, ...data.leadFlow.rows.map((candidate) => candidate.mqls));
                  return (
                    <tr
                      key={row.label}
                      className={row.label === data.week.label ? 'brief-current' : undefined}
                    >
                      <th scope="row">{row.label}</th>
                      <td className="numeric">{formatNumber(row.leads)}</td>
                      <td className="numeric">{formatNumber(row.newLeads)}</td>
                      <td className="numeric">{formatNumber(row.mqls)}</td>
                      <td className="brief-bar-cell">
                        <span className="brief-bar" style={{ width: `${(row.mqls / most) * 100}%` }} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {data.leadFlow.week?.mqlChange !== null && data.leadFlow.week?.mqlChange !== undefined && (
              <p className="small muted">
                MQLs {data.leadFlow.week.mqlChange >= 0 ? 'up' : 'down'}{' '}
                {percent(Math.abs(data.leadFlow.week.mqlChange))} on the week before.
              </p>
            )}
          </section>

          <section className="card brief-section" aria-labelledby="brief-cohorts">
            <h2 id="brief-cohorts">Cohorts: how far each week’s new leads got</h2>
            <table className="agreement-table">
              <thead>
                <tr>
                  <th scope="col">Cohort</th>
                  <th scope="col" className="numeric">
                    New leads
                  </th>
                  {data.waterfall.stages.map((stage) => (
                    <th key={stage} scope="col" className="numeric">
                      {stage}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.waterfall.cohorts.map((cohort) => (
                  <tr key={cohort.label}>
                    <th scope="row">{cohort.label}</th>
                    <td className="numeric">{formatNumber(cohort.size)}</td>
                    {data.waterfall.stages.map((stage) => {
                      const reached = cohort.reached[stage] ?? 0;
                      return (
                        <td key={stage} className="numeric">
                          {formatNumber(reached)}
                          {cohort.size > 0 && (
                            <span className="muted small"> {percent(reached / cohort.size)}</span>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section className="card brief-section" aria-labelledby="brief-clogs">
            <h2 id="brief-clogs">Clogs</h2>
            {data.clogs.length === 0 ? (
              <p className="muted">
                No stage is significantly slower or leakier than in the three weeks before.
              </p>
            ) : (
              <ul className="brief-list">
                {data.clogs.map((clog) => (
                  <li
                    key={`${clog.stage}:${clog.metric}:${clog.segment?.key ?? ''}:${clog.segment?.value ?? ''}`}
                  >
                    <strong>{clog.label}</strong>
                    {clog.segment && (
                      <span className="muted">
                        {' '}
                        · {clog.segment.key} {clog.segment.value}
                      </span>
                    )}
                    :{' '}
                    {clog.metric === 'conversion'
                      ? `conversion ${percent(clog.current.rate)} against ${percent(clog.baseline.rate)}`
                      : `median ${formatNumber(clog.current.medianHours ?? 0)} h in stage against ${formatNumber(clog.baseline.medianHours ?? 0)} h`}
                    {clog.impact.revenue !== null && (
                      <span className="muted"> · about {money.format(clog.impact.revenue)} at stake</span>
                    )}
                    <span className="muted small"> · {formatNumber(clog.leadCount)} leads</span>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <div className="brief-two">
            <section className="card brief-section" aria-labelledby="brief-feedback">
              <h2 id="brief-feedback">What sales said</h2>
              {data.feedbackThemes.length === 0 ? (
                <p className="muted">No rejections or recycles this week.</p>
              ) : (
                <ul className="brief-list">
                  {data.feedbackThemes.map((theme) => (
                    <li key={`${theme.verdict}:${theme.reason ?? ''}`}>
                      <span className={`badge ${theme.verdict === 'reject' ? 'clock-breached' : 'detour'}`}>
                        {theme.verdict}
                      </span>{' '}
                      {theme.label}: <strong>{formatNumber(theme.count)}</strong>
                      <span className="muted small">
                        {' '}
                        ({percent(theme.share)} of the week’s {theme.verdict}s; {percent(theme.previousShare)}{' '}
                        the four weeks before)
                      </span>
                      {theme.examples.length > 0 && (
                        <ul className="brief-quotes">
                          {theme.examples.map((example) => (
                            <li key={example}>“{example}”</li>
                          ))}
                        </ul>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section className="card brief-section" aria-labelledby="brief-announcements">
              <h2 id="brief-announcements">Announcements</h2>
              {data.announcements.length === 0 ? (
                <Empty title="Nothing announced for this week" />
              ) : (
                <ul className="announcement-list">
                  {data.announcements.map((announcement) => (
                    <li key={announcement.id}>
                      <AnnouncementSummary announcement={announcement} />
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>

          <details className="card brief-definitions">
            <summary>What each part counts</summary>
            <dl className="agreement-facts">
              {Object.entries(data.definitions).map(([key, text]) => (
                <div key={key} className="insights-method-row">
                  <dt>{key}</dt>
                  <dd>{text}</dd>
                </div>
              ))}
            </dl>
          </details>
        </div>
      )}
    </section>
  );
}
