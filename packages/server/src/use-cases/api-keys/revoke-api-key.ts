import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { withRepos } from '../with-repos.ts';
import { forgetApiKey } from './authenticate-api-key.ts';

export async function revokeApiKey(
  options: { workspaceId: string; id: string; revokedBy: string },
  deps: Pick<Deps, 'repos' | 'clock'> & Partial<Pick<Deps, 'database'>>,
): Promise<void> {
  const at = deps.clock();
  const revoked = await withRepos(deps, async (repos) => {
    const done = await repos.apiKeys.revoke(options.workspaceId, options.id, at);
    if (done) {
      await recordAudit(repos, {
        workspaceId: options.workspaceId,
        actor: options.revokedBy,
        action: 'api-key.revoke',
        target: options.id,
        at,
      });
    }
    return done;
  });
  forgetApiKey(options.id);
  if (!revoked) {
    throw new AppError('NOT_FOUND', {
      message: `No active API key ${options.id} in this workspace.`,
      details: { id: options.id },
    });
  }
}
