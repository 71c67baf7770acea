import type { Deps } from '../../deps.ts';
import { checkWebhookUrl, type LookupAddresses, redactUrl } from '../../notify/check-webhook-url.ts';
import { deliverWebhook, type FetchLike } from '../../notify/deliver-webhook.ts';
import { formatMessage } from '../../notify/format-message.ts';
import { deliveryHeader, eventHeader, signatureHeader, signPayload } from '../../notify/sign-payload.ts';
import type { ClaimedDelivery, DeliveryOutcome } from '../../repositories/notification.repository.ts';

/** What sending needs besides storage: the network (injected, so tests are deterministic). */
export type NotifyDeps = Pick<Deps, 'repos' | 'clock' | 'log'> & {
  fetch: FetchLike;
  lookup?: LookupAddresses;
};

export type DeliveryOptions = {
  /** SMARKETING_WEBHOOK_ALLOW_PRIVATE: let deliveries reach loopback and private addresses. */
  allowPrivateUrls: boolean;
  /** Per request. */
  timeoutMs?: number;
  /** Deliveries claimed per round. */
  batchSize?: number;
};

export type DeliveryRound = { claimed: number; delivered: number; retrying: number; failed: number };

export const maxDeliveryAttempts = 8;
/** Waits after the 1st, 2nd, … failed attempt; the last one repeats (capped). */
const retryDelaysMs = [30_000, 120_000, 600_000, 3_600_000, 21_600_000, 43_200_000, 86_400_000];
const defaultTimeoutMs = 10_000;
const defaultBatchSize = 20;

/** How long after failed attempt number `attempts` (1-based) the next one is due. */
function retryDelayMs(attempts: number): number {
  const index = Math.min(Math.max(attempts, 1), retryDelaysMs.length) - 1;
  return retryDelaysMs[index] ?? 86_400_000;
}

/**
 * One round of the notifier: claims the pending deliveries that are due, sends them (signed when
 * the webhook has a secret), and records each outcome: 2xx delivered; 410 Gone deactivates the
 * webhook and fails its pending deliveries; anything else (other statuses, redirects, timeouts,
 * network errors, a URL that now resolves privately) is retried with exponential backoff until
 * `maxDeliveryAttempts`, then failed.
 */
export async function deliverDueNotifications(
  options: DeliveryOptions,
  deps: NotifyDeps,
): Promise<DeliveryRound> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const now = deps.clock();
  const claimed = await deps.repos.notifications.claimDue({
    now,
    // Longer than one attempt can take: past it, a delivery whose sender died is due again.
    leaseUntil: new Date(now.getTime() + timeoutMs + 60_000),
    limit: options.batchSize ?? defaultBatchSize,
  });
  const round: DeliveryRound = { claimed: claimed.length, delivered: 0, retrying: 0, failed: 0 };
  await Promise.all(
    claimed.map(async (delivery) => {
      const { outcome, gone } = await attempt(delivery, options, deps, timeoutMs);
      await deps.repos.notifications.recordOutcome(delivery.workspaceId, delivery.id, outcome);
      if (gone) {
        await deps.repos.webhooks.deactivate(delivery.workspaceId, delivery.webhookId);
        await deps.repos.notifications.cancelPending(
          delivery.workspaceId,
          delivery.webhookId,
          'The webhook answered 410 Gone and was deactivated.',
        );
      }
      if (outcome.status === 'delivered') round.delivered++;
      else if (outcome.status === 'failed') round.failed++;
      else round.retrying++;
    }),
  );
  return round;
}

async function attempt(
  delivery: ClaimedDelivery,
  options: DeliveryOptions,
  deps: NotifyDeps,
  timeoutMs: number,
): Promise<{ outcome: DeliveryOutcome; gone?: boolean }> {
  const { webhook, notification } = delivery;
  const unsent = (lastError: string) => ({
    outcome: {
      status: 'failed' as const,
      attempts: delivery.attempts,
      nextAttemptAt: null,
      lastStatusCode: delivery.lastStatusCode,
      lastError,
      deliveredAt: null,
    },
  });
  if (!webhook?.active) return unsent('The webhook was deleted or deactivated.');
  if (!notification) return unsent('The notification no longer exists.');

  const log = deps.log.child({
    deliveryId: delivery.id,
    webhookId: delivery.webhookId,
    kind: notification.kind,
    url: redactUrl(webhook.url),
  });
  const attempts = delivery.attempts + 1;
  const checked = await checkWebhookUrl(webhook.url, {
    allowPrivate: options.allowPrivateUrls,
    ...(deps.lookup ? { lookup: deps.lookup } : {}),
  });
  const body = formatMessage(webhook.format, {
    id: delivery.notificationId,
    workspaceId: delivery.workspaceId,
    kind: notification.kind,
    createdAt: notification.createdAt,
    payload: notification.payload,
  });
  const result = checked.ok
    ? await deliverWebhook(
        {
          url: webhook.url,
          body,
          headers: {
            [eventHeader]: notification.kind,
            [deliveryHeader]: delivery.id,
            ...(webhook.secret
              ? { [signatureHeader]: signPayload({ secret: webhook.secret, body, now: deps.clock() }) }
              : {}),
          },
        },
        { fetch: deps.fetch, timeoutMs },
      )
    : ({ ok: false, status: null, error: `Refused: the URL ${checked.reason}.` } as const);
  const finishedAt = deps.clock();

  if (result.ok) {
    log.info({ status: result.status, attempts }, 'webhook delivered');
    return {
      outcome: {
        status: 'delivered',
        attempts,
        nextAttemptAt: null,
        lastStatusCode: result.status,
        lastError: null,
        deliveredAt: finishedAt,
      },
    };
  }
  const failed = { attempts, lastStatusCode: result.status, lastError: result.error, deliveredAt: null };
  if (result.status === 410) {
    log.warn({ status: 410 }, 'webhook gone: deactivating it');
    return { outcome: { ...failed, status: 'failed', nextAttemptAt: null }, gone: true };
  }
  if (attempts >= maxDeliveryAttempts) {
    log.warn({ status: result.status, error: result.error, attempts }, 'webhook delivery failed for good');
    return { outcome: { ...failed, status: 'failed', nextAttemptAt: null } };
  }
  const nextAttemptAt = new Date(finishedAt.getTime() + retryDelayMs(attempts));
  log.info(
    { status: result.status, error: result.error, attempts, nextAttemptAt },
    'webhook delivery will be retried',
  );
  return { outcome: { ...failed, status: 'pending', nextAttemptAt } };
}
