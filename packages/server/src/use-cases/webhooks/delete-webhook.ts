import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { withRepos } from '../with-repos.ts';

/**
 * Deactivates a webhook: it receives nothing more, its pending deliveries fail, and its row and
 * delivery history stay for the record.
 */
export async function deleteWebhook(
  options: { workspaceId: string; id: string; deletedBy?: string },
  deps: Pick<Deps, 'repos'> & Partial<Pick<Deps, 'database' | 'clock'>>,
): Promise<void> {
  await withRepos(deps, async (repos) => {
    const deactivated = await repos.webhooks.deactivate(options.workspaceId, options.id);
    if (!deactivated) {
      throw new AppError('NOT_FOUND', {
        message: `No active webhook ${options.id} in this workspace.`,
        details: { id: options.id },
      });
    }
    await repos.notifications.cancelPending(options.workspaceId, options.id, 'The webhook was deleted.');
    await recordAudit(repos, {
      workspaceId: options.workspaceId,
      actor: options.deletedBy ?? 'system',
      action: 'webhook.delete',
      target: options.id,
      at: deps.clock?.() ?? new Date(),
    });
  });
}
