import type { Context } from 'hono';
import { AppError } from '../app-error.ts';
import type { Principal } from '../auth/principal.ts';
import type { Logger } from '../log.ts';

export type AppEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    principal: Principal | undefined;
    /** Set when the caller authenticated with the dashboard's session cookie. */
    session?: { token: string; csrfToken: string; expiresAt: Date };
  };
};

/** The authenticated caller; the auth middleware guarantees one on every /api route. */
export function getPrincipal(c: Context<AppEnv>): Principal {
  const principal = c.get('principal');
  if (!principal) throw new AppError('UNAUTHORIZED');
  return principal;
}
