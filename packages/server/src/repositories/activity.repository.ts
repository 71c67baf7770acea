import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { activities } from '../db/schema.ts';
import { isUuid, withConstraintErrors } from './query-helpers.ts';

export type ActivityRow = typeof activities.$inferSelect;
export type NewActivity = typeof activities.$inferInsert;

/** Rows per INSERT statement: 12 columns × 1,000 rows stays far below PostgreSQL's 65,535 parameters. */
const rowsPerStatement = 1_000;

export function createActivityRepository(db: Db) {
  return {
    /** Stores activities with multi-row inserts, all or none. Returns how many were stored. */
    async append(rows: readonly NewActivity[]): Promise<number> {
      if (rows.length === 0) return 0;
      const chunks: NewActivity[][] = [];
      for (let start = 0; start < rows.length; start += rowsPerStatement) {
        chunks.push(rows.slice(start, start + rowsPerStatement));
      }
      await withConstraintErrors('The activity', async () => {
        if (chunks.length === 1 && chunks[0]) {
          await db.insert(activities).values(chunks[0]);
          return;
        }
        await db.transaction(async (tx) => {
          for (const chunk of chunks) await tx.insert(activities).values(chunk);
        });
      });
      return rows.length;
    },

    /** Oldest first. */
    listForContact(workspaceId: string, contactId: string): Promise<ActivityRow[]> {
      if (!isUuid(workspaceId) || !isUuid(contactId)) return Promise.resolve([]);
      return db
        .select()
        .from(activities)
        .where(and(eq(activities.workspaceId, workspaceId), eq(activities.contactId, contactId)))
        .orderBy(asc(activities.occurredAt), asc(activities.receivedAt), asc(activities.id));
    },
  };
}
