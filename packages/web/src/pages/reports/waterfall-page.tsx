import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { StageBalance, WaterfallCohort, WaterfallReport } from '../../api/report-types.ts';
import { Chart, type ChartOption, chartColors } from '../../components/charts/chart.tsx';
import { type Column, DataTable, DownloadButton, toCsv } from '../../components/report/data-table.tsx';
import { Term } from '../../components/report/definitions.tsx';
import { formatShare } from '../../components/report/report-format.ts';
import { ReportFrame } from '../../components/report/report-frame.tsx';
import { SelectField } from '../../components/report/select-field.tsx';
import { UnitToggle, useUnit } from '../../components/report/unit-toggle.tsx';
import { csvFileName, useReport } from '../../components/report/use-report.ts';
import { formatNumber } from '../../format.ts';
import { labelsOf, useAgreement } from '../../use-agreement.ts';
import './reports.css';

function reachedAt(cohort: WaterfallCohort, offset: number, stage: string): number | null {
  return cohort.offsets.find((entry) => entry.offset === offset)?.reached[stage] ?? null;
}

function heatOption(
  report: WaterfallReport,
  stage: string,
  offsets: number[],
  unitWord: string,
): ChartOption {
  const data = report.cohorts.flatMap((cohort, row) =>
    cohort.offsets.map((entry) => [
      offsets.indexOf(entry.offset),
      row,
      cohort.size === 0 ? 0 : (entry.reached[stage] ?? 0) / cohort.size,
      entry.reached[stage] ?? 0,
    ]),
  );
  const highest = Math.max(0.05, ...data.map((cell) => Number(cell[2])));
  return {
    grid: { left: 8, right: 16, top: 8, bottom: 56, containLabel: true },
    xAxis: {
      type: 'category',
      data: offsets.map((offset) => `${unitWord} ${offset}`),
      splitArea: { show: false },
      axisTick: { show: false },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: report.cohorts.map((cohort) => `${cohort.label} (${formatNumber(cohort.size)})`),
      axisTick: { show: false },
    },
    visualMap: {
      type: 'continuous',
      // Colour by the share (the third value of a cell), not the count after it.
      dimension: 2,
      min: 0,
      max: highest,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 160,
      itemWidth: 12,
      text: [formatShare(highest), '0%'],
      inRange: { color: ['#f5f7fd', '#c3d1f4', '#8aa6ea'] },
      formatter: (value) => formatShare(Number(value)),
    },
    tooltip: {
      formatter: (item) => {
        const [x, y, share, count] = (item as { value: number[] }).value as [number, number, number, number];
        const cohort = report.cohorts[y];
        return `${cohort?.label ?? ''} cohort, ${unitWord.toLowerCase()} ${offsets[x] ?? ''}<br/><b>${formatNumber(count)}</b> of ${formatNumber(cohort?.size ?? 0)} (${formatShare(share)})`;
      },
    },
    series: [
      {
        type: 'heatmap',
        data,
        label: {
          show: true,
          formatter: (item) => formatShare(Number((item.value as number[])[2])),
          color: chartColors.text,
          fontSize: 12,
        },
        itemStyle: { borderColor: '#ffffff', borderWidth: 2 },
        emphasis: { itemStyle: { borderColor: chartColors.text, borderWidth: 1 } },
      },
    ],
  };
}

/** Cohorts of new leads and how far each got, month by month (or week by week). */
export function WaterfallPage() {
  const [unit, setUnit] = useUnit();
  const [search, setSearch] = useSearchParams();
  const { state, params } = useReport<WaterfallReport>('waterfall', { unit });
  const agreement = useAgreement()?.agreement;
  const label = useMemo(() => labelsOf(agreement), [agreement]);
  const stages = state.data?.stages ?? [];
  const chosen = search.get('stage');
  const stage = chosen && stages.includes(chosen) ? chosen : (stages[1] ?? stages[0] ?? '');

  const controls = (
    <>
      <UnitToggle unit={unit} onChange={setUnit} />
      {stages.length > 0 && (
        <SelectField
          label="Reached"
          inline
          value={stage}
          onChange={(value) => {
            const next = new URLSearchParams(search);
            next.set('stage', value);
            setSearch(next);
          }}
        >
          {stages.map((id) => (
            <option key={id} value={id}>
              {label(id)}
            </option>
          ))}
        </SelectField>
      )}
    </>
  );

  return (
    <ReportFrame
      title="Lead waterfall"
      intro="Each row is the people who became a lead in one month: how many of them had reached a stage by the end of each month since."
      state={state}
      controls={controls}
      isEmpty={(report) => report.cohorts.every((cohort) => cohort.size === 0)}
    >
      {(report) => (
        <WaterfallBody
          report={report}
          stage={stage}
          stageLabel={label(stage)}
          label={label}
          csvName={(what) => csvFileName('waterfall', params, unit, what)}
        />
      )}
    </ReportFrame>
  );
}

function WaterfallBody({
  report,
  stage,
  stageLabel,
  label,
  csvName,
}: {
  report: WaterfallReport;
  stage: string;
  stageLabel: string;
  label: (id: string) => string;
  csvName: (what: string) => string;
}) {
  const unitWord = report.unit === 'week' ? 'Week' : 'Month';
  const offsets = useMemo(
    () =>
      [...new Set(report.cohorts.flatMap((cohort) => cohort.offsets.map((entry) => entry.offset)))].sort(
        (a, b) => a - b,
      ),
    [report.cohorts],
  );
  const option = useMemo(
    () => heatOption(report, stage, offsets, unitWord),
    [report, stage, offsets, unitWord],
  );

  const cohortColumns: Column<WaterfallCohort>[] = [
    { header: 'Cohort', value: (row) => row.label, hint: report.definitions.cohort },
    { header: 'New leads', value: (row) => row.size, numeric: true },
    ...offsets.map(
      (offset): Column<WaterfallCohort> => ({
        header: `${unitWord} ${offset}`,
        value: (row) => reachedAt(row, offset, stage),
        display: (row) => {
          const reached = reachedAt(row, offset, stage);
          if (reached === null) return <span className="muted">–</span>;
          return (
            <>
              {formatNumber(reached)}{' '}
              <span className="muted small">{formatShare(row.size ? reached / row.size : null)}</span>
            </>
          );
        },
        numeric: true,
        hint: report.definitions.reached,
      }),
    ),
  ];

  const flowRows = report.flow.map((row) => ({
    label: row.label,
    balance: row.stages.find((entry) => entry.stage === stage) ?? {
      stage,
      opening: 0,
      inflow: 0,
      outflow: 0,
      closing: 0,
    },
  }));
  const flowColumns: Column<{ label: string; balance: StageBalance }>[] = [
    { header: report.unit === 'week' ? 'Week' : 'Month', value: (row) => row.label },
    { header: 'Opening', value: (row) => row.balance.opening, numeric: true, hint: report.definitions.flow },
    { header: 'Inflow', value: (row) => row.balance.inflow, numeric: true },
    { header: 'Outflow', value: (row) => row.balance.outflow, numeric: true },
    { header: 'Closing', value: (row) => row.balance.closing, numeric: true },
  ];

  return (
    <>
      <article className="card chart-card" aria-labelledby="heat-title">
        <h2 id="heat-title">
          Share of each cohort that had reached{' '}
          <Term label={stageLabel} definition={report.definitions.reached} />
        </h2>
        <Chart
          option={option}
          height={Math.max(240, report.cohorts.length * 44 + 90)}
          label={`Cohort heat-map of the share reaching ${stageLabel}: ${report.cohorts
            .map((cohort) => {
              const last = cohort.offsets.at(-1);
              return `${cohort.label}, ${cohort.size} new leads, ${last?.reached[stage] ?? 0} reached`;
            })
            .join('; ')}.`}
        />
        <p className="heat-note small muted">{report.definitions.followedTo}</p>
      </article>

      <div className="table-header">
        <h2>Cohorts: people who had reached {stageLabel}</h2>
        <DownloadButton
          fileName={csvName(stage)}
          content={() =>
            toCsv(`Lead waterfall: reached ${stageLabel}`, report, cohortColumns, report.cohorts)
          }
        />
      </div>
      <DataTable
        caption={`New-lead cohorts by ${unitWord.toLowerCase()}, and how many had reached ${stageLabel} by each ${unitWord.toLowerCase()} since`}
        columns={cohortColumns}
        rows={report.cohorts}
        rowKey={(row) => row.label}
      />

      <div className="table-header">
        <h2>
          People in {label(stage)}: <Term label="balance" definition={report.definitions.flow} />
        </h2>
        <DownloadButton
          fileName={csvName(`${stage}-balance`)}
          content={() => toCsv(`Stage balance: ${stageLabel}`, report, flowColumns, flowRows)}
        />
      </div>
      <DataTable
        caption={`Opening, inflow, outflow and closing of ${stageLabel} per ${unitWord.toLowerCase()}`}
        columns={flowColumns}
        rows={flowRows}
        rowKey={(row) => row.label}
      />
    </>
  );
}
