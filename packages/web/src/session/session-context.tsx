import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, setCsrfToken, setSessionEndedHandler } from '../api/client.ts';
import type { Role, Session } from '../api/types.ts';

type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; ended?: boolean }
  | { status: 'signed-in'; session: Session };

type SessionContextValue = {
  state: SessionState;
  signIn(email: string, password: string, workspace?: string): Promise<Session>;
  signOut(): Promise<void>;
};

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

/** The first session check starts as the code loads, not after the first render. */
let firstCheck: Promise<Session> | undefined = api.get<Session>('/api/v1/session');
firstCheck.catch(() => undefined);

/** Holds who is signed in: asks the server once at start, then follows sign-in and sign-out. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const adopt = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken);
    setState({ status: 'signed-in', session });
  }, []);

  useEffect(() => {
    setSessionEndedHandler(() => {
      setCsrfToken(undefined);
      setState({ status: 'signed-out', ended: true });
    });
    const check = firstCheck ?? api.get<Session>('/api/v1/session');
    firstCheck = undefined;
    check.then(adopt).catch(() => setState({ status: 'signed-out' }));
    return () => setSessionEndedHandler(undefined);
  }, [adopt]);

  const signIn = useCallback(
    async (email: string, password: string, workspace?: string) => {
      const session = await api.post<Session>('/api/v1/session', {
        email,
        password,
        ...(workspace ? { workspace } : {}),
      });
      adopt(session);
      return session;
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    try {
      await api.delete('/api/v1/session');
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    setCsrfToken(undefined);
    setState({ status: 'signed-out' });
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSessionState needs a SessionProvider');
  return value;
}

/** The signed-in session; only for pages inside the signed-in shell. */
export function useSession(): Session {
  const { state } = useSessionState();
  if (state.status !== 'signed-in') throw new Error('useSession is for signed-in pages');
  return state.session;
}

/** Roles that write facts (touches, feedback): the same list as the server's `facts:write`. */
export function canWriteFacts(role: Role): boolean {
  return role === 'admin' || role === 'manager' || role === 'marketing' || role === 'sales';
}

/** Roles that may open any rep's queue (the server's `queue:read-any`). */
export function canReadAnyQueue(role: Role): boolean {
  return role === 'admin' || role === 'manager';
}

/** Roles that may give a lead to another rep (the server's `leads:reassign`). */
export function canReassign(role: Role): boolean {
  return role === 'admin' || role === 'manager';
}
