import { hashSessionToken } from '../../auth/session-tokens.ts';
import type { Deps } from '../../deps.ts';

/** Revokes a session: its cookie stops working at once. */
export async function signOut(
  options: { token: string },
  deps: Pick<Deps, 'repos' | 'clock'>,
): Promise<void> {
  await deps.repos.userSessions.revoke(hashSessionToken(options.token), deps.clock());
}
