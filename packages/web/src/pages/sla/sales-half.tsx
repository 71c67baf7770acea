import { useMemo } from 'react';
import type { SalesFigures, SlaReport } from '../../api/report-types.ts';
import { Chart, type ChartOption, chartColors } from '../../components/charts/chart.tsx';
import { type Column, DataTable } from '../../components/report/data-table.tsx';
import { Term } from '../../components/report/definitions.tsx';
import { formatShare } from '../../components/report/report-format.ts';
import { Figure } from '../../components/report/report-frame.tsx';
import { formatNumber } from '../../format.ts';

function complianceOption(
  rows: { name: string; compliance: number | null; due: number }[],
  target: number,
): ChartOption {
  return {
    grid: { left: 8, right: 56, top: 24, bottom: 8, containLabel: true },
    xAxis: {
      type: 'value',
      min: 0,
      max: 1,
      axisLabel: { formatter: (value: number) => formatShare(value) },
      splitLine: { lineStyle: { color: chartColors.line } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map((row) => row.name),
      axisTick: { show: false },
      axisLine: { show: false },
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (value) => formatShare(value === null || value === undefined ? null : Number(value)),
    },
    series: [
      {
        type: 'bar',
        name: 'Worked in time',
        barMaxWidth: 18,
        data: rows.map((row) => ({
          value: row.compliance ?? 0,
          itemStyle: {
            color:
              row.compliance === null
                ? chartColors.line
                : row.compliance >= target
                  ? chartColors.good
                  : chartColors.bad,
            borderRadius: [0, 3, 3, 0],
          },
        })),
        label: {
          show: true,
          position: 'right',
          formatter: (item) => {
            const row = rows[item.dataIndex];
            return row?.compliance === null ? 'none due' : formatShare(row?.compliance);
          },
          color: chartColors.text,
        },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: chartColors.text, type: 'dashed', width: 1.5 },
          label: { formatter: `target ${formatShare(target)}`, position: 'start', color: chartColors.text },
          data: [{ xAxis: target }],
        },
      },
    ],
  };
}

/** Sales' half: the share of hand-overs worked within the deadline against target, by team and rep. */
export function SalesHalf({
  report,
  teamName,
  repName,
}: {
  report: SlaReport;
  teamName: (id: string | null) => string;
  repName: (id: string) => string;
}) {
  const { sales, definitions } = report;
  const total = sales.total;
  const rows = useMemo(
    () => [
      ...sales.teams.map((team) => ({
        name: teamName(team.team),
        compliance: team.compliance,
        due: team.due,
      })),
      ...sales.reps.map((rep) => ({
        name: `  ${repName(rep.rep ?? '')}`,
        compliance: rep.compliance,
        due: rep.due,
      })),
    ],
    [sales, teamName, repName],
  );
  const option = useMemo(() => complianceOption(rows, sales.target), [rows, sales.target]);
  const verdict = total.met === null ? null : total.met ? ['good', 'Met'] : ['bad', 'Not met'];

  const columns: Column<SalesFigures>[] = [
    { header: 'Rep', value: (row) => (row.rep ? repName(row.rep) : teamName(row.team)) },
    { header: 'Due', value: (row) => row.due, numeric: true, hint: definitions.compliance },
    { header: 'In time', value: (row) => row.workedWithinDeadline, numeric: true },
    {
      header: 'Share in time',
      value: (row) => row.compliance,
      display: (row) => formatShare(row.compliance),
      numeric: true,
      hint: definitions.compliance,
    },
    { header: 'Breaches', value: (row) => row.breaches, numeric: true, hint: definitions.breaches },
    { header: 'Open', value: (row) => row.openBreaches, numeric: true, hint: definitions.breaches },
  ];

  return (
    <article className="card sla-half" aria-labelledby="sales-title">
      <div className="sla-half-header">
        <h2 id="sales-title">Sales: leads worked in time</h2>
        {verdict && <span className={`verdict verdict-${verdict[0]}`}>{verdict[1]}</span>}
      </div>
      <p className="small muted">
        Hand-overs of the period worked before their deadline; the agreement asks for{' '}
        {formatShare(sales.target)}.
      </p>
      <div className="sla-figures">
        <Figure
          label={<Term label="Worked in time" definition={definitions.compliance} />}
          value={formatShare(total.compliance)}
          note={`${formatNumber(total.workedWithinDeadline)} of ${formatNumber(total.due)} due`}
          tone={verdict?.[0] === 'good' ? 'good' : verdict ? 'bad' : undefined}
        />
        <Figure
          label="Target"
          value={formatShare(sales.target)}
          note={`${formatNumber(total.handed)} handed over`}
        />
        <Figure
          label={<Term label="Breaches" definition={definitions.breaches} />}
          value={formatNumber(total.breaches)}
          note={`${formatNumber(total.openBreaches)} still untouched`}
          tone={total.openBreaches > 0 ? 'bad' : undefined}
        />
      </div>
      <Chart
        option={option}
        height={Math.max(180, rows.length * 30 + 24)}
        label={`Share worked in time against a target of ${formatShare(sales.target)}: ${rows
          .map((row) => `${row.name.trim()} ${formatShare(row.compliance)}`)
          .join(', ')}.`}
      />
      <DataTable
        caption="By rep"
        columns={columns}
        rows={sales.reps}
        footer={{ ...total, team: 'all' }}
        rowKey={(row) => `${row.team}-${row.rep}`}
      />
    </article>
  );
}
