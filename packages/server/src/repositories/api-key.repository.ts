import { and, asc, eq, getTableColumns, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { apiKeys } from '../db/schema.ts';
import { isUuid, single, withConstraintErrors } from './query-helpers.ts';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKey = Pick<
  ApiKeyRow,
  'workspaceId' | 'id' | 'name' | 'role' | 'prefix' | 'hash' | 'createdAt' | 'createdBy'
>;
/** What listing shows: everything but the hash. */
export type ApiKeySummary = Omit<ApiKeyRow, 'hash'>;

const { hash: _hash, ...summaryColumns } = getTableColumns(apiKeys);

export function createApiKeyRepository(db: Db) {
  return {
    /** Throws CONFLICT when the id or the prefix is taken. */
    async create(key: NewApiKey): Promise<ApiKeyRow> {
      const rows = await withConstraintErrors('The API key', () =>
        db.insert(apiKeys).values(key).returning(),
      );
      return single(rows);
    },

    /** Global by nature: a token names its key by prefix before its workspace is known. */
    async findByPrefix(prefix: string): Promise<ApiKeyRow | undefined> {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.prefix, prefix));
      return row;
    },

    /** Revoked keys included, oldest first. */
    list(workspaceId: string): Promise<ApiKeySummary[]> {
      if (!isUuid(workspaceId)) return Promise.resolve([]);
      return db
        .select(summaryColumns)
        .from(apiKeys)
        .where(eq(apiKeys.workspaceId, workspaceId))
        .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
    },

    /** False when the workspace has no such key or it is already revoked. */
    async revoke(workspaceId: string, id: string, at: Date): Promise<boolean> {
      if (!isUuid(workspaceId)) return false;
      const rows = await db
        .update(apiKeys)
        .set({ revokedAt: at })
        .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      return rows.length > 0;
    },

    /** Records a use; never moves `lastUsedAt` backwards. */
    async markUsed(id: string, at: Date): Promise<void> {
      await db
        .update(apiKeys)
        .set({ lastUsedAt: sql`greatest(${apiKeys.lastUsedAt}, ${at.toISOString()}::timestamptz)` })
        .where(eq(apiKeys.id, id));
    },
  };
}
