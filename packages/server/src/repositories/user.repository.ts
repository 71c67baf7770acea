import { and, asc, eq, getTableColumns } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { users, workspaces } from '../db/schema.ts';
import { isUuid, single, withConstraintErrors } from './query-helpers.ts';

export type UserRow = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
/** What listing shows: everything but the password hash. */
export type UserSummary = Omit<UserRow, 'passwordHash'>;

const { passwordHash: _hash, ...summaryColumns } = getTableColumns(users);

export function createUserRepository(db: Db) {
  return {
    /** Throws CONFLICT when the e-mail is taken in the workspace. */
    async create(user: NewUser): Promise<UserSummary> {
      const rows = await withConstraintErrors(`A user with the e-mail ${user.email}`, () =>
        db.insert(users).values(user).returning(summaryColumns),
      );
      return single(rows);
    },

    async find(workspaceId: string, id: string): Promise<UserSummary | undefined> {
      if (!isUuid(workspaceId) || !isUuid(id)) return undefined;
      const [row] = await db
        .select(summaryColumns)
        .from(users)
        .where(and(eq(users.workspaceId, workspaceId), eq(users.id, id)));
      return row;
    },

    /** Every workspace's user with this (lower-case) e-mail, with the workspace's slug: sign-in. */
    findByEmail(email: string): Promise<(UserRow & { workspaceSlug: string })[]> {
      return db
        .select({ ...getTableColumns(users), workspaceSlug: workspaces.slug })
        .from(users)
        .innerJoin(workspaces, eq(workspaces.id, users.workspaceId))
        .where(eq(users.email, email))
        .orderBy(asc(users.createdAt));
    },

    /** Oldest first. */
    list(workspaceId: string): Promise<UserSummary[]> {
      if (!isUuid(workspaceId)) return Promise.resolve([]);
      return db
        .select(summaryColumns)
        .from(users)
        .where(eq(users.workspaceId, workspaceId))
        .orderBy(asc(users.createdAt), asc(users.id));
    },
  };
}
