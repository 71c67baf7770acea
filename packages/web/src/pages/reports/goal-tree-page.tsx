import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { query } from '../../api/client.ts';
import type { GoalTreeReport } from '../../api/report-types.ts';
import { Chart, type ChartOption, chartColors } from '../../components/charts/chart.tsx';
import { type Column, DataTable, DownloadButton, toCsv } from '../../components/report/data-table.tsx';
import { Term } from '../../components/report/definitions.tsx';
import { Notice } from '../../components/report/notice.tsx';
import { ReportFilters } from '../../components/report/report-filters.tsx';
import { formatMeasure, formatShare } from '../../components/report/report-format.ts';
import { Figure, ReportFrame } from '../../components/report/report-frame.tsx';
import { readReportParams } from '../../components/report/report-params.ts';
import { SelectField } from '../../components/report/select-field.tsx';
import { csvFileName } from '../../components/report/use-report.ts';
import { formatNumber } from '../../format.ts';
import { labelsOf, useAgreement } from '../../use-agreement.ts';
import { useApi } from '../../use-api.ts';
import './reports.css';

type TotalStage = GoalTreeReport['total']['stages'][number];

/** This year, last year, this year's quarters, and every period the agreement sets a goal for. */
function goalPeriods(goals: readonly string[], now = new Date()): string[] {
  const year = now.getFullYear();
  const labels = new Set([
    String(year),
    String(year - 1),
    ...[1, 2, 3, 4].map((q) => `${year}-Q${q}`),
    ...goals,
  ]);
  return [...labels].sort();
}

function monthsOption(report: GoalTreeReport, money: (value: number) => string): ChartOption {
  return {
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 10 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value) => money(Number(value ?? 0)),
    },
    xAxis: { type: 'category', data: report.months.map((month) => month.label), axisTick: { show: false } },
    yAxis: {
      type: 'value',
      axisLabel: { formatter: (value: number) => money(value) },
      splitLine: { lineStyle: { color: chartColors.line } },
    },
    series: [
      {
        type: 'bar',
        name: 'Revenue won',
        barMaxWidth: 28,
        itemStyle: { color: chartColors.sales, borderRadius: [3, 3, 0, 0] },
        data: report.months.map((month) => month.revenueWon),
      },
      {
        type: 'line',
        name: 'Goal',
        step: 'middle',
        symbol: 'none',
        lineStyle: { color: chartColors.text, type: 'dashed', width: 1.5 },
        itemStyle: { color: chartColors.text },
        data: report.months.map((month) => month.revenueGoal),
      },
    ],
  };
}

/** From the revenue goal down to the leads needed, through measured rates, and the gap to what the funnel makes. */
export function GoalTreePage() {
  const [search, setSearch] = useSearchParams();
  const current = useAgreement();
  const label = labelsOf(current?.agreement);
  const goals = ((current?.agreement as { goals?: { period?: unknown }[] } | undefined)?.goals ?? []).flatMap(
    (goal) => (typeof goal.period === 'string' ? [goal.period] : []),
  );
  const period = search.get('period') ?? String(new Date().getFullYear());
  const params = readReportParams(search);
  const segment = new URLSearchParams(query({ period }));
  for (const [key, value] of Object.entries(params.segment)) segment.append('segment', `${key}=${value}`);
  const state = useApi<GoalTreeReport>(`/api/v1/reports/goal-tree?${segment.toString()}`);

  const controls = (
    <SelectField
      label="Goal period"
      inline
      value={period}
      onChange={(value) => {
        const next = new URLSearchParams(search);
        next.set('period', value);
        setSearch(next);
      }}
    >
      {goalPeriods(goals).map((option) => (
        <option key={option} value={option}>
          {option}
          {goals.includes(option) ? ' · goal set' : ''}
        </option>
      ))}
    </SelectField>
  );

  return (
    <ReportFrame
      title="Goal tree"
      intro="From the revenue goal down to the deals, opportunities, SQLs, MQLs and leads it takes, through the conversion rates measured over the last twelve months, against what the funnel produced."
      state={state}
      controls={controls}
      filters={<ReportFilters withPeriod={false} />}
      isEmpty={() => false}
    >
      {(report) => (
        <GoalTreeBody
          report={report}
          label={label}
          goals={goals}
          csvName={csvFileName('goal-tree', { ...params, from: period, to: period })}
        />
      )}
    </ReportFrame>
  );
}

function GoalTreeBody({
  report,
  label,
  goals,
  csvName,
}: {
  report: GoalTreeReport;
  label: (id: string) => string;
  goals: string[];
  csvName: string;
}) {
  const { definitions, total } = report;
  const money = (value: number | null) => formatMeasure(value, 'expected-value', report.currency);
  const option = useMemo(
    () => monthsOption(report, (value) => formatMeasure(value, 'expected-value', report.currency)),
    [report],
  );
  const fraction = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
  const columns: Column<TotalStage>[] = [
    { header: 'Stage', value: (row) => label(row.stage) },
    { header: 'Needed', value: (row) => fraction(row.needed), numeric: true, hint: definitions.needed },
    {
      header: 'Needed by now',
      value: (row) => fraction(row.neededToDate),
      numeric: true,
      hint: definitions.pace,
    },
    { header: 'Entered', value: (row) => row.actual, numeric: true, hint: definitions.actual },
    { header: 'Gap', value: (row) => fraction(row.gap), numeric: true, hint: definitions.pace },
    {
      header: 'Pace',
      value: (row) => row.pace,
      display: (row) => formatShare(row.pace),
      numeric: true,
      hint: definitions.pace,
    },
    { header: 'Projected', value: (row) => fraction(row.projected), numeric: true, hint: definitions.pace },
  ];

  return (
    <>
      {total.revenueGoal === null && (
        <Notice>
          The agreement sets no revenue goal for {report.period.label ?? 'this period'}, so nothing is
          “needed”; the figures show what the funnel produced.
          {goals.length > 0 && ` Goals are set for ${goals.join(', ')}.`}
        </Notice>
      )}
      <div className="figures">
        <Figure
          label={<Term label="Revenue goal" definition={definitions.goal} />}
          value={money(total.revenueGoal)}
          note={`${formatShare(total.elapsedShare)} of the period passed`}
        />
        <Figure
          label="Revenue won"
          value={money(total.revenueWon)}
          note={
            total.revenueGoal ? `${formatShare(total.revenueWon / total.revenueGoal)} of the goal` : undefined
          }
        />
        <Figure
          label={<Term label="Average deal" definition={definitions.dealSize} />}
          value={money(report.averageDealSize.amount)}
          note={
            report.averageDealSize.basis
              ? `from the ${report.averageDealSize.basis === 'goal' ? 'goals' : 'won deals'}`
              : 'unknown'
          }
        />
      </div>
      <article className="card chart-card" aria-labelledby="goal-months-title">
        <h2 id="goal-months-title">Revenue won and the goal, month by month</h2>
        <Chart
          option={option}
          height={300}
          label={`Revenue won per month: ${report.months.map((month) => `${month.label} ${money(month.revenueWon)}`).join(', ')}.`}
        />
      </article>
      <div className="table-header">
        <h2>What the goal takes, stage by stage</h2>
        <DownloadButton
          fileName={csvName}
          content={() => toCsv('Goal tree', report, columns, total.stages)}
        />
      </div>
      <DataTable
        caption={`Needed and entered per stage over ${report.period.label ?? 'the period'}`}
        columns={columns}
        rows={total.stages}
        rowKey={(row) => row.stage}
      />
      <DataTable
        caption="Conversion rates used"
        rows={report.rates}
        rowKey={(row) => `${row.from}-${row.to}`}
        columns={[
          { header: 'From → to', value: (row) => `${label(row.from)} → ${label(row.to)}` },
          {
            header: 'Rate',
            value: (row) => row.rate,
            display: (row) => formatShare(row.rate),
            numeric: true,
            hint: definitions.rates,
          },
          {
            header: 'Basis',
            value: (row) => (row.basis === 'measured' ? 'measured' : 'default (too few entries)'),
          },
          { header: 'Entered earlier stage', value: (row) => row.entered.from, numeric: true },
          { header: 'Entered later stage', value: (row) => row.entered.to, numeric: true },
        ]}
      />
      <p className="small muted">
        {formatNumber(report.window.months)} months measured, from {report.window.from.slice(0, 10)} to{' '}
        {report.window.to.slice(0, 10)}; a rate needs {report.window.minimumEntries} entries to be trusted.
      </p>
    </>
  );
}
