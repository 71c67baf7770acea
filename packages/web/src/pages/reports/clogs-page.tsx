import { useEffect, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Clog, ClogCheck, ClogReport } from '../../api/report-types.ts';
import { Chart, type ChartOption, chartColors } from '../../components/charts/chart.tsx';
import { type Column, DataTable, DownloadButton, toCsv } from '../../components/report/data-table.tsx';
import { Term } from '../../components/report/definitions.tsx';
import { formatHours, formatMeasure, formatShare } from '../../components/report/report-format.ts';
import { describeDays, Figure, ReportFrame } from '../../components/report/report-frame.tsx';
import { addMonths, currentMonth } from '../../components/report/report-params.ts';
import { SelectField } from '../../components/report/select-field.tsx';
import { csvFileName, useReport } from '../../components/report/use-report.ts';
import { Empty } from '../../components/status.tsx';
import { formatNumber, humanize } from '../../format.ts';
import './reports.css';

const breakdowns = ['', 'source', 'team', 'rep', 'persona', 'quadrant', 'country', 'industry'] as const;

function side(check: ClogCheck, which: 'current' | 'baseline'): string {
  const figures = check[which];
  return check.metric === 'conversion'
    ? `${formatShare(figures.rate ?? null)} of ${formatNumber(figures.entries)}`
    : `${formatHours(figures.medianHours ?? null)} (${formatNumber(figures.entries)})`;
}

function segmentText(check: ClogCheck): string {
  return check.segment ? `${humanize(check.segment.key)} = ${check.segment.value}` : 'Everyone';
}

function conversionOption(checks: ClogCheck[]): ChartOption {
  return {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 10 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value) => formatShare(value === null || value === undefined ? null : Number(value)),
    },
    xAxis: {
      type: 'value',
      max: 1,
      axisLabel: { formatter: (value: number) => formatShare(value) },
      splitLine: { lineStyle: { color: chartColors.line } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: checks.map((check) => check.label),
      axisTick: { show: false },
      axisLine: { show: false },
    },
    series: [
      {
        type: 'bar',
        name: 'This period',
        barGap: '10%',
        barMaxWidth: 14,
        data: checks.map((check) => ({
          value: check.current.rate ?? null,
          itemStyle: { color: check.flagged && check.worse ? chartColors.bad : chartColors.accent },
        })),
      },
      {
        type: 'bar',
        name: 'Baseline',
        barMaxWidth: 14,
        itemStyle: { color: chartColors.accentSoft },
        data: checks.map((check) => check.baseline.rate ?? null),
      },
    ],
  };
}

/** Where the funnel got significantly worse than its own recent past, by revenue at stake, with the leads. */
export function ClogsPage() {
  const [search, setSearch] = useSearchParams();
  const by = search.get('segmentBy') ?? '';
  // A month against the three before it, unless the URL names a period.
  useEffect(() => {
    if (search.has('from') && search.has('to')) return;
    const next = new URLSearchParams(search);
    const last = addMonths(currentMonth(), -1);
    next.set('from', last);
    next.set('to', currentMonth());
    setSearch(next, { replace: true });
  }, [search, setSearch]);
  const { state, params } = useReport<ClogReport>(
    'clogs',
    { segmentBy: by || undefined },
    search.has('from') && search.has('to'),
  );

  const controls = (
    <SelectField
      label="Also test by"
      inline
      value={by}
      onChange={(value) => {
        const next = new URLSearchParams(search);
        if (value) next.set('segmentBy', value);
        else next.delete('segmentBy');
        setSearch(next);
      }}
    >
      {breakdowns.map((key) => (
        <option key={key} value={key}>
          {key ? humanize(key) : 'Nothing else (everyone)'}
        </option>
      ))}
    </SelectField>
  );

  return (
    <ReportFrame
      title="Clogs"
      intro="Stages where fewer people moved on, or people stayed longer, than in the periods just before, beyond what chance explains; the largest revenue at stake first."
      state={state}
      controls={controls}
      isEmpty={(report) => report.checks.length === 0 && report.skippedSmall === 0}
    >
      {(report) => <ClogsBody report={report} csvName={csvFileName('clogs', params, by)} />}
    </ReportFrame>
  );
}

function ClogsBody({ report, csvName }: { report: ClogReport; csvName: string }) {
  const { definitions } = report;
  const everyone = useMemo(
    () => report.checks.filter((check) => check.metric === 'conversion' && check.segment === null),
    [report.checks],
  );
  const option = useMemo(() => conversionOption(everyone), [everyone]);
  const columns: Column<ClogCheck>[] = [
    { header: 'Stage', value: (row) => row.label },
    {
      header: 'Metric',
      value: (row) => (row.metric === 'conversion' ? 'moved on' : 'time in stage'),
      hint: definitions.conversion,
    },
    { header: 'Segment', value: segmentText },
    { header: 'This period', value: (row) => side(row, 'current'), numeric: true },
    { header: 'Baseline', value: (row) => side(row, 'baseline'), numeric: true },
    {
      header: 'q',
      value: (row) => Math.round(row.q * 1000) / 1000,
      numeric: true,
      hint: definitions.multipleComparisons,
    },
    {
      header: 'Verdict',
      value: (row) =>
        row.flagged ? (row.worse ? 'clog' : 'better') : row.worse ? 'worse, within chance' : 'as before',
    },
  ];

  return (
    <>
      <div className="figures">
        <Figure
          label="Clogs"
          value={formatNumber(report.clogs.length)}
          tone={report.clogs.length > 0 ? 'bad' : 'good'}
          note={`of ${formatNumber(report.checks.length)} checks; ${formatNumber(report.skippedSmall)} too small to test`}
        />
        <Figure
          label={<Term label="Baseline" definition={definitions.windows} />}
          value={`${report.baseline.periods} periods`}
          note={describeDays({ ...report.baseline, timezone: report.period.timezone })}
        />
        <Figure
          label={<Term label="Significance" definition={definitions.tests} />}
          value={`q ≤ ${report.options.alpha}`}
          note={`moved on within ${report.options.horizonDays} d; at least ${report.options.minSample} entries`}
        />
      </div>
      {report.clogs.length === 0 ? (
        <Empty title="No clog in this period">
          Nothing got significantly worse than the baseline. The checks below show what was tested.
        </Empty>
      ) : (
        <div className="clog-list">
          {report.clogs.map((clog) => (
            <ClogCard
              key={`${clog.stage}-${clog.metric}-${segmentText(clog)}`}
              clog={clog}
              definitions={definitions}
            />
          ))}
        </div>
      )}
      {everyone.length > 0 && (
        <article className="card chart-card" aria-labelledby="clog-chart-title">
          <h2 id="clog-chart-title">Share moving on from each stage: this period and the baseline</h2>
          <Chart
            option={option}
            height={Math.max(200, everyone.length * 44 + 60)}
            label={`Share moving on, this period against the baseline: ${everyone
              .map(
                (check) =>
                  `${check.label} ${formatShare(check.current.rate ?? null)} against ${formatShare(check.baseline.rate ?? null)}`,
              )
              .join(', ')}.`}
          />
        </article>
      )}
      <div className="table-header">
        <h2>Every check</h2>
        <DownloadButton
          fileName={csvName}
          content={() => toCsv('Clogs: every check', report, columns, report.checks)}
        />
      </div>
      <DataTable
        caption="Checks tested: this period against the baseline"
        columns={columns}
        rows={report.checks}
        rowKey={(row) => `${row.stage}-${row.metric}-${segmentText(row)}`}
      />
    </>
  );
}

function ClogCard({ clog, definitions }: { clog: Clog; definitions: Record<string, string> }) {
  return (
    <article className="card clog" aria-label={`Clog at ${clog.label}`}>
      <div className="sla-half-header">
        <h2>
          {clog.label}: {clog.metric === 'conversion' ? 'fewer move on' : 'people stay longer'}
        </h2>
        <span className="verdict verdict-bad">
          {clog.impact.revenue === null
            ? 'revenue at stake unknown'
            : `${formatMeasure(clog.impact.revenue, 'expected-value')} at stake`}
        </span>
      </div>
      <p className="small muted">
        {segmentText(clog)} · this period {side(clog, 'current')} against {side(clog, 'baseline')} ·{' '}
        <Term
          label={`q = ${Math.round(clog.q * 1000) / 1000}`}
          definition={definitions.multipleComparisons}
        />{' '}
        ·{' '}
        <Term
          label={
            clog.metric === 'conversion'
              ? `${formatNumber(clog.impact.missingConversions ?? 0)} conversions missing`
              : `${formatNumber(clog.impact.stuck ?? 0)} stuck`
          }
          definition={definitions.impact}
        />
      </p>
      {clog.leads.length > 0 && (
        <>
          <h3>
            <Term label={`The leads (${clog.leadCount})`} definition={definitions.leads} />
          </h3>
          <ul className="breach-list">
            {clog.leads.map((lead) => (
              <li key={lead.personId}>
                <Link to={`/leads/${encodeURIComponent(lead.personId)}`}>
                  {lead.name ?? lead.email ?? 'Unnamed lead'}
                </Link>
                <span className="breach-meta">
                  {lead.stillIn ? 'still in the stage' : 'left'} · {formatHours(lead.hoursInStage)}
                </span>
              </li>
            ))}
          </ul>
          {clog.leadCount > clog.leads.length && (
            <p className="hint">
              {clog.leadCount - clog.leads.length} more are not listed; narrow the segment to see them.
            </p>
          )}
        </>
      )}
    </article>
  );
}
