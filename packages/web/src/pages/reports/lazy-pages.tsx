import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode, Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { Loading } from '../../components/status.tsx';

/*
 * The report pages and the SLA board load on first visit: ECharts and the report code stay out of
 * the bundle that paints the queue and the lead page.
 */
const reportPages: Record<string, LazyExoticComponent<ComponentType>> = {
  funnel: lazy(async () => ({ default: (await import('./funnel-page.tsx')).FunnelPage })),
  waterfall: lazy(async () => ({ default: (await import('./waterfall-page.tsx')).WaterfallPage })),
  'lead-flow': lazy(async () => ({ default: (await import('./lead-flow-page.tsx')).LeadFlowPage })),
  'follow-through': lazy(async () => ({
    default: (await import('./follow-through-page.tsx')).FollowThroughPage,
  })),
  'close-rates': lazy(async () => ({ default: (await import('./close-rates-page.tsx')).CloseRatesPage })),
  attribution: lazy(async () => ({ default: (await import('./attribution-page.tsx')).AttributionPage })),
  'goal-tree': lazy(async () => ({ default: (await import('./goal-tree-page.tsx')).GoalTreePage })),
  clogs: lazy(async () => ({ default: (await import('./clogs-page.tsx')).ClogsPage })),
};
const SlaPage = lazy(async () => ({ default: (await import('../sla/sla-page.tsx')).SlaPage }));

function Opening({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading label="Opening the report…" />}>{children}</Suspense>;
}

/** `/reports/:report`: the report named in the address. */
export function ReportRoute() {
  const { report } = useParams();
  const Page = report === undefined ? undefined : reportPages[report];
  if (!Page) {
    return (
      <section>
        <h1>No such report</h1>
        <p>
          There is no report called “{report}”. <Link to="/reports/funnel">Open the funnel</Link>.
        </p>
      </section>
    );
  }
  return (
    <Opening>
      <Page />
    </Opening>
  );
}

export function SlaRoute() {
  return (
    <Opening>
      <SlaPage />
    </Opening>
  );
}
