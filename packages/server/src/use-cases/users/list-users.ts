import type { Deps } from '../../deps.ts';
import type { UserSummary } from '../../repositories/user.repository.ts';

/** The workspace's dashboard users, oldest first (never their password hashes). */
export function listUsers(
  options: { workspaceId: string },
  deps: Pick<Deps, 'repos'>,
): Promise<UserSummary[]> {
  return deps.repos.users.list(options.workspaceId);
}
