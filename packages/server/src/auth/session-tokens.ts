import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashToken } from './api-tokens.ts';

/** The dashboard's session cookie: a 256-bit random token; only its SHA-256 is stored. */
export const sessionCookieName = 'smk_session';
/** A session ends after this long without a request… */
export const sessionIdleMs = 12 * 60 * 60 * 1000;
/** …and this long after sign-in, whatever happens. */
export const sessionLifetimeMs = 7 * 24 * 60 * 60 * 1000;

export function issueSessionToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSessionToken(token) };
}

export function hashSessionToken(token: string): string {
  return hashToken(token);
}

/** The per-session secret a state-changing request made with the cookie must echo in X-CSRF-Token. */
export function issueCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

export function csrfTokenMatches(presented: string | undefined, stored: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(stored, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
