import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { touches } from '../db/schema.ts';
import { isUuid, single, withConstraintErrors } from './query-helpers.ts';

export type TouchRow = typeof touches.$inferSelect;
export type NewTouch = typeof touches.$inferInsert;

export function createTouchRepository(db: Db) {
  return {
    /** Throws CONFLICT when the id, or the source's external id, is already stored for the contact. */
    async append(touch: NewTouch): Promise<TouchRow> {
      return single(
        await withConstraintErrors('The touch', () => db.insert(touches).values(touch).returning()),
      );
    },

    /** Oldest first. */
    listForContact(workspaceId: string, contactId: string): Promise<TouchRow[]> {
      if (!isUuid(workspaceId) || !isUuid(contactId)) return Promise.resolve([]);
      return db
        .select()
        .from(touches)
        .where(and(eq(touches.workspaceId, workspaceId), eq(touches.contactId, contactId)))
        .orderBy(asc(touches.occurredAt), asc(touches.recordedAt), asc(touches.id));
    },
  };
}
