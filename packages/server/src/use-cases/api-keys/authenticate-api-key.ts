import { isRole } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import { findTokenPrefix, tokenMatchesHash } from '../../auth/api-tokens.ts';
import type { Principal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';

const lastUsedResolutionMs = 60_000;

/**
 * Resolves a presented token to its principal. Every failure answers the same UNAUTHORIZED, so a
 * caller cannot tell an unknown key from a revoked one or a wrong secret.
 */
export async function authenticateApiKey(
  options: { token: string },
  deps: Pick<Deps, 'repos' | 'clock' | 'log'>,
): Promise<Principal> {
  const denied = new AppError('UNAUTHORIZED', {
    message: 'The API key is missing, malformed, revoked or wrong.',
  });
  const prefix = findTokenPrefix(options.token);
  if (!prefix) throw denied;

  const key = await deps.repos.apiKeys.findByPrefix(prefix);
  if (!key || key.revokedAt || !tokenMatchesHash(options.token, key.hash) || !isRole(key.role)) throw denied;

  const now = deps.clock();
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > lastUsedResolutionMs) {
    await deps.repos.apiKeys.markUsed(key.id, now).catch((error: unknown) => {
      deps.log.warn({ err: error, keyPrefix: prefix }, 'could not record API key use');
    });
  }
  return {
    workspaceId: key.workspaceId,
    keyId: key.id,
    keyPrefix: key.prefix,
    keyName: key.name,
    role: key.role,
  };
}
