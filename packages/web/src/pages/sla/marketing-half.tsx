import { useEffect, useMemo, useState } from 'react';
import { api, query } from '../../api/client.ts';
import type { MarketingFigures, SlaReport } from '../../api/report-types.ts';
import { Chart, type ChartOption, chartColors } from '../../components/charts/chart.tsx';
import { type Column, DataTable } from '../../components/report/data-table.tsx';
import { Term } from '../../components/report/definitions.tsx';
import { formatMeasure, formatShare } from '../../components/report/report-format.ts';
import { Figure } from '../../components/report/report-frame.tsx';
import { formatDateTime } from '../../format.ts';
import { checkpoints } from './sla-periods.ts';

type Point = [number, number];

/** 420 → 450, 37 → 40: a round top for the value axis that leaves room above the target. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value)) / 2;
  return Math.ceil(value / step) * step;
}

/**
 * The delivered value along the period: the SLA report of [period start, checkpoint) at a few
 * checkpoints up to now, each exact (a person counts once, at their first hand-over).
 */
function useDeliveredLine(report: SlaReport): Point[] | undefined {
  const [line, setLine] = useState<Point[] | undefined>();
  const from = report.period.from;
  const until = Math.min(new Date(report.asOf).getTime(), new Date(report.period.to).getTime());
  const final = report.marketing.total.value ?? 0;
  useEffect(() => {
    let live = true;
    const start = new Date(from);
    const samples = checkpoints(start, new Date(until), 6).slice(0, -1);
    Promise.all(
      samples.map((at) =>
        api
          .get<SlaReport>(`/api/v1/reports/sla${query({ from, to: at.toISOString() })}`)
          .then((answer): Point => [at.getTime(), answer.marketing.total.value ?? 0]),
      ),
    ).then(
      (points) => live && setLine([[start.getTime(), 0], ...points, [until, final]]),
      () =>
        live &&
        setLine([
          [start.getTime(), 0],
          [until, final],
        ]),
    );
    return () => {
      live = false;
    };
  }, [from, until, final]);
  return line;
}

function paceOption(report: SlaReport, delivered: Point[], show: (value: number) => string): ChartOption {
  const total = report.marketing.total;
  const start = new Date(report.period.from).getTime();
  const end = new Date(report.period.to).getTime();
  const now = new Date(report.asOf).getTime();
  const running = now < end;
  const target = total.target ?? 0;
  const value = total.value ?? 0;
  const pace: Point[] = running
    ? [
        [start, 0],
        [now, total.pace.expected ?? 0],
        [end, target],
      ]
    : [
        [start, 0],
        [end, target],
      ];
  return {
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, itemWidth: 18, itemHeight: 8 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (item) => (item === null || item === undefined ? '–' : show(Number(item))),
    },
    xAxis: {
      type: 'time',
      min: start,
      max: end,
      splitLine: { show: false },
      axisLabel: { hideOverlap: true, formatter: '{MMM} {d}' },
    },
    yAxis: {
      type: 'value',
      max: (extent: { max: number }) => niceCeiling(Math.max(extent.max, target) * 1.05),
      splitLine: { lineStyle: { color: chartColors.line } },
    },
    series: [
      {
        type: 'line',
        name: 'Delivered',
        data: delivered,
        symbolSize: 6,
        lineStyle: { width: 3, color: chartColors.marketing },
        itemStyle: { color: chartColors.marketing },
        areaStyle: { color: 'rgba(15, 118, 110, 0.08)' },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: chartColors.muted, type: 'solid', width: 1 },
          label: { formatter: `target ${show(target)}`, position: 'insideEndTop', color: chartColors.muted },
          data: [{ yAxis: target }],
        },
      },
      {
        type: 'line',
        name: 'Pace line',
        data: pace,
        symbol: 'none',
        lineStyle: { width: 1.5, type: 'dashed', color: chartColors.muted },
        itemStyle: { color: chartColors.muted },
      },
      ...(running
        ? [
            {
              type: 'line' as const,
              name: 'Projection',
              data: [
                [now, value],
                [end, total.pace.projected ?? value],
              ] as Point[],
              symbol: 'none',
              lineStyle: { width: 2, type: 'dotted' as const, color: chartColors.marketing },
              itemStyle: { color: chartColors.marketing },
            },
          ]
        : []),
    ],
  };
}

/** Marketing's half: value delivered against target, the pace line and the projection, by team and grade. */
export function MarketingHalf({
  report,
  teamName,
  currency,
}: {
  report: SlaReport;
  teamName: (id: string | null) => string;
  currency: string | undefined;
}) {
  const { marketing, definitions } = report;
  const total = marketing.total;
  const show = (value: number | null) => formatMeasure(value, marketing.measure, currency);
  const delivered = useDeliveredLine(report);
  const option = useMemo(
    () =>
      delivered
        ? paceOption(report, delivered, (value) => formatMeasure(value, marketing.measure, currency))
        : undefined,
    [report, delivered, marketing.measure, currency],
  );
  const over = new Date(report.asOf) >= new Date(report.period.to);
  const verdict =
    total.attainment === null
      ? null
      : over
        ? total.attainment >= 1
          ? ['good', 'Target met']
          : ['bad', 'Target missed']
        : total.pace.onPace
          ? ['good', 'On pace']
          : ['bad', 'Behind pace'];

  const teamColumns: Column<MarketingFigures>[] = [
    { header: 'Team', value: (row) => teamName(row.team) },
    { header: 'Leads', value: (row) => row.leads, numeric: true, hint: definitions.delivered },
    {
      header: 'Value',
      value: (row) => row.value,
      display: (row) => show(row.value),
      numeric: true,
      hint: definitions.measure,
    },
    { header: 'Target', value: (row) => row.target, display: (row) => show(row.target), numeric: true },
    {
      header: 'Attainment',
      value: (row) => row.attainment,
      display: (row) => formatShare(row.attainment),
      numeric: true,
    },
    {
      header: 'Projected',
      value: (row) => row.pace.projected,
      display: (row) => show(row.pace.projected),
      numeric: true,
      hint: definitions.pace,
    },
  ];

  return (
    <article className="card sla-half" aria-labelledby="marketing-title">
      <div className="sla-half-header">
        <h2 id="marketing-title">Marketing: value delivered</h2>
        {verdict && <span className={`verdict verdict-${verdict[0]}`}>{verdict[1]}</span>}
      </div>
      <p className="small muted">
        Leads entering <strong>{marketing.stage.toUpperCase()}</strong>, valued in{' '}
        <Term
          label={marketing.measure === 'points' ? 'points' : 'expected value'}
          definition={definitions[marketing.measure === 'points' ? 'points' : 'expectedValue']}
        />
        .
      </p>
      <div className="sla-figures">
        <Figure
          label="Delivered"
          value={show(total.value)}
          note={`${total.leads} leads, ${total.invalid} invalid`}
          tone={verdict?.[0] === 'good' ? 'good' : verdict ? 'bad' : undefined}
        />
        <Figure
          label="Target"
          value={show(total.target)}
          note={`${formatShare(total.attainment)} attained`}
        />
        <Figure
          label={<Term label={over ? 'Final' : 'Projected'} definition={definitions.pace} />}
          value={show(total.pace.projected)}
          note={over ? 'period over' : `pace now ${show(total.pace.expected)}`}
        />
      </div>
      {option ? (
        <Chart
          option={option}
          height={260}
          label={`Delivered ${show(total.value)} of a target of ${show(total.target)} by ${formatDateTime(report.asOf)}; the pace line stands at ${show(total.pace.expected)}, the projection at ${show(total.pace.projected)}.`}
        />
      ) : (
        <div className="chart" style={{ height: 260 }} aria-hidden="true" />
      )}
      <DataTable
        caption="By team"
        columns={teamColumns}
        rows={marketing.teams}
        footer={{ ...total, team: 'all' }}
        rowKey={(row) => row.team ?? 'no team'}
      />
      {marketing.byGrade.length > 0 && (
        <DataTable
          caption="By fit grade"
          columns={[
            { header: 'Grade', value: (row) => row.grade ?? 'none' },
            { header: 'Leads', value: (row) => row.leads, numeric: true },
            { header: 'Value', value: (row) => row.value, display: (row) => show(row.value), numeric: true },
          ]}
          rows={marketing.byGrade}
          rowKey={(row) => row.grade ?? 'none'}
        />
      )}
    </article>
  );
}
