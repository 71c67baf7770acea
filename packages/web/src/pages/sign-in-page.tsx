import { type FormEvent, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError } from '../api/client.ts';
import { landingPathFor } from '../navigation.ts';
import { useSessionState } from '../session/session-context.tsx';

export function SignInPage() {
  const { state, signIn } = useSessionState();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [needsWorkspace, setNeedsWorkspace] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // Back to the page that asked for a sign-in; the bare root means "my start page".
  const asked = (location.state as { from?: string } | null)?.from;
  const from = asked === '/' ? undefined : asked;

  if (state.status === 'signed-in') {
    const { user } = state.session;
    return <Navigate to={from ?? landingPathFor(user.role, user.repId)} replace />;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      const session = await signIn(email, password, needsWorkspace ? workspace : undefined);
      navigate(from ?? landingPathFor(session.user.role, session.user.repId), { replace: true });
    } catch (error) {
      if (
        error instanceof ApiError &&
        (error.details as { field?: string } | undefined)?.field === 'workspace'
      ) {
        setNeedsWorkspace(true);
      }
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in" id="main">
      <form className="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="brand-name">Smarketing</span>
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        <p className="muted">One language and one set of numbers for sales and marketing.</p>
        {state.status === 'signed-out' && state.ended && !failure && (
          <p className="notice">Your session ended. Sign in again to continue.</p>
        )}
        <label className="field">
          <span>E-mail</span>
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {needsWorkspace && (
          <label className="field">
            <span>Workspace</span>
            <input
              name="workspace"
              required
              value={workspace}
              onChange={(event) => setWorkspace(event.target.value)}
            />
          </label>
        )}
        {failure && (
          <p className="form-error" role="alert">
            {failure}
          </p>
        )}
        <button type="submit" className="button button-primary" disabled={busy || state.status === 'loading'}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          No account yet? An admin creates one with <code>smarketing user create</code> or{' '}
          <code>POST /api/v1/users</code>.
        </p>
      </form>
    </main>
  );
}
