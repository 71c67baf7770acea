import type { Role } from '@smarketing/core';

/** Who is calling: resolved from an API key on every non-public request. */
export type Principal = {
  workspaceId: string;
  keyId: string;
  keyPrefix: string;
  keyName: string;
  role: Role;
};

/** How a principal is named in version history and, later, the audit log. */
export function describePrincipal(principal: Principal): string {
  return `api-key ${principal.keyName} (smk_${principal.keyPrefix})`;
}
