import { isRole } from '@smarketing/core';
import { AppError } from '../../app-error.ts';
import { findTokenPrefix, hashToken, tokenMatchesHash } from '../../auth/api-tokens.ts';
import type { Principal } from '../../auth/principal.ts';
import type { Deps } from '../../deps.ts';

const lastUsedResolutionMs = 60_000;

/**
 * Recently verified keys, so a burst of tracking calls costs no database round trip each.
 * Revoking a key in this process forgets it at once; another process sharing the database
 * stops accepting it within `cacheTtlMs`.
 */
const cacheTtlMs = 10_000;
const maxCachedKeys = 10_000;
const verified = new Map<string, { principal: Principal; expiresAt: number }>();

export function forgetApiKey(keyId: string): void {
  for (const [hash, entry] of verified) if (entry.principal.keyId === keyId) verified.delete(hash);
}

/**
 * Resolves a presented token to its principal. Every failure answers the same UNAUTHORIZED, so a
 * caller cannot tell an unknown key from a revoked one or a wrong secret.
 */
export async function authenticateApiKey(
  options: { token: string },
  deps: Pick<Deps, 'repos' | 'clock' | 'log'>,
): Promise<Principal> {
  const denied = () =>
    new AppError('UNAUTHORIZED', { message: 'The API key is missing, malformed, revoked or wrong.' });
  const prefix = findTokenPrefix(options.token);
  if (!prefix) throw denied();
  const now = deps.clock();
  const tokenHash = hashToken(options.token);
  const cached = verified.get(tokenHash);
  if (cached && cached.expiresAt > now.getTime()) return cached.principal;

  const key = await deps.repos.apiKeys.findByPrefix(prefix);
  if (!key || key.revokedAt || !tokenMatchesHash(options.token, key.hash) || !isRole(key.role))
    throw denied();

  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > lastUsedResolutionMs) {
    await deps.repos.apiKeys.markUsed(key.id, now).catch((error: unknown) => {
      deps.log.warn({ err: error, keyPrefix: prefix }, 'could not record API key use');
    });
  }
  const principal: Principal = {
    workspaceId: key.workspaceId,
    keyId: key.id,
    keyPrefix: key.prefix,
    keyName: key.name,
    role: key.role,
  };
  if (verified.size >= maxCachedKeys) verified.clear();
  verified.set(tokenHash, { principal, expiresAt: now.getTime() + cacheTtlMs });
  return principal;
}
