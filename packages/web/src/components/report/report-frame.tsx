import type { ReactNode } from 'react';
import { NavLink, useSearchParams } from 'react-router';
import type { ReportMeta } from '../../api/report-types.ts';
import { formatDateTime } from '../../format.ts';
import type { ApiState } from '../../use-api.ts';
import { Empty, ErrorMessage, Loading } from '../status.tsx';
import { Definitions } from './definitions.tsx';
import { ReportFilters } from './report-filters.tsx';
import { segmentKeys } from './report-params.ts';

/** The report pages, in the order of the tabs. A new report adds one line here and its route. */
const reportPages = [
  { to: '/reports/funnel', label: 'Funnel' },
  { to: '/reports/waterfall', label: 'Lead waterfall' },
  { to: '/reports/lead-flow', label: 'Lead flow' },
  { to: '/reports/follow-through', label: 'Follow-through' },
  { to: '/reports/close-rates', label: 'Close rates' },
  { to: '/reports/attribution', label: 'Attribution' },
  { to: '/reports/goal-tree', label: 'Goal tree' },
  { to: '/reports/clogs', label: 'Clogs' },
];

/** The tabs between reports keep the period and segment, so comparing reports needs no re-filtering. */
function ReportTabs() {
  const [search] = useSearchParams();
  const kept = new URLSearchParams();
  for (const key of ['from', 'to', ...segmentKeys]) {
    const value = search.get(key);
    if (value) kept.set(key, value);
  }
  const suffix = kept.size > 0 ? `?${kept.toString()}` : '';
  return (
    <nav aria-label="Reports" className="report-tabs">
      <ul>
        {reportPages.map((page) => (
          <li key={page.to}>
            <NavLink to={`${page.to}${suffix}`} className="report-tab">
              {page.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** "Jun 1 – Nov 30, 2026": the period's days in its own time zone, the last day included. */
export function describeDays(period: Pick<ReportMeta['period'], 'from' | 'to' | 'timezone'>): string {
  const days = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: period.timezone });
  return days.formatRange(new Date(period.from), new Date(new Date(period.to).getTime() - 1));
}

/** "Jun 1, 2026 – Dec 1, 2026 (America/New_York) · facts up to … · agreement version 3". */
export function ReportFootnote({ meta }: { meta: ReportMeta }) {
  return (
    <footer className="report-footnote">
      <p className="small muted">
        Period {describeDays(meta.period)} ({meta.period.timezone}) · facts up to {formatDateTime(meta.asOf)}{' '}
        · agreement version {meta.agreementVersion}
      </p>
      <Definitions definitions={meta.definitions} />
    </footer>
  );
}

/**
 * The frame of a report page: title, tabs, the filters in the URL, then the report once loaded
 * (the previous one stays, dimmed, while a new period or segment loads).
 */
export function ReportFrame<T extends ReportMeta>({
  title,
  intro,
  state,
  controls,
  filters = <ReportFilters />,
  isEmpty,
  children,
}: {
  title: string;
  intro: ReactNode;
  state: ApiState<T> & { reload(): Promise<T | undefined> };
  /** The page's own switches (view, unit), beside the filters. */
  controls?: ReactNode;
  /** The filter form; default: period and segment. */
  filters?: ReactNode;
  /** Whether the report has nothing to show (then an empty state replaces the charts). */
  isEmpty(report: T): boolean;
  children(report: T): ReactNode;
}) {
  const report = state.data;
  return (
    <section aria-labelledby="report-title" className="report">
      <div className="page-header">
        <div>
          <h1 id="report-title">{title}</h1>
          <p className="muted">{intro}</p>
        </div>
      </div>
      <ReportTabs />
      {filters}
      {controls && <div className="report-controls">{controls}</div>}
      {state.status === 'failed' && <ErrorMessage error={state.error} onRetry={() => void state.reload()} />}
      {report === undefined ? (
        state.status === 'loading' && <Loading label={`Computing the ${title.toLowerCase()}…`} />
      ) : (
        <div
          className="report-body"
          aria-busy={state.status === 'loading'}
          data-loading={state.status === 'loading'}
        >
          {isEmpty(report) ? (
            <Empty title="Nothing in this period and segment">
              No person matches these filters in the period. Widen the period or clear a filter.
            </Empty>
          ) : (
            children(report)
          )}
          <ReportFootnote meta={report} />
        </div>
      )}
    </section>
  );
}

/** A card holding one figure: what it is, its value, and a line of context. */
export function Figure({
  label,
  value,
  note,
  tone,
}: {
  label: ReactNode;
  value: ReactNode;
  note?: ReactNode;
  tone?: 'good' | 'bad' | undefined;
}) {
  return (
    <div className={`figure${tone ? ` figure-${tone}` : ''}`}>
      <p className="figure-label">{label}</p>
      <p className="figure-value">{value}</p>
      {note && <p className="figure-note">{note}</p>}
    </div>
  );
}
