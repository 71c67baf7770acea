import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { feedback } from '../db/schema.ts';
import { isUuid, single, withConstraintErrors } from './query-helpers.ts';

export type FeedbackRow = typeof feedback.$inferSelect;
export type NewFeedback = typeof feedback.$inferInsert;

export function createFeedbackRepository(db: Db) {
  return {
    /** Throws VALIDATION_FAILED for a rating outside 1–5 (the table's CHECK). */
    async append(entry: NewFeedback): Promise<FeedbackRow> {
      return single(
        await withConstraintErrors('The feedback', () => db.insert(feedback).values(entry).returning()),
      );
    },

    /** Oldest first. */
    listForContact(workspaceId: string, contactId: string): Promise<FeedbackRow[]> {
      if (!isUuid(workspaceId) || !isUuid(contactId)) return Promise.resolve([]);
      return db
        .select()
        .from(feedback)
        .where(and(eq(feedback.workspaceId, workspaceId), eq(feedback.contactId, contactId)))
        .orderBy(asc(feedback.occurredAt), asc(feedback.recordedAt), asc(feedback.id));
    },
  };
}
