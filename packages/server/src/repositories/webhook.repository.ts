import { and, asc, eq, getTableColumns } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { webhooks } from '../db/schema.ts';
import { isUuid, single, withConstraintErrors } from './query-helpers.ts';

export type WebhookRow = typeof webhooks.$inferSelect;
export type NewWebhook = Pick<
  WebhookRow,
  'workspaceId' | 'id' | 'url' | 'format' | 'kinds' | 'secret' | 'createdAt'
>;
/** What listing shows: everything but the signing secret. */
export type WebhookSummary = Omit<WebhookRow, 'secret'>;

const { secret: _secret, ...summaryColumns } = getTableColumns(webhooks);

export function createWebhookRepository(db: Db) {
  return {
    async create(webhook: NewWebhook): Promise<WebhookRow> {
      const rows = await withConstraintErrors('The webhook', () =>
        db.insert(webhooks).values(webhook).returning(),
      );
      return single(rows);
    },

    /** With its secret, for signing; inactive ones included. */
    async find(workspaceId: string, id: string): Promise<WebhookRow | undefined> {
      if (!isUuid(workspaceId) || !isUuid(id)) return undefined;
      const [row] = await db
        .select()
        .from(webhooks)
        .where(and(eq(webhooks.workspaceId, workspaceId), eq(webhooks.id, id)));
      return row;
    },

    /** Deactivated ones included, oldest first. */
    list(workspaceId: string): Promise<WebhookSummary[]> {
      if (!isUuid(workspaceId)) return Promise.resolve([]);
      return db
        .select(summaryColumns)
        .from(webhooks)
        .where(eq(webhooks.workspaceId, workspaceId))
        .orderBy(asc(webhooks.createdAt), asc(webhooks.id));
    },

    /** False when the workspace has no such webhook or it is already inactive. */
    async deactivate(workspaceId: string, id: string): Promise<boolean> {
      if (!isUuid(workspaceId) || !isUuid(id)) return false;
      const rows = await db
        .update(webhooks)
        .set({ active: false })
        .where(and(eq(webhooks.workspaceId, workspaceId), eq(webhooks.id, id), eq(webhooks.active, true)))
        .returning({ id: webhooks.id });
      return rows.length > 0;
    },
  };
}
