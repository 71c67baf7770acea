import type { SlaSettlement } from '../../api/report-types.ts';
import { DataTable } from '../../components/report/data-table.tsx';
import { formatMeasure, formatShare } from '../../components/report/report-format.ts';
import { Empty } from '../../components/status.tsx';
import { formatDateTime } from '../../format.ts';

/** The closed periods, newest first, as they were settled (a settlement never changes). */
export function SlaSettlements({
  settlements,
  currency,
}: {
  settlements: SlaSettlement[];
  currency: string | undefined;
}) {
  const rows = [...settlements].reverse();
  if (rows.length === 0)
    return (
      <Empty title="No period closed yet">
        Closing a period that is over stores its figures for good, so later facts never change what was
        agreed.
      </Empty>
    );
  return (
    <DataTable
      caption="Closed periods, newest first"
      rows={rows}
      rowKey={(row) => row.period}
      columns={[
        { header: 'Period', value: (row) => row.period },
        {
          header: 'Delivered',
          value: (row) => row.report.marketing.total.value,
          display: (row) =>
            formatMeasure(row.report.marketing.total.value, row.report.marketing.measure, currency),
          numeric: true,
        },
        {
          header: 'Target',
          value: (row) => row.report.marketing.total.target,
          display: (row) =>
            formatMeasure(row.report.marketing.total.target, row.report.marketing.measure, currency),
          numeric: true,
        },
        {
          header: 'Attainment',
          value: (row) => row.report.marketing.total.attainment,
          display: (row) => formatShare(row.report.marketing.total.attainment),
          numeric: true,
        },
        {
          header: 'Worked in time',
          value: (row) => row.report.sales.total.compliance,
          display: (row) => formatShare(row.report.sales.total.compliance),
          numeric: true,
        },
        { header: 'Breaches', value: (row) => row.report.sales.total.breaches, numeric: true },
        { header: 'Agreement', value: (row) => row.agreementVersion, numeric: true },
        { header: 'Closed', value: (row) => row.closedAt, display: (row) => formatDateTime(row.closedAt) },
        { header: 'By', value: (row) => row.closedBy },
      ]}
    />
  );
}
