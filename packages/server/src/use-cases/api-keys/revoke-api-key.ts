import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { forgetApiKey } from './authenticate-api-key.ts';

export async function revokeApiKey(
  options: { workspaceId: string; id: string },
  deps: Pick<Deps, 'repos' | 'clock'>,
): Promise<void> {
  const revoked = await deps.repos.apiKeys.revoke(options.workspaceId, options.id, deps.clock());
  forgetApiKey(options.id);
  if (!revoked) {
    throw new AppError('NOT_FOUND', {
      message: `No active API key ${options.id} in this workspace.`,
      details: { id: options.id },
    });
  }
}
