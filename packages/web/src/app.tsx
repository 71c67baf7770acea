import { BrowserRouter, Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { AppShell } from './components/app-shell.tsx';
import { Loading } from './components/status.tsx';
import { landingPathFor } from './navigation.ts';
import {
  AgreementRoute,
  AnnouncementsRoute,
  BriefRoute,
  InsightsRoute,
  PersonasRoute,
} from './pages/collaboration-routes.tsx';
import { HomePage } from './pages/home-page.tsx';
import { LeadPage } from './pages/lead-page.tsx';
import { QueuePage } from './pages/queue-page.tsx';
import { ReportRoute, SlaRoute } from './pages/reports/lazy-pages.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { SessionProvider, useSessionState } from './session/session-context.tsx';

/** The dashboard: sign-in, then the shell with a page per route. Pages register here and in navigation.ts. */
export function App() {
  return (
    <SessionProvider>
      <BrowserRouter>
        <Routes>
          <Route path="/sign-in" element={<SignInPage />} />
          <Route element={<RequireSession />}>
            <Route path="/" element={<HomePage />} />
            <Route path="/queue" element={<QueuePage />} />
            <Route path="/leads/:contactId" element={<LeadPage />} />
            <Route path="/agreement" element={<AgreementRoute />} />
            <Route path="/personas" element={<PersonasRoute />} />
            <Route path="/announcements" element={<AnnouncementsRoute />} />
            <Route path="/insights" element={<InsightsRoute />} />
            <Route path="/brief" element={<BriefRoute />} />
            <Route path="/reports" element={<Navigate to="/reports/funnel" replace />} />
            <Route path="/reports/:report" element={<ReportRoute />} />
            <Route path="/sla" element={<SlaRoute />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </SessionProvider>
  );
}

function RequireSession() {
  const { state } = useSessionState();
  const location = useLocation();
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'signed-out') {
    return <Navigate to="/sign-in" replace state={{ from: `${location.pathname}${location.search}` }} />;
  }
  return <AppShell />;
}

function NotFoundPage() {
  const { state } = useSessionState();
  const home =
    state.status === 'signed-in' ? landingPathFor(state.session.user.role, state.session.user.repId) : '/';
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to={home}>Go to your start page</Link>.
      </p>
    </section>
  );
}
