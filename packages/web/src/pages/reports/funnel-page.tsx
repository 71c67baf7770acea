import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { FunnelReport, FunnelStage } from '../../api/report-types.ts';
import { Chart, type ChartOption, chartColors } from '../../components/charts/chart.tsx';
import { type Column, DataTable, DownloadButton, toCsv } from '../../components/report/data-table.tsx';
import { Term } from '../../components/report/definitions.tsx';
import { formatHours, formatShare } from '../../components/report/report-format.ts';
import { Figure, ReportFrame } from '../../components/report/report-frame.tsx';
import { csvFileName, useReport } from '../../components/report/use-report.ts';
import { formatNumber } from '../../format.ts';
import { useAgreement } from '../../use-agreement.ts';
import './reports.css';

type View = 'anyOrder' | 'strictOrder';

const days = (hours: number | null) => (hours === null ? null : Math.round((hours / 24) * 10) / 10);

function stageColumns(definitions: Record<string, string>): Column<FunnelStage>[] {
  return [
    { header: 'Stage', value: (row) => row.label },
    { header: 'Entered', value: (row) => row.entered, numeric: true, hint: definitions.entered },
    {
      header: 'From previous',
      value: (row) => row.conversionFromPrevious,
      display: (row) => formatShare(row.conversionFromPrevious),
      numeric: true,
      hint: definitions.conversion,
    },
    {
      header: 'From first',
      value: (row) => row.conversionFromFirst,
      display: (row) => formatShare(row.conversionFromFirst),
      numeric: true,
      hint: definitions.conversion,
    },
    { header: 'Re-entries', value: (row) => row.reentries, numeric: true, hint: definitions.people },
    { header: 'Returning', value: (row) => row.returning, numeric: true, hint: definitions.people },
    {
      header: 'Median days in stage',
      value: (row) => days(row.timeInStage.medianHours),
      numeric: true,
      hint: definitions.timeInStage,
    },
    {
      header: 'P90 days in stage',
      value: (row) => days(row.timeInStage.p90Hours),
      numeric: true,
      hint: definitions.timeInStage,
    },
    { header: 'Left', value: (row) => row.timeInStage.left, numeric: true },
    { header: 'Still in', value: (row) => row.timeInStage.stillIn, numeric: true },
  ];
}

function funnelOption(stages: FunnelStage[], owners: ReadonlyMap<string, string>): ChartOption {
  return {
    grid: { left: 8, right: 130, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', splitLine: { lineStyle: { color: chartColors.line } } },
    yAxis: {
      type: 'category',
      inverse: true,
      data: stages.map((stage) => stage.label),
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: { fontSize: 13 },
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value) => formatNumber(Number(value)),
    },
    series: [
      {
        type: 'bar',
        name: 'Entered',
        barMaxWidth: 34,
        data: stages.map((stage) => ({
          value: stage.entered,
          itemStyle: {
            color: owners.get(stage.stage) === 'sales' ? chartColors.sales : chartColors.marketing,
            borderRadius: [0, 4, 4, 0],
          },
        })),
        label: {
          show: true,
          position: 'right',
          color: chartColors.text,
          formatter: (item) => {
            const stage = stages[item.dataIndex];
            if (!stage) return '';
            const rate = stage.conversionFromPrevious;
            return rate === null
              ? `{count|${formatNumber(stage.entered)}}`
              : `{count|${formatNumber(stage.entered)}}  {rate|${formatShare(rate)} of previous}`;
          },
          rich: {
            count: { fontWeight: 'bold', fontSize: 13 },
            rate: { color: chartColors.muted, fontSize: 12 },
          },
        },
      },
    ],
  };
}

function timeOption(stages: FunnelStage[]): ChartOption {
  return {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 10 },
    xAxis: {
      type: 'value',
      splitLine: { lineStyle: { color: chartColors.line } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: stages.map((stage) => stage.label),
      axisTick: { show: false },
      axisLine: { show: false },
    },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (value) => `${value} d` },
    series: [
      {
        type: 'bar',
        name: 'Median',
        data: stages.map((stage) => days(stage.timeInStage.medianHours)),
        itemStyle: { color: chartColors.accent },
        barGap: '10%',
        barMaxWidth: 14,
      },
      {
        type: 'bar',
        name: '90th percentile',
        data: stages.map((stage) => days(stage.timeInStage.p90Hours)),
        itemStyle: { color: chartColors.accentSoft },
        barMaxWidth: 14,
      },
    ],
  };
}

/** The funnel of a period and segment: people entering each stage, conversion, time in stage. */
export function FunnelPage() {
  const [search, setSearch] = useSearchParams();
  const view: View = search.get('view') === 'strict' ? 'strictOrder' : 'anyOrder';
  const { state, params } = useReport<FunnelReport>('funnel');
  const agreement = useAgreement()?.agreement;
  const owners = useMemo(
    () => new Map((agreement?.stages ?? []).map((stage) => [stage.id, stage.owner])),
    [agreement],
  );

  const controls = (
    <fieldset className="segmented view-toggle">
      <legend className="visually-hidden">Which entries count</legend>
      {(
        [
          ['anyOrder', 'Any order'],
          ['strictOrder', 'Strict order'],
        ] as const
      ).map(([id, label]) => (
        <label key={id} className="segment">
          <input
            type="radio"
            name="funnel-view"
            value={id}
            checked={view === id}
            onChange={() => {
              const next = new URLSearchParams(search);
              if (id === 'strictOrder') next.set('view', 'strict');
              else next.delete('view');
              setSearch(next);
            }}
          />
          <span>{label}</span>
        </label>
      ))}
    </fieldset>
  );

  return (
    <ReportFrame
      title="Funnel"
      intro="People entering each stage of the agreed funnel in the period, how many of them the next stage saw, and how long they stayed."
      state={state}
      controls={controls}
      isEmpty={(report) => report[view].every((stage) => stage.entered === 0)}
    >
      {(report) => (
        <FunnelBody
          report={report}
          view={view}
          owners={owners}
          csvName={csvFileName('funnel', params, view === 'strictOrder' ? 'strict' : 'any-order')}
        />
      )}
    </ReportFrame>
  );
}

function FunnelBody({
  report,
  view,
  owners,
  csvName,
}: {
  report: FunnelReport;
  view: View;
  owners: ReadonlyMap<string, string>;
  csvName: string;
}) {
  const stages = report[view];
  const columns = useMemo(() => stageColumns(report.definitions), [report.definitions]);
  const option = useMemo(() => funnelOption(stages, owners), [stages, owners]);
  const times = useMemo(() => timeOption(stages), [stages]);
  const first = stages[0];
  const last = stages.at(-1);
  const viewLabel = view === 'strictOrder' ? 'strict order' : 'any order';

  return (
    <>
      <div className="figures">
        {first && (
          <Figure label={`Entered ${first.label.toLowerCase()}`} value={formatNumber(first.entered)} />
        )}
        {last && first && last !== first && (
          <Figure
            label={`Reached ${last.label.toLowerCase()}`}
            value={formatNumber(last.entered)}
            note={`${formatShare(last.conversionFromFirst)} of ${first.label.toLowerCase()}s`}
          />
        )}
        <Figure
          label={<Term label="View" definition={report.definitions[view]} />}
          value={view === 'strictOrder' ? 'Strict order' : 'Any order'}
          note={
            view === 'strictOrder' ? 'only people who passed every earlier stage' : 'everyone who entered'
          }
        />
      </div>

      <div className="report-grid">
        <article className="card chart-card" aria-labelledby="funnel-chart-title">
          <h2 id="funnel-chart-title">People entering each stage</h2>
          <Chart
            option={option}
            height={Math.max(220, stages.length * 52)}
            label={`Funnel, ${viewLabel}: ${stages.map((stage) => `${stage.label} ${stage.entered}`).join(', ')}.`}
          />
          <p className="chart-legend small muted">
            <span className="swatch swatch-marketing" aria-hidden="true" /> marketing's stages{' '}
            <span className="swatch swatch-sales" aria-hidden="true" /> sales' stages
          </p>
        </article>
        <article className="card chart-card" aria-labelledby="time-chart-title">
          <h2 id="time-chart-title">
            <Term label="Time in stage" definition={report.definitions.timeInStage} />, in days
          </h2>
          <Chart
            option={times}
            height={Math.max(220, stages.length * 52)}
            label={`Median and 90th percentile time in stage: ${stages
              .map((stage) => `${stage.label} ${formatHours(stage.timeInStage.medianHours)}`)
              .join(', ')}.`}
          />
        </article>
      </div>

      <div className="table-header">
        <h2>The figures</h2>
        <DownloadButton
          fileName={csvName}
          content={() => toCsv(`Funnel (${viewLabel})`, report, columns, stages)}
        />
      </div>
      <DataTable
        caption={`Funnel by stage, ${viewLabel}`}
        columns={columns}
        rows={stages}
        rowKey={(row) => row.stage}
      />

      {report.detours.length > 0 && (
        <DataTable
          caption="Detours taken in the period"
          columns={[
            { header: 'Detour', value: (row) => row.label },
            {
              header: 'Entered',
              value: (row) => row.entered,
              numeric: true,
              hint: report.definitions.detours,
            },
            { header: 'Re-entries', value: (row) => row.reentries, numeric: true },
          ]}
          rows={report.detours}
          rowKey={(row) => row.detour}
        />
      )}
    </>
  );
}
