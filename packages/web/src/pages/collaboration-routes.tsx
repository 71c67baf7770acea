import { lazy, type ReactNode, Suspense } from 'react';
import { Loading } from '../components/status.tsx';
import { pageChunks } from '../route-chunks.ts';

/*
 * The shared-object pages (agreement, personas, announcements), insights and the weekly brief load on first visit, so the bundle
 * that paints the queue and the lead page stays small.
 */
const AgreementPage = lazy(async () => ({
  default: (await pageChunks.agreement()).AgreementPage,
}));
const PersonasPage = lazy(async () => ({
  default: (await pageChunks.personas()).PersonasPage,
}));
const AnnouncementsPage = lazy(async () => ({
  default: (await pageChunks.announcements()).AnnouncementsPage,
}));

const InsightsPage = lazy(async () => ({
  default: (await pageChunks.insights()).InsightsPage,
}));

const BriefPage = lazy(async () => ({ default: (await pageChunks.brief()).BriefPage }));

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
