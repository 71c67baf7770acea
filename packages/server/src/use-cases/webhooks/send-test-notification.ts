import { AppError } from '../../app-error.ts';
import type { Deps } from '../../deps.ts';
import { createUuidV7 } from '../../ids.ts';
import { testNotificationKind } from '../../notify/notification-kinds.ts';
import { enqueueNotifications } from '../../repositories/notification.repository.ts';

/**
 * Queues a `test` notification to one webhook, whatever kinds it subscribed to; the notifier
 * sends it like any other, so its delivery shows whether the receiver works.
 */
export async function sendTestNotification(
  options: { workspaceId: string; webhookId: string },
  deps: Pick<Deps, 'repos' | 'clock'>,
): Promise<{ notificationId: string; deliveryId: string }> {
  const webhook = await deps.repos.webhooks.find(options.workspaceId, options.webhookId);
  if (!webhook?.active) {
    throw new AppError('NOT_FOUND', {
      message: `No active webhook ${options.webhookId} in this workspace.`,
      details: { id: options.webhookId },
    });
  }
  const createdAt = deps.clock();
  const notificationId = createUuidV7(createdAt);
  const [delivery] = await enqueueNotifications(
    deps.repos,
    options.workspaceId,
    [
      {
        id: notificationId,
        kind: testNotificationKind,
        payload: { message: 'A test notification from Smarketing.' },
        createdAt,
      },
    ],
    { onlyWebhookId: webhook.id },
  );
  if (!delivery) throw new AppError('CONFLICT', { message: 'The webhook was deactivated meanwhile.' });
  return { notificationId, deliveryId: delivery.id };
}
