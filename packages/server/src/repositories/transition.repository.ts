import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { stageTransitions } from '../db/schema.ts';
import { isUuid, single, withConstraintErrors } from './query-helpers.ts';

export type TransitionRow = typeof stageTransitions.$inferSelect;
export type NewTransition = typeof stageTransitions.$inferInsert;

export function createTransitionRepository(db: Db) {
  return {
    async append(transition: NewTransition): Promise<TransitionRow> {
      return single(
        await withConstraintErrors('The transition', () =>
          db.insert(stageTransitions).values(transition).returning(),
        ),
      );
    },

    /** Oldest first: the last row is the contact's current stage. */
    listForContact(workspaceId: string, contactId: string): Promise<TransitionRow[]> {
      if (!isUuid(workspaceId) || !isUuid(contactId)) return Promise.resolve([]);
      return db
        .select()
        .from(stageTransitions)
        .where(and(eq(stageTransitions.workspaceId, workspaceId), eq(stageTransitions.contactId, contactId)))
        .orderBy(
          asc(stageTransitions.occurredAt),
          asc(stageTransitions.recordedAt),
          asc(stageTransitions.id),
        );
    },
  };
}
