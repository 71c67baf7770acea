import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';

/** A webhook's deliveries, newest first: what was sent, how often, and how it went. */
export async function listWebhookDeliveries(
  options: { workspaceId: string; webhookId: string; limit: number },
  deps: Pick<Deps, 'repos'>,
) {
  const webhook = await deps.repos.webhooks.find(options.workspaceId, options.webhookId);
  if (!webhook) {
    throw new AppError('NOT_FOUND', {
      message: `No webhook ${options.webhookId} in this workspace.`,
      details: { id: options.webhookId },
    });
  }
  return deps.repos.notifications.listDeliveries(options.workspaceId, options.webhookId, options.limit);
}
