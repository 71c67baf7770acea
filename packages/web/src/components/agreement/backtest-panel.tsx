import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { BacktestReport, BacktestSide } from '../../api/insights-types.ts';
import { formatNumber, humanize } from '../../format.ts';

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;
}

function number(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : formatNumber(value);
}

function interval(low: number | null, high: number | null): string | undefined {
  return low === null || high === null ? undefined : `${percent(low)}–${percent(high)}`;
}

type Measure = {
  label: string;
  hint?: string;
  show(side: BacktestSide): string;
  value(side: BacktestSide): number | null;
  detail?(side: BacktestSide): string | undefined;
};

const measures: Measure[] = [
  {
    label: 'MQLs',
    show: (side) => number(side.totals.mqls),
    value: (side) => side.totals.mqls,
  },
  {
    label: 'Hot when they became MQLs',
    show: (side) => percent(side.totals.shareHot),
    value: (side) => side.totals.shareHot,
  },
  {
    label: 'Expected close rate (learned score)',
    show: (side) => percent(side.totals.expectedCloseRate),
    value: (side) => side.totals.expectedCloseRate,
  },
  {
    label: 'Actual close rate of decided MQLs',
    hint: 'Wilson 95 % interval below',
    show: (side) => percent(side.totals.actualCloseRate),
    value: (side) => side.totals.actualCloseRate,
    detail: (side) => interval(side.totals.actualLow, side.totals.actualHigh),
  },
  {
    label: 'MQL points a month (median)',
    show: (side) => number(side.sla.impliedMonthlyPoints),
    value: (side) => side.sla.impliedMonthlyPoints,
    detail: (side) => `target ${formatNumber(side.sla.target)} a ${side.sla.period}`,
  },
  {
    label: 'First-touch clocks started',
    show: (side) => number(side.clocks.started),
    value: (side) => side.clocks.started,
  },
  {
    label: 'Worked within the deadline',
    show: (side) => percent(side.clocks.workedShare),
    value: (side) => side.clocks.workedShare,
    detail: (side) => `target ${percent(side.sla.workedWithinDeadline)}`,
  },
];

function Change({ before, after }: { before: number | null; after: number | null }) {
  if (before === null || after === null || before === after) return <span className="muted">—</span>;
  const up = after > before;
  const relative = before === 0 ? undefined : ((after - before) / Math.abs(before)) * 100;
  return (
    <span className={up ? 'change change-up' : 'change change-down'}>
      {up ? '▲' : '▼'} {relative === undefined ? 'new' : `${Math.abs(relative).toFixed(0)}%`}
    </span>
  );
}

/**
 * Replays the stored history under the candidate beside the current version
 * (`POST /api/v1/backtests`) and shows both side by side: MQL volume and quality, close rates
 * with their intervals, the SLA each implies, quadrant moves and rep load.
 */
export function BacktestPanel({
  document,
  enabled,
  repName,
}: {
  document: string;
  enabled: boolean;
  repName(id: string): string;
}) {
  const [months, setMonths] = useState(6);
  const [state, setState] = useState<
    | { status: 'idle' }
    | { status: 'running' }
    | { status: 'done'; report: BacktestReport; document: string }
    | { status: 'failed'; message: string }
  >({ status: 'idle' });
  const done = state.status === 'done' ? state : undefined;

  return (
    <section
      className="card backtest"
      aria-labelledby="backtest-title"
      aria-busy={state.status === 'running'}
    >
      <div className="backtest-head">
        <h2 id="backtest-title">Backtest</h2>
        <label className="field field-inline small">
          <span>Months</span>
          <select value={months} onChange={(event) => setMonths(Number(event.target.value))}>
            {[3, 6, 12].map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button"
          disabled={!enabled || state.status === 'running'}
          title={enabled ? undefined : 'Validate the candidate first'}
          onClick={async () => {
            setState({ status: 'running' });
            try {
              const report = await api.post<BacktestReport>('/api/v1/backtests', {
                candidate: document,
                months,
              });
              setState({ status: 'done', report, document });
            } catch (error) {
              setState({ status: 'failed', message: error instanceof Error ? error.message : String(error) });
            }
          }}
        >
          {state.status === 'running' ? 'Replaying history…' : 'Run backtest'}
        </button>
      </div>
      <p className="hint">
        Replays the stored history under the candidate and under the current version; nothing is written.
      </p>
      {state.status === 'failed' && <p className="form-error">{state.message}</p>}
      {done && done.document !== document && (
        <p className="notice">The candidate changed since this backtest.</p>
      )}
      {done && <BacktestReportView report={done.report} repName={repName} />}
    </section>
  );
}

function BacktestReportView({ report, repName }: { report: BacktestReport; repName(id: string): string }) {
  const repIds = [...new Set([...report.current.reps, ...report.candidate.reps].map((rep) => rep.repId))];
  return (
    <div className="backtest-report" data-testid="backtest-report">
      <p className="small muted">
        {report.months[0]} to {report.months.at(-1)} · {formatNumber(report.facts)} facts of{' '}
        {formatNumber(report.contacts)} contacts · MQL = {report.mqlStage} · a win counts within{' '}
        {report.horizonDays} days.
      </p>
      <table className="agreement-table backtest-table">
        <caption className="visually-hidden">
          Version {report.agreementVersion} and the candidate side by side
        </caption>
        <thead>
          <tr>
            <th scope="col">Measure</th>
            <th scope="col" className="numeric">
              Version {report.agreementVersion}
            </th>
            <th scope="col" className="numeric">
              Candidate
            </th>
            <th scope="col" className="numeric">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {measures.map((measure) => (
            <tr key={measure.label}>
              <th scope="row">{measure.label}</th>
              {[report.current, report.candidate].map((side, index) => (
                <td key={index === 0 ? 'current' : 'candidate'} className="numeric">
                  {measure.show(side)}
                  {measure.detail?.(side) && <span className="backtest-detail">{measure.detail(side)}</span>}
                </td>
              ))}
              <td className="numeric">
                <Change before={measure.value(report.current)} after={measure.value(report.candidate)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>MQLs by month</h3>
      <table className="agreement-table backtest-table">
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col" className="numeric">
              Version {report.agreementVersion}
            </th>
            <th scope="col" className="numeric">
              Candidate
            </th>
            <th scope="col" className="numeric">
              Close rate, version {report.agreementVersion} → candidate
            </th>
          </tr>
        </thead>
        <tbody>
          {report.months.map((month) => {
            const before = report.current.months.find((row) => row.month === month);
            const after = report.candidate.months.find((row) => row.month === month);
            return (
              <tr key={month}>
                <th scope="row">{month}</th>
                <td className="numeric">{number(before?.mqls)}</td>
                <td className="numeric">{number(after?.mqls)}</td>
                <td className="numeric">
                  {percent(before?.actualCloseRate)} → {percent(after?.actualCloseRate)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <h3>Quadrants</h3>
      {report.quadrantChanges.total === 0 ? (
        <p className="small muted">No contact would change quadrant.</p>
      ) : (
        <p className="small">
          {formatNumber(report.quadrantChanges.total)} contacts would change quadrant:{' '}
          {report.quadrantChanges.byPair
            .slice(0, 6)
            .map((pair) => `${humanize(pair.from)} → ${humanize(pair.to)} ${formatNumber(pair.contacts)}`)
            .join(' · ')}
        </p>
      )}

      {repIds.length > 0 && (
        <>
          <h3>New leads per rep and week</h3>
          <table className="agreement-table backtest-table">
            <thead>
              <tr>
                <th scope="col">Rep</th>
                <th scope="col" className="numeric">
                  Version {report.agreementVersion}
                </th>
                <th scope="col" className="numeric">
                  Candidate
                </th>
                <th scope="col" className="numeric">
                  Weeks over capacity
                </th>
              </tr>
            </thead>
            <tbody>
              {repIds.map((repId) => {
                const before = report.current.reps.find((rep) => rep.repId === repId);
                const after = report.candidate.reps.find((rep) => rep.repId === repId);
                return (
                  <tr key={repId}>
                    <th scope="row">{repName(repId)}</th>
                    <td className="numeric">{number(before?.meanPerWeek)}</td>
                    <td className="numeric">{number(after?.meanPerWeek)}</td>
                    <td className="numeric">
                      {number(before?.weeksOverCapacity)} → {number(after?.weeksOverCapacity)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
