import { and, asc, desc, eq, getTableColumns, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { type DeliveryStatus, notifications, webhookDeliveries, webhooks } from '../db/schema.ts';
import { isUuid } from './query-helpers.ts';

/**
 * The notifications outbox and its deliveries. A notification is written once, in the same
 * transaction as the change it reports; each active webhook that wants its kind gets one pending
 * delivery row, which the notifier (use-cases/notifications/deliver-due-notifications.ts) sends,
 * retries and settles. All delivery state lives in `webhook_deliveries`, so a restart resumes.
 */

export type NewNotification = {
  /** A UUID; enqueueing the same id again changes nothing. */
  id: string;
  kind: string;
  contactId?: string;
  /** JSON; for the kinds of notify/notification-kinds.ts, the payload type given there. */
  payload: unknown;
  createdAt: Date;
};

export type EnqueuedDelivery = { id: string; webhookId: string; notificationId: string };

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/** A delivery the notifier has leased, with what it needs to send it. */
export type ClaimedDelivery = DeliveryRow & {
  webhook: { url: string; format: 'json' | 'slack'; secret: string | null; active: boolean } | null;
  notification: { kind: string; payload: unknown; createdAt: Date } | null;
};

export type DeliveryOutcome = {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
};

export type DeliveryView = DeliveryRow & { kind: string | null };

export function createNotificationRepository(db: Db) {
  return {
    /**
     * Inserts the notifications and, for each one that is new, a pending delivery (due at its
     * `createdAt`) per active webhook of the workspace whose kinds include it (empty kinds: all).
     * One statement, so it is atomic on its own and joins the caller's transaction when `db` is
     * one. Idempotent: a notification id already stored is skipped with its fan-out.
     * `onlyWebhookId` sends to that one webhook whatever its kinds (test notifications).
     */
    async enqueue(
      workspaceId: string,
      list: readonly NewNotification[],
      options: { onlyWebhookId?: string } = {},
    ): Promise<EnqueuedDelivery[]> {
      if (list.length === 0) return [];
      const input = JSON.stringify(
        list.map((notification) => ({
          id: notification.id,
          kind: notification.kind,
          contact_id: notification.contactId ?? null,
          payload: notification.payload ?? {},
          created_at: notification.createdAt.toISOString(),
        })),
      );
      const wanted = options.onlyWebhookId
        ? sql`w.id = ${options.onlyWebhookId}::uuid`
        : sql`(w.kinds = '[]'::jsonb or w.kinds @> jsonb_build_array(n.kind))`;
      const result = (await db.execute(sql`
        with input as (
          select * from jsonb_to_recordset(${input}::jsonb)
            as x(id uuid, kind text, contact_id uuid, payload jsonb, created_at timestamptz)
        ), inserted as (
          insert into notifications (workspace_id, id, kind, contact_id, payload, created_at)
          select ${workspaceId}::uuid, id, kind, contact_id, payload, created_at from input
          on conflict (workspace_id, id) do nothing
          returning id, kind, created_at
        )
        insert into webhook_deliveries
          (workspace_id, id, webhook_id, notification_id, status, attempts, next_attempt_at, created_at)
        select w.workspace_id, gen_random_uuid(), w.id, n.id, 'pending', 0, n.created_at, n.created_at
        from inserted n
        join webhooks w on w.workspace_id = ${workspaceId}::uuid and w.active and ${wanted}
        on conflict (workspace_id, webhook_id, notification_id) do nothing
        returning id, webhook_id, notification_id
      `)) as unknown as { rows: { id: string; webhook_id: string; notification_id: string }[] };
      return result.rows.map((row) => ({
        id: row.id,
        webhookId: row.webhook_id,
        notificationId: row.notification_id,
      }));
    },

    /**
     * Leases up to `limit` pending deliveries due at `now`, across workspaces, oldest first: their
     * next attempt moves to `leaseUntil`, so another notifier skips them and a crash mid-send only
     * delays them. Rows locked by a concurrent claim are skipped (PostgreSQL).
     */
    async claimDue(options: { now: Date; leaseUntil: Date; limit: number }): Promise<ClaimedDelivery[]> {
      const d = webhookDeliveries;
      const due = db
        .select({ workspaceId: d.workspaceId, id: d.id })
        .from(d)
        .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, options.now)))
        .orderBy(asc(d.nextAttemptAt))
        .limit(options.limit)
        .for('update', { skipLocked: true });
      const claimed = await db
        .update(d)
        .set({ nextAttemptAt: options.leaseUntil })
        .where(sql`(${d.workspaceId}, ${d.id}) in (${due})`)
        .returning({ id: d.id });
      if (claimed.length === 0) return [];
      const rows = await db
        .select({
          delivery: d,
          webhook: {
            url: webhooks.url,
            format: webhooks.format,
            secret: webhooks.secret,
            active: webhooks.active,
          },
          notification: {
            kind: notifications.kind,
            payload: notifications.payload,
            createdAt: notifications.createdAt,
          },
        })
        .from(d)
        .leftJoin(webhooks, and(eq(webhooks.workspaceId, d.workspaceId), eq(webhooks.id, d.webhookId)))
        .leftJoin(
          notifications,
          and(eq(notifications.workspaceId, d.workspaceId), eq(notifications.id, d.notificationId)),
        )
        .where(
          inArray(
            d.id,
            claimed.map((row) => row.id),
          ),
        )
        .orderBy(asc(d.createdAt), asc(d.id));
      return rows.map((row) => ({ ...row.delivery, webhook: row.webhook, notification: row.notification }));
    },

    /** Records an attempt's outcome; a delivery settled meanwhile (cancelled) stays as it is. */
    async recordOutcome(workspaceId: string, id: string, outcome: DeliveryOutcome): Promise<void> {
      await db
        .update(webhookDeliveries)
        .set(outcome)
        .where(
          and(
            eq(webhookDeliveries.workspaceId, workspaceId),
            eq(webhookDeliveries.id, id),
            eq(webhookDeliveries.status, 'pending'),
          ),
        );
    },

    /** Fails a webhook's pending deliveries (it was deleted or is gone); answers how many. */
    async cancelPending(workspaceId: string, webhookId: string, reason: string): Promise<number> {
      if (!isUuid(workspaceId) || !isUuid(webhookId)) return 0;
      const rows = await db
        .update(webhookDeliveries)
        .set({ status: 'failed', nextAttemptAt: null, lastError: reason })
        .where(
          and(
            eq(webhookDeliveries.workspaceId, workspaceId),
            eq(webhookDeliveries.webhookId, webhookId),
            eq(webhookDeliveries.status, 'pending'),
          ),
        )
        .returning({ id: webhookDeliveries.id });
      return rows.length;
    },

    /** A webhook's deliveries, newest first, with the kind of what they carry. */
    listDeliveries(workspaceId: string, webhookId: string, limit: number): Promise<DeliveryView[]> {
      if (!isUuid(workspaceId) || !isUuid(webhookId)) return Promise.resolve([]);
      return db
        .select({ ...getTableColumns(webhookDeliveries), kind: notifications.kind })
        .from(webhookDeliveries)
        .leftJoin(
          notifications,
          and(
            eq(notifications.workspaceId, webhookDeliveries.workspaceId),
            eq(notifications.id, webhookDeliveries.notificationId),
          ),
        )
        .where(
          and(eq(webhookDeliveries.workspaceId, workspaceId), eq(webhookDeliveries.webhookId, webhookId)),
        )
        .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
        .limit(limit);
    },
  };
}

/**
 * The engine's entry point: writes notifications to the outbox, with their pending deliveries,
 * through the given repositories (make them over the engine's transaction: `createRepositories(tx)`).
 */
export function enqueueNotifications(
  repos: { notifications: NotificationRepository },
  workspaceId: string,
  list: readonly NewNotification[],
  options: { onlyWebhookId?: string } = {},
): Promise<EnqueuedDelivery[]> {
  return repos.notifications.enqueue(workspaceId, list, options);
}

type NotificationRepository = ReturnType<typeof createNotificationRepository>;
