import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import {
  type AttributionModel,
  type AttributionReport,
  type AttributionRow,
  attributionModels,
  type RoiRow,
} from '../../api/report-types.ts';
import { Chart, type ChartOption, chartColors } from '../../components/charts/chart.tsx';
import { type Column, DataTable, DownloadButton, toCsv } from '../../components/report/data-table.tsx';
import { Term } from '../../components/report/definitions.tsx';
import { formatMeasure, formatShare } from '../../components/report/report-format.ts';
import { Figure, ReportFrame } from '../../components/report/report-frame.tsx';
import { SelectField } from '../../components/report/select-field.tsx';
import { csvFileName, useReport } from '../../components/report/use-report.ts';
import { formatNumber } from '../../format.ts';
import './reports.css';

const modelLabels: Record<AttributionModel, string> = {
  firstTouch: 'First touch',
  lastTouch: 'Last touch',
  linear: 'Linear',
  uShaped: 'U-shaped',
  wShaped: 'W-shaped',
  timeDecay: 'Time decay',
};

function isModel(value: string | null): value is AttributionModel {
  return value !== null && (attributionModels as readonly string[]).includes(value);
}

function creditOption(
  rows: AttributionRow[],
  model: AttributionModel,
  money: (value: number) => string,
): ChartOption {
  const shown = rows.slice(0, 15);
  return {
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 10 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value) => money(Number(value ?? 0)),
    },
    xAxis: {
      type: 'value',
      axisLabel: { formatter: (value: number) => money(value) },
      splitLine: { lineStyle: { color: chartColors.line } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: shown.map((row) => row.key),
      axisTick: { show: false },
      axisLine: { show: false },
    },
    series: [
      {
        type: 'bar',
        name: modelLabels[model],
        barMaxWidth: 14,
        barGap: '15%',
        itemStyle: { color: chartColors.accent },
        data: shown.map((row) => row.revenue[model]),
      },
      ...(model === 'firstTouch'
        ? []
        : [
            {
              type: 'bar' as const,
              name: `${modelLabels.firstTouch} (for comparison)`,
              barMaxWidth: 14,
              itemStyle: { color: chartColors.accentSoft },
              data: shown.map((row) => row.revenue.firstTouch),
            },
          ]),
    ],
  };
}

/** Revenue won in the period, credited to sources and campaigns under six models, and ROI where spend is known. */
export function AttributionPage() {
  const [search, setSearch] = useSearchParams();
  const requested = search.get('model');
  const model: AttributionModel = isModel(requested) ? requested : 'wShaped';
  const by = search.get('by') === 'campaign' ? 'campaign' : 'source';
  const { state, params } = useReport<AttributionReport>('attribution');

  const set = (key: string, value: string, fallback: string) => {
    const next = new URLSearchParams(search);
    if (value === fallback) next.delete(key);
    else next.set(key, value);
    setSearch(next);
  };
  const controls = (
    <>
      <SelectField label="Credit by" inline value={by} onChange={(value) => set('by', value, 'source')}>
        <option value="source">Source</option>
        <option value="campaign">Campaign</option>
      </SelectField>
      <SelectField label="Model" inline value={model} onChange={(value) => set('model', value, 'wShaped')}>
        {attributionModels.map((id) => (
          <option key={id} value={id}>
            {modelLabels[id]}
          </option>
        ))}
      </SelectField>
    </>
  );

  return (
    <ReportFrame
      title="Attribution"
      intro="The revenue of the deals won in the period, credited to the sources and campaigns that touched them, under six models side by side."
      state={state}
      controls={controls}
      isEmpty={(report) => report.total.deals === 0}
    >
      {(report) => (
        <AttributionBody
          report={report}
          model={model}
          by={by}
          csvName={csvFileName('attribution', params, by)}
        />
      )}
    </ReportFrame>
  );
}

function AttributionBody({
  report,
  model,
  by,
  csvName,
}: {
  report: AttributionReport;
  model: AttributionModel;
  by: 'source' | 'campaign';
  csvName: string;
}) {
  const { definitions } = report;
  const money = (value: number | null) => formatMeasure(value, 'expected-value', report.currency);
  const rows = useMemo(
    () =>
      [...(by === 'campaign' ? report.byCampaign : report.bySource)].sort(
        (a, b) => b.revenue[model] - a.revenue[model],
      ),
    [report, by, model],
  );
  const option = useMemo(
    () => creditOption(rows, model, (value) => formatMeasure(value, 'expected-value', report.currency)),
    [rows, model, report.currency],
  );
  const columns: Column<AttributionRow>[] = [
    { header: by === 'campaign' ? 'Campaign' : 'Source', value: (row) => row.key },
    { header: 'Touchpoints', value: (row) => row.touchpoints, numeric: true, hint: definitions.touchpoints },
    ...attributionModels.map(
      (id): Column<AttributionRow> => ({
        header: modelLabels[id],
        value: (row) => row.revenue[id],
        display: (row) => (id === model ? <strong>{money(row.revenue[id])}</strong> : money(row.revenue[id])),
        numeric: true,
        hint: definitions.models,
      }),
    ),
  ];
  const roiRows = by === 'campaign' ? report.roi.byCampaign : report.roi.bySource;
  const roiColumns: Column<RoiRow>[] = [
    { header: by === 'campaign' ? 'Campaign' : 'Source', value: (row) => row.key },
    { header: 'Spend', value: (row) => row.spend, display: (row) => money(row.spend), numeric: true },
    {
      header: `Revenue (${modelLabels[model]})`,
      value: (row) => row.revenue[model],
      display: (row) => money(row.revenue[model]),
      numeric: true,
    },
    {
      header: 'Return on spend',
      value: (row) => row.returnOnSpend[model],
      display: (row) =>
        row.returnOnSpend[model] === null ? '–' : `${formatNumber(row.returnOnSpend[model] ?? 0)}×`,
      numeric: true,
      hint: definitions.roi,
    },
    {
      header: 'ROI',
      value: (row) => row.roi[model],
      display: (row) => formatShare(row.roi[model]),
      numeric: true,
      hint: definitions.roi,
    },
  ];

  return (
    <>
      <div className="figures">
        <Figure label="Deals won" value={formatNumber(report.total.deals)} />
        <Figure
          label={<Term label="Revenue" definition={definitions.revenue} />}
          value={money(report.total.revenue)}
          note={
            report.excluded.otherCurrency + report.excluded.noAmount > 0
              ? `${report.excluded.otherCurrency} in other currencies and ${report.excluded.noAmount} without amount left out`
              : 'every won deal counted'
          }
        />
        <Figure
          label={<Term label="Model" definition={definitions.models} />}
          value={modelLabels[model]}
          note={
            model === 'timeDecay' ? `half-life ${report.halfLifeDays} d` : 'each model sums to the revenue'
          }
        />
      </div>
      <article className="card chart-card" aria-labelledby="credit-title">
        <h2 id="credit-title">
          Revenue credited by {by}, {modelLabels[model]} model
        </h2>
        <Chart
          option={option}
          height={Math.max(200, Math.min(rows.length, 15) * 40 + 60)}
          label={`Revenue credited by ${by} under ${modelLabels[model]}: ${rows
            .slice(0, 15)
            .map((row) => `${row.key} ${money(row.revenue[model])}`)
            .join(', ')}.`}
        />
        {rows.length > 15 && (
          <p className="hint">The 15 largest are drawn; the table has all {rows.length}.</p>
        )}
      </article>
      <div className="table-header">
        <h2>The figures</h2>
        <DownloadButton
          fileName={csvName}
          content={() => toCsv(`Attribution by ${by}`, report, columns, rows)}
        />
      </div>
      <DataTable
        caption={`Revenue credited by ${by}, every model`}
        columns={columns}
        rows={rows}
        rowKey={(row) => row.key}
      />
      {roiRows.length > 0 && (
        <DataTable
          caption={`Return on imported spend by ${by}, ${modelLabels[model].toLowerCase()}`}
          columns={roiColumns}
          rows={roiRows}
          rowKey={(row) => row.key}
        />
      )}
    </>
  );
}
