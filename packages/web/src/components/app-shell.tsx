import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { navigationFor } from '../navigation.ts';
import { useSession, useSessionState } from '../session/session-context.tsx';
import { AnnouncementBanner } from './announcements/announcement-banner.tsx';

/** The frame of every signed-in page: the workspace, navigation by role, who is signed in. */
export function AppShell() {
  const session = useSession();
  const { signOut } = useSessionState();
  const navigate = useNavigate();
  const [leaving, setLeaving] = useState(false);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="brand-name">Smarketing</span>
          <span className="brand-workspace">{session.workspace.name}</span>
        </div>
        <nav aria-label="Main">
          <ul className="nav">
            {navigationFor(session.user.role).map((entry) => (
              <li key={entry.to}>
                <NavLink to={entry.to} end={entry.to === '/'} className="nav-link">
                  {entry.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className="who-name">{session.user.name}</span>
          <span className="who-role">{session.user.role}</span>
          <button
            type="button"
            className="button button-quiet"
            disabled={leaving}
            onClick={async () => {
              setLeaving(true);
              await signOut().finally(() => setLeaving(false));
              navigate('/sign-in');
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <AnnouncementBanner />
      <main id="main" className="page" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
