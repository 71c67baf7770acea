import type { ReactNode } from 'react';
import type { ReportMeta } from '../../api/report-types.ts';
import { formatNumber } from '../../format.ts';
import { Term } from './definitions.tsx';

/** One column of a report table; the same columns make the CSV, so the download is the table. */
export type Column<Row> = {
  header: string;
  /** The raw figure (what the CSV holds). */
  value: (row: Row) => string | number | null;
  /** How the page shows it; default: numbers formatted, null as an en dash. */
  display?: (row: Row) => ReactNode;
  numeric?: boolean;
  /** A definition shown when the header is hovered or focused. */
  hint?: string | undefined;
};

function shown<Row>(column: Column<Row>, row: Row): ReactNode {
  if (column.display) return column.display(row);
  const value = column.value(row);
  if (value === null) return <span className="muted">–</span>;
  return typeof value === 'number' ? formatNumber(value) : value;
}

/** The table behind a chart: a caption, column headers, the first column heading each row. */
export function DataTable<Row>({
  caption,
  columns,
  rows,
  footer,
  rowKey,
}: {
  caption: string;
  columns: Column<Row>[];
  rows: Row[];
  footer?: Row;
  rowKey: (row: Row) => string;
}) {
  const [first, ...rest] = columns;
  if (!first) return null;
  const cells = (row: Row) => (
    <>
      <th scope="row">{shown(first, row)}</th>
      {rest.map((column) => (
        <td key={column.header} className={column.numeric ? 'numeric' : undefined}>
          {shown(column, row)}
        </td>
      ))}
    </>
  );
  return (
    <div className="table-wrap">
      <table className="report-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={column.numeric ? 'numeric' : undefined}>
                <Term label={column.header} definition={column.hint} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>{cells(row)}</tr>
          ))}
        </tbody>
        {footer && (
          <tfoot>
            <tr>{cells(footer)}</tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  // A cell a spreadsheet would run as a formula is kept as text.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The CSV of a table. Lines starting with `#` carry the report's period, filters, agreement version,
 * as-of instant and definitions, as the CLI's --csv does, so the figures keep their meaning.
 */
export function toCsv<Row>(
  title: string,
  meta: ReportMeta,
  columns: Column<Row>[],
  rows: Row[],
  footer?: Row,
): string {
  const filters = Object.entries(meta.filters).flatMap(([key, value]) =>
    typeof value === 'string'
      ? [`${key}=${value}`]
      : Object.entries(value ?? {}).map(([trait, text]) => `trait.${trait}=${text}`),
  );
  const comment = (text: string) => `# ${text.replace(/[\r\n]+/g, ' ')}`;
  const lines = [
    comment(`report: ${title}`),
    comment(`period: ${meta.period.from} to ${meta.period.to} (${meta.period.timezone})`),
    comment(`filters: ${filters.length > 0 ? filters.join(' ') : 'none'}`),
    comment(`agreement version: ${meta.agreementVersion}`),
    comment(`as of: ${meta.asOf}`),
    ...Object.entries(meta.definitions).map(([key, text]) => comment(`${key}: ${text}`)),
    columns.map((column) => csvCell(column.header)).join(','),
    ...[...rows, ...(footer ? [footer] : [])].map((row) =>
      columns.map((column) => csvCell(column.value(row))).join(','),
    ),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** A button that saves text as a file, made in the browser from the report already loaded. */
export function DownloadButton({
  fileName,
  content,
  label = 'Download CSV',
}: {
  fileName: string;
  content: () => string;
  label?: string;
}) {
  return (
    <button
      type="button"
      className="button"
      onClick={() => {
        const url = URL.createObjectURL(new Blob([content()], { type: 'text/csv;charset=utf-8' }));
        const link = document.createElement('a');
        link.href = url;
        link.download = fileName;
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      }}
    >
      <span aria-hidden="true">⤓</span> {label}
    </button>
  );
}
