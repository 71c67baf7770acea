import { hasPermission, type Permission, rolesWith } from '@smarketing/core';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../app-error.ts';
import type { Deps } from '../deps.ts';
import { authenticateApiKey } from '../use-cases/api-keys/authenticate-api-key.ts';
import type { AppEnv } from './app-env.ts';

/**
 * Reads the API key from `Authorization: Bearer <token>`, or from HTTP Basic with the token as the
 * user name (how Segment-spec clients send a write key), and resolves it to a principal.
 */
export function authenticate(deps: Pick<Deps, 'repos' | 'clock' | 'log'>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = readToken(c.req.header('authorization'));
    if (!token) {
      throw new AppError('UNAUTHORIZED', {
        message: 'Send an API key as "Authorization: Bearer <token>".',
      });
    }
    c.set('principal', await authenticateApiKey({ token }, deps));
    await next();
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
