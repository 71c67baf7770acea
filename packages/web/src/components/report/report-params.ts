import { query } from '../../api/client.ts';

/**
 * A report's period and segment live in the page's URL, so a filtered report can be bookmarked
 * and shared: `?from=2026-06&to=2026-12&source=Webinar`. `from` and `to` are months as the API
 * takes them (`to` exclusive); without them a report covers the last six months, this one included.
 */
export const segmentKeys = ['source', 'team', 'rep', 'quadrant', 'country', 'industry'] as const;
export type SegmentKey = (typeof segmentKeys)[number];

export type ReportParams = {
  from: string;
  to: string;
  segment: Partial<Record<SegmentKey, string>>;
};

const monthPattern = /^\d{4}-(0[1-9]|1[0-2])$/;

/** `2026-11` plus `months` (negative to go back). */
export function addMonths(month: string, months: number): string {
  const [year, index] = month.split('-').map(Number) as [number, number];
  const total = year * 12 + (index - 1) + months;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

export function currentMonth(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
}

function defaultPeriod(now = new Date()): { from: string; to: string } {
  const month = currentMonth(now);
  return { from: addMonths(month, -5), to: addMonths(month, 1) };
}

export function readReportParams(search: URLSearchParams): ReportParams {
  const fallback = defaultPeriod();
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const valid = monthPattern.test(from) && monthPattern.test(to) && from < to;
  const segment: ReportParams['segment'] = {};
  for (const key of segmentKeys) {
    const value = search.get(key)?.trim();
    if (value) segment[key] = value;
  }
  return { ...(valid ? { from, to } : fallback), segment };
}

/** The API query of a report: period, `segment=key=value` for each filter, and any extra parameters. */
export function reportQuery(params: ReportParams, extra: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams(query({ from: params.from, to: params.to, ...extra }));
  for (const [key, value] of Object.entries(params.segment)) search.append('segment', `${key}=${value}`);
  return `?${search.toString()}`;
}

/** "Jun 2026 – Nov 2026" for the months [from, to). */
export function describePeriod(params: Pick<ReportParams, 'from' | 'to'>): string {
  const last = addMonths(params.to, -1);
  return params.from === last ? monthName(params.from) : `${monthName(params.from)} – ${monthName(last)}`;
}

const monthFormat = new Intl.DateTimeFormat('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });

function monthName(month: string): string {
  const [year, index] = month.split('-').map(Number) as [number, number];
  return monthFormat.format(new Date(Date.UTC(year, index - 1, 1)));
}
