import { hasPermission, type Permission, rolesWith } from '@smarketing/core';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../app-error.ts';
import { csrfTokenMatches, sessionCookieName } from '../auth/session-tokens.ts';
import type { Deps } from '../deps.ts';
import { authenticateApiKey } from '../use-cases/api-keys/authenticate-api-key.ts';
import { authenticateSession } from '../use-cases/sessions/authenticate-session.ts';
import type { AppEnv } from './app-env.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Reads the API key from `Authorization: Bearer <token>`, or from HTTP Basic with the token as the
 * user name (how Segment-spec clients send a write key), and resolves it to a principal. Without
 * one, the dashboard's session cookie does; a state-changing request made with the cookie must
 * also send the session's CSRF token in `X-CSRF-Token` (double submit against the stored one).
 */
export function authenticate(deps: Pick<Deps, 'repos' | 'clock' | 'log'>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = readToken(c.req.header('authorization'));
    if (token) {
      c.set('principal', await authenticateApiKey({ token }, deps));
      return next();
    }
    const sessionToken = getCookie(c, sessionCookieName);
    if (!sessionToken) {
      throw new AppError('UNAUTHORIZED', {
        message: 'Send an API key as "Authorization: Bearer <token>", or sign in.',
      });
    }
    const session = await authenticateSession({ token: sessionToken }, deps);
    if (
      !safeMethods.has(c.req.method) &&
      !csrfTokenMatches(c.req.header('x-csrf-token'), session.csrfToken)
    ) {
      throw new AppError('FORBIDDEN', {
        message: "A request made with the session cookie must send the session's CSRF token in X-CSRF-Token.",
        details: { csrf: 'missing-or-wrong' },
      });
    }
    c.set('principal', session.principal);
    c.set('session', { token: sessionToken, csrfToken: session.csrfToken, expiresAt: session.expiresAt });
    return next();
  });
}

export function requirePermission(permission: Permission) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const principal = c.get('principal');
    if (!principal) throw new AppError('UNAUTHORIZED');
    if (!hasPermission(principal.role, permission)) {
      throw new AppError('FORBIDDEN', {
        message: `The role "${principal.role}" may not ${permission.replace(':', ' ')}.`,
        details: { permission, role: principal.role, allowedRoles: rolesWith(permission) },
      });
    }
    await next();
  });
}

export function readToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(/\s+/, 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    return separator === -1 ? decoded : decoded.slice(0, separator);
  }
  return undefined;
}
