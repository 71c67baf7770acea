import { isRole } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import { decoyHash, verifyPassword } from '../../auth/passwords.ts';
import type { PrincipalUser } from '../../auth/principal.ts';
import { issueCsrfToken, issueSessionToken, sessionLifetimeMs } from '../../auth/session-tokens.ts';
import type { Deps } from '../../deps.ts';
import type { UserRole } from '../users/create-user.ts';

export type SignedIn = {
  user: PrincipalUser & { role: UserRole };
  workspace: { id: string; slug: string };
  /** The cookie's value: returned once, only its hash is stored. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
};

/** The one answer for an unknown e-mail, a wrong password and a disabled user. */
function signInRefused(): AppError {
  return new AppError('UNAUTHORIZED', { message: 'The e-mail or the password is wrong.' });
}

/**
 * Checks an e-mail and password and opens a session. The e-mail may exist in several workspaces:
 * the password is checked against each, and when it opens more than one, `workspace` (a slug)
 * must say which. An unknown e-mail costs the same password check as a known one.
 */
export async function signIn(
  options: { email: string; password: string; workspace?: string | undefined },
  deps: Pick<Deps, 'repos' | 'clock'>,
): Promise<SignedIn> {
  const email = options.email.trim().toLowerCase();
  const candidates = (await deps.repos.users.findByEmail(email)).filter(
    (user) => options.workspace === undefined || user.workspaceSlug === options.workspace,
  );
  if (candidates.length === 0) {
    await verifyPassword(options.password, await decoyHash());
    throw signInRefused();
  }
  const opened = [];
  for (const user of candidates) {
    const ok = user.passwordHash !== null && (await verifyPassword(options.password, user.passwordHash));
    if (ok && user.disabledAt === null && isRole(user.role) && user.role !== 'ingest') opened.push(user);
  }
  const [user, ...others] = opened;
  if (user === undefined) throw signInRefused();
  if (others.length > 0) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'This e-mail signs in to several workspaces; name the workspace.',
      details: { field: 'workspace', workspaces: opened.map((found) => found.workspaceSlug) },
    });
  }

  const now = deps.clock();
  const issued = issueSessionToken();
  const csrfToken = issueCsrfToken();
  const expiresAt = new Date(now.getTime() + sessionLifetimeMs);
  await deps.repos.userSessions.create({
    tokenHash: issued.hash,
    workspaceId: user.workspaceId,
    userId: user.id,
    csrfToken,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    revokedAt: null,
  });
  return {
    user: { id: user.id, email: user.email, name: user.name, repId: user.repId, role: user.role as UserRole },
    workspace: { id: user.workspaceId, slug: user.workspaceSlug },
    token: issued.token,
    csrfToken,
    expiresAt,
  };
}
