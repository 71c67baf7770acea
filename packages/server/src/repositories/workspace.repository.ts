import { asc, count, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { workspaces } from '../db/schema.ts';
import { isUuid, single, withConstraintErrors } from './query-helpers.ts';

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type NewWorkspace = WorkspaceRow;

export function createWorkspaceRepository(db: Db) {
  return {
    /** Throws CONFLICT when the id or the slug is taken. */
    async create(workspace: NewWorkspace): Promise<WorkspaceRow> {
      const rows = await withConstraintErrors(`The workspace "${workspace.slug}"`, () =>
        db.insert(workspaces).values(workspace).returning(),
      );
      return single(rows);
    },

    async find(id: string): Promise<WorkspaceRow | undefined> {
      if (!isUuid(id)) return undefined;
      const [row] = await db.select().from(workspaces).where(eq(workspaces.id, id));
      return row;
    },

    async findBySlug(slug: string): Promise<WorkspaceRow | undefined> {
      const [row] = await db.select().from(workspaces).where(eq(workspaces.slug, slug));
      return row;
    },

    /** Oldest first. */
    list(): Promise<WorkspaceRow[]> {
      return db.select().from(workspaces).orderBy(asc(workspaces.createdAt), asc(workspaces.id));
    },

    async count(): Promise<number> {
      const [row] = await db.select({ value: count() }).from(workspaces);
      return row?.value ?? 0;
    },
  };
}
