import { type ReactNode, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import type { FullAgreementVersion } from '../../api/agreement-types.ts';
import { api } from '../../api/client.ts';
import type { CloseRateRow, Insights, ScoreEvaluation } from '../../api/insights-types.ts';
import { ConditionText, conditionNamesOf } from '../../components/agreement/condition-text.tsx';
import { Empty, ErrorMessage, Loading } from '../../components/status.tsx';
import { formatDateTime, formatNumber, humanize } from '../../format.ts';
import { canRunBacktest } from '../../session/collaboration-permissions.ts';
import { useSession } from '../../session/session-context.tsx';
import { useApi } from '../../use-api.ts';
import '../collaboration.css';
import { IntervalBar } from './interval-bar.tsx';

function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`;
}

const dimensionLabels: Record<string, string> = {
  activity: 'Activities',
  frequency: 'Frequency',
  source: 'Sources',
  campaign: 'Campaigns',
  persona: 'Personas',
  'fit-rule': 'Fit rules',
  trait: 'Traits',
};

const evaluationRows: {
  label: string;
  hint: string;
  pick(e: ScoreEvaluation): string;
  better: 'higher' | 'lower';
}[] = [
  {
    label: 'AUC',
    hint: 'chance a customer ranks above a non-customer',
    pick: (e) => e.auc?.toFixed(3) ?? '—',
    better: 'higher',
  },
  {
    label: 'Lift in the top 10 %',
    hint: 'close rate of the best-scored tenth ÷ average',
    pick: (e) => (e.liftAtTopDecile === null ? '—' : `${e.liftAtTopDecile.toFixed(2)}×`),
    better: 'higher',
  },
  {
    label: 'Brier score',
    hint: 'mean squared error of the probability',
    pick: (e) => e.brier?.toFixed(4) ?? '—',
    better: 'lower',
  },
  {
    label: 'Log loss',
    hint: 'penalises confident mistakes',
    pick: (e) => e.logLoss?.toFixed(4) ?? '—',
    better: 'lower',
  },
];

/**
 * What closed-loop data says: close rates per activity (and source, persona, …) with their 95 %
 * intervals, the triggers that mark leads far likelier to buy, and how the learned score does on
 * leads it never saw, beside the agreement's own points.
 */
export function InsightsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const insights = useApi<Insights>('/api/v1/insights');
  const current = useApi<FullAgreementVersion>('/api/v1/agreements/current');
  const [suggesting, setSuggesting] = useState<string>();

  if (insights.status === 'failed' && !insights.data)
    return <ErrorMessage error={insights.error} onRetry={() => void insights.reload()} />;
  if (!insights.data) return <Loading label="Learning from the closed-loop history…" />;
  const data = insights.data;
  // Activities first (what marketing can change), then the other dimensions in a fixed order.
  const order = Object.keys(dimensionLabels);
  const rank = (dimension: string) => (order.includes(dimension) ? order.indexOf(dimension) : order.length);
  const dimensions = [...new Set(data.closeRates.map((row) => row.dimension))].sort(
    (a, b) => rank(a) - rank(b),
  );
  const requested = params.get('dimension');
  const dimension = requested && dimensions.includes(requested) ? requested : (dimensions[0] ?? 'activity');
  const rows = data.closeRates
    .filter((row) => row.dimension === dimension)
    .sort((a, b) => b.closeRate - a.closeRate);
  const scaleMax = Math.max(0.05, ...data.closeRates.map((row) => row.high));
  const names = current.data ? conditionNamesOf(current.data.agreement) : undefined;
  const evaluation = data.model.evaluation;
  const topWeights = [...data.model.weights]
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
    .slice(0, 12);

  return (
    <section aria-labelledby="insights-title" className="insights-page">
      <div className="page-header">
        <div>
          <h1 id="insights-title">Insights</h1>
          <p className="muted">
            {formatNumber(data.population.known)} leads with a known outcome,{' '}
            {formatNumber(data.population.customers)} customers (a win within {data.horizonDays} days), as of{' '}
            {formatDateTime(data.asOf)} · agreement version {data.agreementVersion}
          </p>
        </div>
        {canRunBacktest(session.user.role) && (
          <button
            type="button"
            className="button button-primary"
            disabled={suggesting === 'loading'}
            onClick={async () => {
              setSuggesting('loading');
              try {
                const suggestion = await api.post<{ yaml: string }>('/api/v1/insights/suggestions', {});
                navigate('/agreement?tab=candidate', {
                  state: { candidate: suggestion.yaml, source: 'the learned suggestion' },
                });
              } catch (error) {
                setSuggesting(error instanceof Error ? error.message : String(error));
              }
            }}
          >
            {suggesting === 'loading' ? 'Writing a candidate…' : 'Try the learned points as a candidate'}
          </button>
        )}
      </div>
      {suggesting && suggesting !== 'loading' && <p className="form-error">{suggesting}</p>}

      <div className="insights-summary">
        <Figure label="Average close rate" value={percent(data.population.closeRate)}>
          95 % interval {percent(data.population.low)}–{percent(data.population.high)}
        </Figure>
        <Figure label="Leads" value={formatNumber(data.population.leads)}>
          {formatNumber(data.population.censored)} still too recent to judge
        </Figure>
        <Figure label="Learned score, AUC on hold-out" value={evaluation?.learned.auc?.toFixed(2) ?? '—'}>
          agreement points: {evaluation?.agreement.auc?.toFixed(2) ?? '—'}
        </Figure>
        <Figure label="Triggers found" value={String(data.triggers.length)}>
          at least twice the average close rate
        </Figure>
      </div>

      <article className="card" aria-labelledby="close-rates-title">
        <div className="insights-card-head">
          <h2 id="close-rates-title">Close rates</h2>
          <fieldset className="segmented-links">
            <legend className="visually-hidden">Close rates by</legend>
            {dimensions.map((candidate) => (
              <button
                key={candidate}
                type="button"
                aria-pressed={candidate === dimension}
                className={candidate === dimension ? 'chip chip-active' : 'chip'}
                onClick={() => {
                  const next = new URLSearchParams(params);
                  next.set('dimension', candidate);
                  setParams(next, { replace: true });
                }}
              >
                {dimensionLabels[candidate] ?? humanize(candidate)}
              </button>
            ))}
          </fieldset>
        </div>
        <p className="hint">
          Share of leads who had it before their outcome and became customers; the band is the 95 % (Wilson)
          interval, the line the average {percent(data.population.closeRate)}.
        </p>
        {rows.length === 0 ? (
          <Empty title="Not enough leads yet">Rows need at least 30 leads with a known outcome.</Empty>
        ) : (
          <CloseRateTable rows={rows} average={data.population.closeRate} max={scaleMax} />
        )}
      </article>

      <article className="card" aria-labelledby="triggers-title">
        <h2 id="triggers-title">Triggers</h2>
        <p className="hint">
          Moments that mark a lead as far likelier to buy than average: candidates for a hot-lead rule.
        </p>
        {data.triggers.length === 0 ? (
          <Empty title="No trigger stands out">
            None beats the average by 2× with enough customers behind it.
          </Empty>
        ) : (
          <ul className="trigger-list">
            {data.triggers.map((trigger) => (
              <li key={trigger.key} className="trigger">
                <div>
                  <strong>{trigger.label}</strong>
                  {names && (
                    <div className="small muted">
                      <ConditionText condition={trigger.condition} names={names} />
                    </div>
                  )}
                </div>
                <div className="trigger-figures">
                  <span>
                    <strong>{percent(trigger.closeRate)}</strong> close ({percent(trigger.low)}–
                    {percent(trigger.high)})
                  </span>
                  <span>{trigger.lift.toFixed(1)}× average</span>
                  <span>{percent(trigger.customerShare, 0)} of customers</span>
                  <span>≈ {formatNumber(trigger.averagePerMonth)} leads a month</span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </article>

      <div className="agreement-two">
        <article className="card" aria-labelledby="evaluation-title">
          <h2 id="evaluation-title">Learned score against the agreement’s points</h2>
          {!evaluation ? (
            <Empty title="Not enough history to evaluate">
              The hold-out needs customers and non-customers.
            </Empty>
          ) : (
            <>
              <p className="hint">
                Fitted on {formatNumber(data.model.trainLeads)} leads, evaluated on the{' '}
                {formatNumber(data.model.holdoutLeads)} that came in last
                {data.model.holdoutFrom ? ` (from ${formatDateTime(data.model.holdoutFrom)})` : ''}.
              </p>
              <table className="agreement-table">
                <thead>
                  <tr>
                    <th scope="col">Measure</th>
                    <th scope="col" className="numeric">
                      Learned
                    </th>
                    <th scope="col" className="numeric">
                      Agreement
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {evaluationRows.map((row) => (
                    <tr key={row.label}>
                      <th scope="row">
                        {row.label}
                        <span className="backtest-detail">
                          {row.hint} ({row.better} is better)
                        </span>
                      </th>
                      <td className="numeric">{row.pick(evaluation.learned)}</td>
                      <td className="numeric">{row.pick(evaluation.agreement)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h3>Calibration of the learned score</h3>
              <table className="agreement-table">
                <thead>
                  <tr>
                    <th scope="col">Predicted</th>
                    <th scope="col" className="numeric">
                      Leads
                    </th>
                    <th scope="col" className="numeric">
                      Mean predicted
                    </th>
                    <th scope="col" className="numeric">
                      Observed
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {evaluation.learned.reliability
                    .filter((bin) => bin.leads > 0)
                    .map((bin) => (
                      <tr key={bin.from}>
                        <th scope="row">
                          {percent(bin.from, 0)}–{percent(bin.to, 0)}
                        </th>
                        <td className="numeric">{formatNumber(bin.leads)}</td>
                        <td className="numeric">{percent(bin.meanPredicted)}</td>
                        <td className="numeric">{percent(bin.observed)}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </>
          )}
        </article>
        <article className="card" aria-labelledby="weights-title">
          <h2 id="weights-title">What the learned score weighs</h2>
          <p className="hint">
            As agreement points: {Math.round(data.model.pointsPerLogOdds * Math.LN2)} points double the odds
            of buying.
          </p>
          {topWeights.length === 0 ? (
            <Empty title="No features learned yet" />
          ) : (
            <table className="agreement-table">
              <thead>
                <tr>
                  <th scope="col">Feature</th>
                  <th scope="col" className="numeric">
                    Points
                  </th>
                  <th scope="col" className="numeric">
                    Odds ×
                  </th>
                  <th scope="col" className="numeric">
                    Leads
                  </th>
                </tr>
              </thead>
              <tbody>
                {topWeights.map((weight) => (
                  <tr key={weight.key}>
                    <th scope="row">
                      {weight.label}
                      <span className="backtest-detail">
                        {dimensionLabels[weight.dimension] ?? humanize(weight.dimension)}
                      </span>
                    </th>
                    <td className="numeric">
                      <span className={weight.points < 0 ? 'points points-negative' : 'points'}>
                        {weight.points > 0 ? `+${weight.points}` : weight.points}
                      </span>
                    </td>
                    <td className="numeric">{weight.oddsRatio.toFixed(2)}</td>
                    <td className="numeric">{formatNumber(weight.leads)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </article>
      </div>
      <details className="card insights-method">
        <summary>How these numbers are computed</summary>
        <dl className="agreement-facts">
          {Object.entries(data.method).map(([key, text]) => (
            <div key={key} className="insights-method-row">
              <dt>{humanize(key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase())}</dt>
              <dd>{text}</dd>
            </div>
          ))}
        </dl>
      </details>
    </section>
  );
}

function Figure({ label, value, children }: { label: string; value: string; children: ReactNode }) {
  return (
    <div className="card insights-figure">
      <span className="score-label">{label}</span>
      <span className="score-value">{value}</span>
      <span className="small muted">{children}</span>
    </div>
  );
}

function CloseRateTable({
  rows,
  average,
  max,
}: {
  rows: CloseRateRow[];
  average: number | null;
  max: number;
}) {
  return (
    <table className="agreement-table close-rate-table">
      <thead>
        <tr>
          <th scope="col">Had before the outcome</th>
          <th scope="col" className="numeric">
            Leads
          </th>
          <th scope="col" className="numeric">
            Customers
          </th>
          <th scope="col" className="numeric">
            Close rate
          </th>
          <th scope="col">95 % interval</th>
          <th scope="col" className="numeric">
            Lift
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.label}</th>
            <td className="numeric">{formatNumber(row.leads)}</td>
            <td className="numeric">{formatNumber(row.customers)}</td>
            <td className="numeric">{percent(row.closeRate)}</td>
            <td className="interval-cell">
              <IntervalBar rate={row.closeRate} low={row.low} high={row.high} average={average} max={max} />
              <span className="small muted">
                {percent(row.low)}–{percent(row.high)}
              </span>
            </td>
            <td className="numeric">{row.lift === null ? '—' : `${row.lift.toFixed(2)}×`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
