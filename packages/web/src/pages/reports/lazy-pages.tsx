import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode, Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { Loading } from '../../components/status.tsx';
import { pageChunks } from '../../route-chunks.ts';

/*
 * The report pages and the SLA board load on first visit: ECharts and the report code stay out of
 * the bundle that paints the queue and the lead page.
 */
const reportPages: Record<string, LazyExoticComponent<ComponentType>> = {
  funnel: lazy(async () => ({ default: (await pageChunks.funnel()).FunnelPage })),
  waterfall: lazy(async () => ({ default: (await pageChunks.waterfall()).WaterfallPage })),
  'lead-flow': lazy(async () => ({ default: (await pageChunks.leadFlow()).LeadFlowPage })),
  'follow-through': lazy(async () => ({
    default: (await pageChunks.followThrough()).FollowThroughPage,
  })),
  'close-rates': lazy(async () => ({ default: (await pageChunks.closeRates()).CloseRatesPage })),
  attribution: lazy(async () => ({ default: (await pageChunks.attribution()).AttributionPage })),
  'goal-tree': lazy(async () => ({ default: (await pageChunks.goalTree()).GoalTreePage })),
  clogs: lazy(async () => ({ default: (await pageChunks.clogs()).ClogsPage })),
};
const SlaPage = lazy(async () => ({ default: (await pageChunks.sla()).SlaPage }));

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
