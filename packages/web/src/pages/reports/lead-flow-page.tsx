import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { LeadFlowReport, LeadFlowRow } from '../../api/report-types.ts';
import { Chart, type ChartOption, chartColors } from '../../components/charts/chart.tsx';
import { type Column, DataTable, DownloadButton, toCsv } from '../../components/report/data-table.tsx';
import { formatChange, formatMeasure, formatShare } from '../../components/report/report-format.ts';
import { Figure, ReportFrame } from '../../components/report/report-frame.tsx';
import { SelectField } from '../../components/report/select-field.tsx';
import { UnitToggle, useUnit } from '../../components/report/unit-toggle.tsx';
import { csvFileName, useReport } from '../../components/report/use-report.ts';
import { formatNumber } from '../../format.ts';
import { labelsOf, useAgreement } from '../../use-agreement.ts';
import './reports.css';

type Row = Omit<LeadFlowRow, 'from' | 'to' | 'change'> & { change: LeadFlowRow['change'] | null };

const qualityLines = {
  averageFit: {
    label: 'Average fit',
    read: (row: Row) => row.quality.averageFit,
    show: (value: number) => formatNumber(value),
  },
  shareHot: { label: 'Share hot now', read: (row: Row) => row.quality.shareHot, show: formatShare },
  points: {
    label: 'Points',
    read: (row: Row) => row.quality.points,
    show: (value: number) => formatNumber(value),
  },
  expectedValue: {
    label: 'Expected value',
    read: (row: Row) => row.quality.expectedValue,
    show: (value: number) => formatMeasure(value, 'expected-value'),
  },
} as const;
type QualityLine = keyof typeof qualityLines;

function flowOption(rows: Row[], line: QualityLine, labels: { leads: string; mqls: string }): ChartOption {
  const quality = qualityLines[line];
  return {
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 10 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: rows.map((row) => row.label), axisTick: { show: false } },
    yAxis: [
      { type: 'value', name: 'people', splitLine: { lineStyle: { color: chartColors.line } } },
      {
        type: 'value',
        name: quality.label.toLowerCase(),
        splitLine: { show: false },
        axisLabel: { formatter: (value: number) => quality.show(value) },
      },
    ],
    series: [
      {
        type: 'bar',
        name: labels.leads,
        data: rows.map((row) => row.leads),
        itemStyle: { color: chartColors.accentSoft, borderRadius: [3, 3, 0, 0] },
        barMaxWidth: 28,
      },
      {
        type: 'bar',
        name: labels.mqls,
        data: rows.map((row) => row.mqls),
        itemStyle: { color: chartColors.marketing, borderRadius: [3, 3, 0, 0] },
        barMaxWidth: 28,
      },
      {
        type: 'line',
        name: quality.label,
        yAxisIndex: 1,
        data: rows.map((row) => quality.read(row)),
        connectNulls: false,
        symbolSize: 7,
        lineStyle: { width: 2.5, color: chartColors.warn },
        itemStyle: { color: chartColors.warn },
        tooltip: {
          valueFormatter: (value) =>
            value === null || value === undefined ? '–' : quality.show(Number(value)),
        },
      },
    ],
  };
}

/** Leads and MQLs per month (or week), the change from the row before, and their quality. */
export function LeadFlowPage() {
  const [unit, setUnit] = useUnit();
  const [search, setSearch] = useSearchParams();
  const chosen = search.get('quality');
  const line: QualityLine = chosen && chosen in qualityLines ? (chosen as QualityLine) : 'averageFit';
  const { state, params } = useReport<LeadFlowReport>('lead-flow', { unit });
  const label = labelsOf(useAgreement()?.agreement);

  const controls = (
    <>
      <UnitToggle unit={unit} onChange={setUnit} />
      <SelectField
        label="Quality line"
        inline
        value={line}
        onChange={(value) => {
          const next = new URLSearchParams(search);
          if (value === 'averageFit') next.delete('quality');
          else next.set('quality', value);
          setSearch(next);
        }}
      >
        {Object.entries(qualityLines).map(([id, entry]) => (
          <option key={id} value={id}>
            {entry.label}
          </option>
        ))}
      </SelectField>
    </>
  );

  return (
    <ReportFrame
      title="Lead flow"
      intro="How many leads and marketing-qualified leads arrived each month, how that changed, and how good they were."
      state={state}
      controls={controls}
      isEmpty={(report) => report.total.leads === 0 && report.total.mqls === 0 && report.total.newLeads === 0}
    >
      {(report) => (
        <LeadFlowBody
          report={report}
          line={line}
          labels={{ leads: `${label(report.leadStage)}s`, mqls: `${label(report.mqlStage)}s` }}
          csvName={csvFileName('lead-flow', params, report.unit)}
        />
      )}
    </ReportFrame>
  );
}

function LeadFlowBody({
  report,
  line,
  labels,
  csvName,
}: {
  report: LeadFlowReport;
  line: QualityLine;
  labels: { leads: string; mqls: string };
  csvName: string;
}) {
  const definitions = report.definitions;
  const rows: Row[] = report.rows;
  const total: Row = { label: 'Total', ...report.total, change: null };
  const { leads: leadsLabel, mqls: mqlsLabel } = labels;
  const option = useMemo(
    () => flowOption(report.rows, line, { leads: leadsLabel, mqls: mqlsLabel }),
    [report.rows, line, leadsLabel, mqlsLabel],
  );
  const columns: Column<Row>[] = [
    {
      header: report.unit === 'week' ? 'Week' : 'Month',
      value: (row) => row.label,
      hint: definitions.buckets,
    },
    { header: 'Leads', value: (row) => row.leads, numeric: true, hint: definitions.leads },
    {
      header: 'Leads change',
      value: (row) => row.change?.leads.absolute ?? null,
      display: (row) => (row.change ? formatChange(row.change.leads) : ''),
      numeric: true,
    },
    { header: 'New leads', value: (row) => row.newLeads, numeric: true, hint: definitions.leads },
    { header: 'MQLs', value: (row) => row.mqls, numeric: true, hint: definitions.leads },
    {
      header: 'MQLs change',
      value: (row) => row.change?.mqls.absolute ?? null,
      display: (row) => (row.change ? formatChange(row.change.mqls) : ''),
      numeric: true,
    },
    { header: 'Invalid', value: (row) => row.quality.invalid, numeric: true, hint: definitions.invalid },
    {
      header: 'Average fit',
      value: (row) => row.quality.averageFit,
      numeric: true,
      hint: definitions.quality,
    },
    {
      header: 'Share hot',
      value: (row) => row.quality.shareHot,
      display: (row) => formatShare(row.quality.shareHot),
      numeric: true,
      hint: definitions.quality,
    },
    { header: 'Points', value: (row) => row.quality.points, numeric: true, hint: definitions.points },
    {
      header: 'Expected value',
      value: (row) => row.quality.expectedValue,
      display: (row) => formatMeasure(row.quality.expectedValue, 'expected-value'),
      numeric: true,
      hint: definitions.expectedValue,
    },
  ];

  return (
    <>
      <div className="figures">
        <Figure
          label={`${labels.leads} in the period`}
          value={formatNumber(report.total.leads)}
          note={`${formatNumber(report.total.newLeads)} new`}
        />
        <Figure
          label={`${labels.mqls} in the period`}
          value={formatNumber(report.total.mqls)}
          note={`${formatNumber(report.total.quality.invalid)} rejected as invalid`}
        />
        <Figure
          label="Their average fit"
          value={
            report.total.quality.averageFit === null ? '–' : formatNumber(report.total.quality.averageFit)
          }
          note={`${formatShare(report.total.quality.shareHot)} hot now`}
        />
        <Figure
          label="Their value"
          value={`${formatNumber(report.total.quality.points)} pts`}
          note={`expected ${formatMeasure(report.total.quality.expectedValue, 'expected-value')}`}
        />
      </div>
      <article className="card chart-card" aria-labelledby="flow-chart-title">
        <h2 id="flow-chart-title">
          {labels.leads} and {labels.mqls} per {report.unit}, with {qualityLines[line].label.toLowerCase()}
        </h2>
        <Chart
          option={option}
          height={340}
          label={`Lead flow per ${report.unit}: ${report.rows
            .map((row) => `${row.label}: ${row.leads} leads, ${row.mqls} MQLs`)
            .join('; ')}.`}
        />
      </article>
      <div className="table-header">
        <h2>The figures</h2>
        <DownloadButton fileName={csvName} content={() => toCsv('Lead flow', report, columns, rows, total)} />
      </div>
      <DataTable
        caption={`Leads and MQLs per ${report.unit}, with the period's total (each person once)`}
        columns={columns}
        rows={rows}
        footer={total}
        rowKey={(row) => row.label}
      />
    </>
  );
}
