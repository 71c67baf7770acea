/*
 * The code of the pages that load on first visit, one loader each. The routes wrap them in
 * `lazy()`; `preloadRouteChunk` starts the current address's download at boot, in parallel with
 * the session check instead of after it (the browser fetches each module once).
 */
export const pageChunks = {
  funnel: () => import('./pages/reports/funnel-page.tsx'),
  waterfall: () => import('./pages/reports/waterfall-page.tsx'),
  leadFlow: () => import('./pages/reports/lead-flow-page.tsx'),
  followThrough: () => import('./pages/reports/follow-through-page.tsx'),
  closeRates: () => import('./pages/reports/close-rates-page.tsx'),
  attribution: () => import('./pages/reports/attribution-page.tsx'),
  goalTree: () => import('./pages/reports/goal-tree-page.tsx'),
  clogs: () => import('./pages/reports/clogs-page.tsx'),
  sla: () => import('./pages/sla/sla-page.tsx'),
  agreement: () => import('./pages/agreement/agreement-page.tsx'),
  personas: () => import('./pages/personas/personas-page.tsx'),
  announcements: () => import('./pages/announcements/announcements-page.tsx'),
  insights: () => import('./pages/insights/insights-page.tsx'),
  brief: () => import('./pages/brief/brief-page.tsx'),
};

const byPath: Record<string, () => Promise<unknown>> = {
  '/reports': pageChunks.funnel,
  '/reports/funnel': pageChunks.funnel,
  '/reports/waterfall': pageChunks.waterfall,
  '/reports/lead-flow': pageChunks.leadFlow,
  '/reports/follow-through': pageChunks.followThrough,
  '/reports/close-rates': pageChunks.closeRates,
  '/reports/attribution': pageChunks.attribution,
  '/reports/goal-tree': pageChunks.goalTree,
  '/reports/clogs': pageChunks.clogs,
  '/sla': pageChunks.sla,
  '/agreement': pageChunks.agreement,
  '/personas': pageChunks.personas,
  '/announcements': pageChunks.announcements,
  '/insights': pageChunks.insights,
  '/brief': pageChunks.brief,
};

/** Starts loading the code of the page at `pathname`, if it is one that loads on first visit. */
export function preloadRouteChunk(pathname: string): void {
  const load = byPath[pathname.replace(/\/+$/, '') || '/'];
  // A failed preload is retried by the route itself, which shows the error.
  load?.().catch(() => undefined);
}
