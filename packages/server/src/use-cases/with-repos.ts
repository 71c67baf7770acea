import type { Deps } from '../deps.ts';
import { createRepositories, type Repositories } from '../repositories/index.ts';

/**
 * Runs `work` in one transaction when the deps carry the database (a route or the CLI), or on
 * the repositories given (a caller that already holds a transaction passes its own), so a change
 * and its audit entry commit together.
 */
export function withRepos<T>(
  deps: Pick<Deps, 'repos'> & Partial<Pick<Deps, 'database'>>,
  work: (repos: Repositories) => Promise<T>,
): Promise<T> {
  if (deps.database === undefined) return work(deps.repos);
  return deps.database.db.transaction((tx) => work(createRepositories(tx)));
}
