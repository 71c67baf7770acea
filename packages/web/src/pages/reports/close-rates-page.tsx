import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { CloseRateGroup, CloseRatesReport } from '../../api/report-types.ts';
import { Chart, type ChartOption, chartColors } from '../../components/charts/chart.tsx';
import { type Column, DataTable, DownloadButton, toCsv } from '../../components/report/data-table.tsx';
import { formatMeasure, formatShare } from '../../components/report/report-format.ts';
import { Figure, ReportFrame } from '../../components/report/report-frame.tsx';
import { SelectField } from '../../components/report/select-field.tsx';
import { csvFileName, useReport } from '../../components/report/use-report.ts';
import { formatNumber } from '../../format.ts';
import { labelsOf, useAgreement } from '../../use-agreement.ts';
import './reports.css';

const groupings = {
  source: { label: 'Source', read: (report: CloseRatesReport) => report.closeRates.bySource },
  campaign: { label: 'Campaign', read: (report: CloseRatesReport) => report.closeRates.byCampaign },
  persona: { label: 'Persona', read: (report: CloseRatesReport) => report.closeRates.byPersona },
  quadrant: { label: 'Quadrant', read: (report: CloseRatesReport) => report.closeRates.byQuadrant },
} as const;
type Grouping = keyof typeof groupings;

function rateOption(groups: (CloseRateGroup & { name: string })[], overall: number | null): ChartOption {
  return {
    grid: { left: 8, right: 110, top: 24, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value) => formatShare(value === null || value === undefined ? null : Number(value)),
    },
    xAxis: {
      type: 'value',
      axisLabel: { formatter: (value: number) => formatShare(value) },
      splitLine: { lineStyle: { color: chartColors.line } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: groups.map((group) => group.name),
      axisTick: { show: false },
      axisLine: { show: false },
    },
    series: [
      {
        type: 'bar',
        name: 'Close rate',
        barMaxWidth: 20,
        itemStyle: { color: chartColors.sales, borderRadius: [0, 3, 3, 0] },
        data: groups.map((group) => group.closeRate ?? 0),
        label: {
          show: true,
          position: 'right',
          color: chartColors.text,
          formatter: (item) => {
            const group = groups[item.dataIndex];
            return group
              ? `${formatShare(group.closeRate)}  {muted|${group.customers} of ${group.leads}}`
              : '';
          },
          rich: { muted: { color: chartColors.muted, fontSize: 11 } },
        },
        ...(overall === null
          ? {}
          : {
              markLine: {
                silent: true,
                symbol: 'none',
                lineStyle: { color: chartColors.text, type: 'dashed' as const, width: 1.2 },
                label: { formatter: `all ${formatShare(overall)}`, position: 'start' as const },
                data: [{ xAxis: overall }],
              },
            }),
      },
    ],
  };
}

/** How many new leads of the period became customers, by source, campaign, persona and quadrant. */
export function CloseRatesPage() {
  const [search, setSearch] = useSearchParams();
  const chosen = search.get('by');
  const by: Grouping = chosen && chosen in groupings ? (chosen as Grouping) : 'source';
  const { state, params } = useReport<CloseRatesReport>('close-rates');
  const agreement = useAgreement()?.agreement;
  const label = useMemo(() => labelsOf(agreement), [agreement]);

  const controls = (
    <SelectField
      label="Close rate by"
      inline
      value={by}
      onChange={(value) => {
        const next = new URLSearchParams(search);
        if (value === 'source') next.delete('by');
        else next.set('by', value);
        setSearch(next);
      }}
    >
      {Object.entries(groupings).map(([id, grouping]) => (
        <option key={id} value={id}>
          {grouping.label}
        </option>
      ))}
    </SelectField>
  );

  return (
    <ReportFrame
      title="Close rates"
      intro="Of the people who became a lead in the period, how many became customers; the deals won and lost; how fast people move between stages."
      state={state}
      controls={controls}
      isEmpty={(report) => report.closeRates.total.leads === 0 && report.deals.closed === 0}
    >
      {(report) => (
        <CloseRatesBody
          report={report}
          by={by}
          label={label}
          csvName={csvFileName('close-rates', params, by)}
        />
      )}
    </ReportFrame>
  );
}

function CloseRatesBody({
  report,
  by,
  label,
  csvName,
}: {
  report: CloseRatesReport;
  by: Grouping;
  label: (id: string) => string;
  csvName: string;
}) {
  const { definitions, deals } = report;
  const total = report.closeRates.total;
  const groups = useMemo(
    () =>
      groupings[by]
        .read(report)
        .map((group) => ({ ...group, name: group.key === null ? 'Unknown' : label(group.key) })),
    [report, by, label],
  );
  const option = useMemo(() => rateOption(groups, total.closeRate), [groups, total.closeRate]);
  const columns: Column<CloseRateGroup & { name: string }>[] = [
    { header: groupings[by].label, value: (row) => row.name, hint: definitions.source },
    { header: 'New leads', value: (row) => row.leads, numeric: true, hint: definitions.cohort },
    { header: 'Customers', value: (row) => row.customers, numeric: true },
    {
      header: 'Close rate',
      value: (row) => row.closeRate,
      display: (row) => formatShare(row.closeRate),
      numeric: true,
      hint: definitions.cohort,
    },
  ];
  const money = (value: number) => formatMeasure(value, 'expected-value', deals.currency);

  return (
    <>
      <div className="figures">
        <Figure
          label="Close rate of new leads"
          value={formatShare(total.closeRate)}
          note={`${formatNumber(total.customers)} customers of ${formatNumber(total.leads)} new leads`}
        />
        <Figure
          label="Win rate"
          value={formatShare(deals.winRate)}
          note={`${deals.won} won, ${deals.lost} lost in the period`}
        />
        <Figure
          label="Won"
          value={money(deals.wonAmount)}
          note={`${deals.openCreated} deals opened and still open`}
        />
        <Figure
          label="Sales cycle, median"
          value={
            deals.salesCycleDays.median === null ? '–' : `${formatNumber(deals.salesCycleDays.median)} d`
          }
          note={`90th percentile ${deals.salesCycleDays.p90 === null ? '–' : `${formatNumber(deals.salesCycleDays.p90)} d`}`}
        />
      </div>
      <article className="card chart-card" aria-labelledby="rates-title">
        <h2 id="rates-title">Close rate by {groupings[by].label.toLowerCase()}</h2>
        {groups.length === 0 ? (
          <p className="muted">No new leads in the period.</p>
        ) : (
          <Chart
            option={option}
            height={Math.max(180, groups.length * 34 + 40)}
            label={`Close rate by ${by}: ${groups.map((group) => `${group.name} ${formatShare(group.closeRate)}`).join(', ')}.`}
          />
        )}
      </article>
      <div className="table-header">
        <h2>The figures</h2>
        <DownloadButton
          fileName={csvName}
          content={() =>
            toCsv(`Close rates by ${by}`, report, columns, groups, {
              ...total,
              key: null,
              name: 'All new leads',
            })
          }
        />
      </div>
      <DataTable
        caption={`Close rate of the period's new leads by ${by}`}
        columns={columns}
        rows={groups}
        footer={{ ...total, key: null, name: 'All new leads' }}
        rowKey={(row) => row.key ?? 'unknown'}
      />
      {report.velocity.length > 0 && (
        <DataTable
          caption="Velocity: days between consecutive stages"
          rows={report.velocity}
          rowKey={(row) => `${row.from}-${row.to}`}
          columns={[
            { header: 'From → to', value: (row) => `${label(row.from)} → ${label(row.to)}` },
            { header: 'Moved', value: (row) => row.moved, numeric: true, hint: definitions.velocity },
            { header: 'Skipped', value: (row) => row.skipped, numeric: true, hint: definitions.velocity },
            { header: 'Median days', value: (row) => row.days.median, numeric: true },
            { header: 'P90 days', value: (row) => row.days.p90, numeric: true },
          ]}
        />
      )}
    </>
  );
}
