import { lazy, type ReactNode, Suspense } from 'react';
import { Loading } from '../components/status.tsx';

/*
 * The shared-object pages (agreement, personas, announcements), insights and the weekly brief load on first visit, so the bundle
 * that paints the queue and the lead page stays small.
 */
const AgreementPage = lazy(async () => ({
  default: (await import('./agreement/agreement-page.tsx')).AgreementPage,
}));
const PersonasPage = lazy(async () => ({
  default: (await import('./personas/personas-page.tsx')).PersonasPage,
}));
const AnnouncementsPage = lazy(async () => ({
  default: (await import('./announcements/announcements-page.tsx')).AnnouncementsPage,
}));

const InsightsPage = lazy(async () => ({
  default: (await import('./insights/insights-page.tsx')).InsightsPage,
}));

const BriefPage = lazy(async () => ({ default: (await import('./brief/brief-page.tsx')).BriefPage }));

function Opening({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading label="Opening the page…" />}>{children}</Suspense>;
}

export function AgreementRoute() {
  return (
    <Opening>
      <AgreementPage />
    </Opening>
  );
}

export function PersonasRoute() {
  return (
    <Opening>
      <PersonasPage />
    </Opening>
  );
}

export function AnnouncementsRoute() {
  return (
    <Opening>
      <AnnouncementsPage />
    </Opening>
  );
}

export function InsightsRoute() {
  return (
    <Opening>
      <InsightsPage />
    </Opening>
  );
}

export function BriefRoute() {
  return (
    <Opening>
      <BriefPage />
    </Opening>
  );
}
