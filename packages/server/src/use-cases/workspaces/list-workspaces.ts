import type { Deps } from '../../deps.ts';

export async function listWorkspaces(deps: Pick<Deps, 'repos'>) {
  return deps.repos.workspaces.list();
}
