import type { Deps } from '../../deps.ts';

export async function listApiKeys(options: { workspaceId: string }, deps: Pick<Deps, 'repos'>) {
  return deps.repos.apiKeys.list(options.workspaceId);
}
