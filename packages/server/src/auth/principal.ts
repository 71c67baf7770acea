import type { Role } from '@smarketing/core';

/** A person signed in to the dashboard. */
export type PrincipalUser = { id: string; email: string; name: string; repId: string | null };

/**
 * Who is calling: resolved from an API key, or from a dashboard session cookie, on every
 * non-public request. A session's principal names the user in `user`; its `keyId` is the user's
 * id and `keyPrefix` is `session`, so per-caller budgets and logs work the same for both.
 */
export type Principal = {
  workspaceId: string;
  keyId: string;
  keyPrefix: string;
  keyName: string;
  role: Role;
  user?: PrincipalUser;
};

/** How a principal is named in version history and the audit log. */
export function describePrincipal(principal: Principal): string {
  if (principal.user) return `user ${principal.user.email}`;
  return `api-key ${principal.keyName} (smk_${principal.keyPrefix})`;
}
