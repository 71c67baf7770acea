import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { reassignments } from '../db/schema.ts';

export type ReassignmentRow = typeof reassignments.$inferSelect;
type NewReassignment = Omit<typeof reassignments.$inferInsert, 'seq'>;

/**
 * Manual reassignments, a fact table the engine reads in `seq` order. Writers hold the
 * workspace's ingest lock (`repos.ingest.lockWorkspace`) so that `seq` order is commit order.
 */
export function createReassignmentRepository(db: Db) {
  return {
    /**
     * Stores the reassignment unless one with its idempotency key (`externalId`) is already stored
     * for the contact; answers the stored row, or undefined when it was a repeat.
     */
    async insertIfNew(row: NewReassignment): Promise<ReassignmentRow | undefined> {
      const inserted = await db.insert(reassignments).values(row).onConflictDoNothing().returning();
      return inserted[0];
    },

    /** The reassignment stored for the contact under an idempotency key. */
    async findByExternalId(
      workspaceId: string,
      contactId: string,
      externalId: string,
    ): Promise<ReassignmentRow | undefined> {
      const found = await db
        .select()
        .from(reassignments)
        .where(
          and(
            eq(reassignments.workspaceId, workspaceId),
            eq(reassignments.contactId, contactId),
            eq(reassignments.externalId, externalId),
          ),
        )
        .limit(1);
      return found[0];
    },
  };
}
