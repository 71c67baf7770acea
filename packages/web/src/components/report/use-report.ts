import { useSearchParams } from 'react-router';
import { type ApiState, useApi } from '../../use-api.ts';
import { type ReportParams, readReportParams, reportQuery } from './report-params.ts';

/** Loads a report for the period and segment in the URL (and any page parameters, like `unit`). */
export function useReport<T>(
  name: string,
  extra: Record<string, string | undefined> = {},
  /** False while the page is still putting its defaults into the URL: nothing is fetched. */
  ready = true,
): { state: ApiState<T> & { reload(): Promise<T | undefined> }; params: ReportParams } {
  const [search] = useSearchParams();
  const params = readReportParams(search);
  const state = useApi<T>(ready ? `/api/v1/reports/${name}${reportQuery(params, extra)}` : undefined);
  return { state, params };
}

/** `funnel-2026-06-to-2026-12-source-webinar.csv`: what the file holds, readable in a folder. */
export function csvFileName(report: string, params: ReportParams, ...more: string[]): string {
  const words = [report, params.from, 'to', params.to, ...Object.entries(params.segment).flat(), ...more];
  const name = words
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return `${name.slice(0, 120)}.csv`;
}
