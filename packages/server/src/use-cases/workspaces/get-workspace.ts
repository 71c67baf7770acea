import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';

export async function getWorkspace(options: { workspaceId: string }, deps: Pick<Deps, 'repos'>) {
  const workspace = await deps.repos.workspaces.find(options.workspaceId);
  if (!workspace)
    throw new AppError('NOT_FOUND', { message: `Workspace ${options.workspaceId} does not exist.` });
  return workspace;
}
