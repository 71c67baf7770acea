import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { auditLog } from '../db/schema.ts';

export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = typeof auditLog.$inferInsert;

/** The append-only audit log (a trigger refuses UPDATE and DELETE). */
export function createAuditRepository(db: Db) {
  return {
    async append(entry: NewAuditEntry): Promise<void> {
      await db.insert(auditLog).values(entry);
    },

    /** Newest first; `before` pages back (keyset on time then id). */
    list(
      workspaceId: string,
      options: { since?: Date; before?: Date; action?: string; limit: number },
    ): Promise<AuditEntry[]> {
      const conditions: SQL[] = [eq(auditLog.workspaceId, workspaceId)];
      if (options.since) conditions.push(gte(auditLog.at, options.since));
      if (options.before) conditions.push(lt(auditLog.at, options.before));
      if (options.action) conditions.push(eq(auditLog.action, options.action));
      return db
        .select()
        .from(auditLog)
        .where(and(...conditions))
        .orderBy(desc(auditLog.at), desc(auditLog.id))
        .limit(options.limit);
    },
  };
}
