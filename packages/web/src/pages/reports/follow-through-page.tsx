import { useCallback, useMemo } from 'react';
import type { FollowThroughFigures, FollowThroughReport } from '../../api/report-types.ts';
import { Chart, type ChartOption, chartColors } from '../../components/charts/chart.tsx';
import { type Column, DataTable, DownloadButton, toCsv } from '../../components/report/data-table.tsx';
import { formatHours, formatShare } from '../../components/report/report-format.ts';
import { Figure, ReportFrame } from '../../components/report/report-frame.tsx';
import { csvFileName, useReport } from '../../components/report/use-report.ts';
import { formatNumber, humanize } from '../../format.ts';
import { labelsOf, useAgreement } from '../../use-agreement.ts';
import './reports.css';

const verdicts = [
  { key: 'accepted', label: 'Accepted', color: chartColors.good },
  { key: 'rejected', label: 'Rejected', color: chartColors.bad },
  { key: 'recycled', label: 'Recycled', color: chartColors.warn },
  { key: 'pending', label: 'No verdict yet', color: chartColors.line },
] as const;

function verdictOption(rows: { name: string; figures: FollowThroughFigures }[]): ChartOption {
  return {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 10 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', splitLine: { lineStyle: { color: chartColors.line } } },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map((row) => row.name),
      axisTick: { show: false },
      axisLine: { show: false },
    },
    series: verdicts.map((verdict) => ({
      type: 'bar' as const,
      name: verdict.label,
      stack: 'verdicts',
      barMaxWidth: 22,
      itemStyle: { color: verdict.color },
      data: rows.map((row) => row.figures.feedback[verdict.key]),
    })),
  };
}

function touchOption(rows: { name: string; figures: FollowThroughFigures }[]): ChartOption {
  return {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 10 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value) =>
        value === null || value === undefined ? '–' : `${formatNumber(Number(value))} h`,
    },
    xAxis: { type: 'value', splitLine: { lineStyle: { color: chartColors.line } } },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map((row) => row.name),
      axisTick: { show: false },
      axisLine: { show: false },
    },
    series: [
      {
        type: 'bar',
        name: 'Median',
        barGap: '10%',
        barMaxWidth: 12,
        itemStyle: { color: chartColors.sales },
        data: rows.map((row) => row.figures.timeToFirstTouch.slaHours.median),
      },
      {
        type: 'bar',
        name: '90th percentile',
        barMaxWidth: 12,
        itemStyle: { color: chartColors.accentSoft },
        data: rows.map((row) => row.figures.timeToFirstTouch.slaHours.p90),
      },
    ],
  };
}

/** How sales followed through on the leads handed to them: first touch, attempts, verdicts. */
export function FollowThroughPage() {
  const { state, params } = useReport<FollowThroughReport>('follow-through');
  const agreement = useAgreement()?.agreement;
  const label = useMemo(() => labelsOf(agreement), [agreement]);
  const teams = useMemo(
    () => new Map((agreement?.teams ?? []).map((team) => [team.id, team.label])),
    [agreement],
  );
  const teamName = useCallback(
    (id: string | null) => (id === null ? 'No team' : (teams.get(id) ?? id)),
    [teams],
  );
  return (
    <ReportFrame
      title="Follow-through"
      intro="What sales did with the leads handed to them in the period: how fast the first touch came, how many attempts followed, and the verdict."
      state={state}
      isEmpty={(report) => report.total.handed === 0}
    >
      {(report) => (
        <FollowThroughBody
          report={report}
          repName={label}
          teamName={teamName}
          csvName={csvFileName('follow-through', params)}
        />
      )}
    </ReportFrame>
  );
}

function FollowThroughBody({
  report,
  repName,
  teamName,
  csvName,
}: {
  report: FollowThroughReport;
  repName: (id: string) => string;
  teamName: (id: string | null) => string;
  csvName: string;
}) {
  const { total, definitions } = report;
  const rows = useMemo(
    () =>
      report.reps.map((figures) => ({
        name: figures.rep ? repName(figures.rep) : teamName(figures.team),
        figures,
      })),
    [report.reps, repName, teamName],
  );
  const verdictChart = useMemo(() => verdictOption(rows), [rows]);
  const touchChart = useMemo(() => touchOption(rows), [rows]);
  const name = (row: FollowThroughFigures) =>
    row.rep ? repName(row.rep) : row === total ? 'All' : teamName(row.team);

  const columns: Column<FollowThroughFigures>[] = [
    { header: 'Rep', value: name },
    { header: 'Handed', value: (row) => row.handed, numeric: true, hint: definitions.handed },
    { header: 'Worked', value: (row) => row.worked, numeric: true, hint: definitions.worked },
    {
      header: 'Worked share',
      value: (row) => row.workedShare,
      display: (row) => formatShare(row.workedShare),
      numeric: true,
    },
    {
      header: '1st touch median (h)',
      value: (row) => row.timeToFirstTouch.slaHours.median,
      numeric: true,
      hint: definitions.timeToFirstTouch,
    },
    {
      header: '1st touch p90 (h)',
      value: (row) => row.timeToFirstTouch.slaHours.p90,
      numeric: true,
      hint: definitions.timeToFirstTouch,
    },
    {
      header: `Attempts (${report.attemptDays} d)`,
      value: (row) => row.attempts.average,
      numeric: true,
      hint: definitions.attempts,
    },
    { header: 'Untouched', value: (row) => row.attempts.none, numeric: true, hint: definitions.attempts },
    { header: 'Accepted', value: (row) => row.feedback.accepted, numeric: true, hint: definitions.feedback },
    { header: 'Rejected', value: (row) => row.feedback.rejected, numeric: true },
    { header: 'Recycled', value: (row) => row.feedback.recycled, numeric: true },
    { header: 'No verdict', value: (row) => row.feedback.pending, numeric: true },
  ];

  return (
    <>
      <div className="figures">
        <Figure
          label="Handed to sales"
          value={formatNumber(total.handed)}
          note={`${formatNumber(total.worked)} worked`}
        />
        <Figure
          label="Worked"
          value={formatShare(total.workedShare)}
          note={`by ${report.qualifyingTouches.map(humanize).join(', ').toLowerCase()}`}
        />
        <Figure
          label="First touch, median"
          value={formatHours(total.timeToFirstTouch.slaHours.median)}
          note={`90th percentile ${formatHours(total.timeToFirstTouch.slaHours.p90)}, clock hours`}
        />
        <Figure
          label="Accepted"
          value={formatShare(total.feedback.acceptRate)}
          note={`${formatShare(total.feedback.rejectRate)} rejected · ${formatShare(total.feedback.recycleRate)} recycled`}
        />
      </div>
      <div className="report-grid">
        <article className="card chart-card" aria-labelledby="verdict-title">
          <h2 id="verdict-title">Verdicts by rep</h2>
          <Chart
            option={verdictChart}
            height={Math.max(200, rows.length * 40 + 60)}
            label={`Verdicts by rep: ${rows
              .map(
                (row) =>
                  `${row.name} ${row.figures.feedback.accepted} accepted, ${row.figures.feedback.rejected} rejected`,
              )
              .join('; ')}.`}
          />
        </article>
        <article className="card chart-card" aria-labelledby="touch-title">
          <h2 id="touch-title">Time to first touch by rep, in clock hours</h2>
          <Chart
            option={touchChart}
            height={Math.max(200, rows.length * 40 + 60)}
            label={`Median time to first touch: ${rows
              .map((row) => `${row.name} ${formatHours(row.figures.timeToFirstTouch.slaHours.median)}`)
              .join(', ')}.`}
          />
        </article>
      </div>
      <div className="table-header">
        <h2>The figures</h2>
        <DownloadButton
          fileName={csvName}
          content={() => toCsv('Follow-through', report, columns, [...report.teams, ...report.reps], total)}
        />
      </div>
      <DataTable
        caption="Follow-through by rep, with the total"
        columns={columns}
        rows={report.reps}
        footer={total}
        rowKey={(row) => `${row.team}-${row.rep}`}
      />
      {total.feedback.reasons.length > 0 && (
        <DataTable
          caption="Reasons given for rejecting and recycling"
          columns={[
            { header: 'Reason', value: (row) => (row.reason ? repName(row.reason) : 'No reason given') },
            { header: 'Verdict', value: (row) => humanize(row.verdict) },
            { header: 'Leads', value: (row) => row.count, numeric: true },
          ]}
          rows={total.feedback.reasons}
          rowKey={(row) => `${row.verdict}-${row.reason}`}
        />
      )}
    </>
  );
}
