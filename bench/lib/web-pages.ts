/**
 * The dashboard's pages as bench/web measures them: where each one is, and what "rendered with
 * data" means on it, as CSS selectors of real content (table rows, chart drawings, timeline
 * entries), never a spinner or a heading that paints before its data. A page is painted when every
 * one of its selectors matches.
 */
export type WebPage = {
  name: string;
  path: string;
  ready: string[];
  /** What finishes the page after its figures (a chart drawn by ECharts, which loads on its own). */
  complete?: string[];
  signedOut?: boolean;
};

/**
 * The baseline: the sign-in form, which needs no data (the bundle and one session check). The
 * other pages' figures read against it tell the page's own cost from the machine's load.
 */
export const baselinePage: WebPage = {
  name: 'sign-in (baseline)',
  path: '/sign-in',
  ready: ['form button[type="submit"]'],
  signedOut: true,
};

const report = (name: string, options: { chart: boolean }): WebPage => ({
  name: `reports/${name}`,
  path: `/reports/${name}`,
  ready: ['.report-body table tbody tr'],
  ...(options.chart ? { complete: ['.report-body .chart svg'] } : {}),
});

/** `queueRep`: a rep whose queue has leads; `leadId`: the first lead of that queue. */
export function webPages(options: { queueRep: string; leadId: string }): WebPage[] {
  return [
    baselinePage,
    { name: 'home', path: '/', ready: ['.stage-list li', '.link-list li'] },
    {
      name: 'queue',
      path: `/queue?rep=${encodeURIComponent(options.queueRep)}`,
      ready: ['table.queue tbody tr:not(.group-row) .lead-link'],
    },
    {
      name: 'lead',
      path: `/leads/${options.leadId}`,
      ready: ['ol.timeline li', '.facts dd', '.explanation li'],
    },
    report('funnel', { chart: true }),
    report('waterfall', { chart: true }),
    report('lead-flow', { chart: true }),
    report('follow-through', { chart: true }),
    report('close-rates', { chart: true }),
    report('attribution', { chart: true }),
    report('goal-tree', { chart: true }),
    report('clogs', { chart: true }),
    { name: 'sla', path: '/sla', ready: ['.sla-half table tbody tr'], complete: ['.sla-half .chart svg'] },
    { name: 'insights', path: '/insights', ready: ['.insights-page table tbody tr'] },
    { name: 'agreement', path: '/agreement', ready: ['h2[id^="agreement-"]'] },
    { name: 'personas', path: '/personas', ready: ['h2[id^="persona-"]'] },
    { name: 'announcements', path: '/announcements', ready: ['h2[id^="week-"]'] },
    { name: 'brief', path: '/brief', ready: ['#brief-flow', '#brief-sla'] },
  ];
}
