import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';

/**
 * Deactivates a webhook: it receives nothing more, its pending deliveries fail, and its row and
 * delivery history stay for the record.
 */
export async function deleteWebhook(
  options: { workspaceId: string; id: string },
  deps: Pick<Deps, 'repos'>,
): Promise<void> {
  const deactivated = await deps.repos.webhooks.deactivate(options.workspaceId, options.id);
  if (!deactivated) {
    throw new AppError('NOT_FOUND', {
      message: `No active webhook ${options.id} in this workspace.`,
      details: { id: options.id },
    });
  }
  await deps.repos.notifications.cancelPending(options.workspaceId, options.id, 'The webhook was deleted.');
}
