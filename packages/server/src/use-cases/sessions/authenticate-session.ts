import { isRole } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import type { Principal } from '../../auth/principal.ts';
import { hashSessionToken, sessionIdleMs } from '../../auth/session-tokens.ts';
import type { Deps } from '../../deps.ts';

/** `lastSeenAt` is written at most this often per session. */
const seenResolutionMs = 60_000;

export type AuthenticatedSession = { principal: Principal; csrfToken: string; expiresAt: Date };

/**
 * Resolves a session cookie to its principal. Revoked, expired (7 days after sign-in), idle (12
 * hours without a request) and disabled all answer the same UNAUTHORIZED.
 */
export async function authenticateSession(
  options: { token: string },
  deps: Pick<Deps, 'repos' | 'clock' | 'log'>,
): Promise<AuthenticatedSession> {
  const denied = () =>
    new AppError('UNAUTHORIZED', {
      message: 'The session has ended; sign in again.',
      details: { session: 'ended' },
    });
  if (options.token.length === 0 || options.token.length > 100) throw denied();
  const now = deps.clock();
  const tokenHash = hashSessionToken(options.token);
  const found = await deps.repos.userSessions.findActive(tokenHash, now);
  if (!found) throw denied();
  const { session, user } = found;
  if (now.getTime() - session.lastSeenAt.getTime() > sessionIdleMs) throw denied();
  if (user.disabledAt !== null || !isRole(user.role) || user.role === 'ingest') throw denied();
  if (now.getTime() - session.lastSeenAt.getTime() > seenResolutionMs) {
    await deps.repos.userSessions.markSeen(tokenHash, now).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'could not record session use');
    });
  }
  return {
    principal: {
      workspaceId: user.workspaceId,
      keyId: user.id,
      keyPrefix: 'session',
      keyName: user.email,
      role: user.role,
      user: { id: user.id, email: user.email, name: user.name, repId: user.repId },
    },
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
  };
}
