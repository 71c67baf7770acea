import { and, asc, eq, gte, isNull, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { announcements } from '../db/schema.ts';
import { isUuid, single, withConstraintErrors } from './query-helpers.ts';

export type AnnouncementRow = typeof announcements.$inferSelect;
export type AnnouncementChange = Pick<AnnouncementRow, 'kind' | 'title' | 'body' | 'link' | 'effectiveAt'>;

/** Announcements: news both teams should know, shown on the dashboard and in the weekly brief. */
export function createAnnouncementRepository(db: Db) {
  return {
    async create(row: Omit<AnnouncementRow, 'withdrawnAt'>): Promise<AnnouncementRow> {
      return single(
        await withConstraintErrors('The announcement', () =>
          db.insert(announcements).values(row).returning(),
        ),
      );
    },

    async find(workspaceId: string, id: string): Promise<AnnouncementRow | undefined> {
      if (!isUuid(workspaceId) || !isUuid(id)) return undefined;
      const [row] = await db
        .select()
        .from(announcements)
        .where(and(eq(announcements.workspaceId, workspaceId), eq(announcements.id, id)));
      return row;
    },

    /** Those taking effect in [from, to) (either bound optional), oldest effect first. */
    list(
      workspaceId: string,
      options: { from?: Date; to?: Date; includeWithdrawn: boolean; limit: number },
    ): Promise<AnnouncementRow[]> {
      if (!isUuid(workspaceId)) return Promise.resolve([]);
      const conditions: SQL[] = [eq(announcements.workspaceId, workspaceId)];
      if (options.from !== undefined) conditions.push(gte(announcements.effectiveAt, options.from));
      if (options.to !== undefined) conditions.push(lt(announcements.effectiveAt, options.to));
      if (!options.includeWithdrawn) conditions.push(isNull(announcements.withdrawnAt));
      return db
        .select()
        .from(announcements)
        .where(and(...conditions))
        .orderBy(asc(announcements.effectiveAt), asc(announcements.id))
        .limit(options.limit);
    },

    /** Changes the editable fields (or withdraws) one announcement; undefined when there is none. */
    async update(
      workspaceId: string,
      id: string,
      change: Partial<AnnouncementChange & { withdrawnAt: Date }> & { updatedAt: Date },
    ): Promise<AnnouncementRow | undefined> {
      if (!isUuid(workspaceId) || !isUuid(id)) return undefined;
      const [row] = await withConstraintErrors('The announcement', () =>
        db
          .update(announcements)
          .set(change)
          .where(and(eq(announcements.workspaceId, workspaceId), eq(announcements.id, id)))
          .returning(),
      );
      return row;
    },
  };
}
