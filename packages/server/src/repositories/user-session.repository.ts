import { and, eq, getTableColumns, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { userSessions, users } from '../db/schema.ts';

export type UserSessionRow = typeof userSessions.$inferSelect;

const { passwordHash: _hash, ...userColumns } = getTableColumns(users);

/** Dashboard sessions, found by the SHA-256 of the cookie's token. */
export function createUserSessionRepository(db: Db) {
  return {
    async create(session: UserSessionRow): Promise<void> {
      await db.insert(userSessions).values(session);
    },

    /** The session and its user, unless revoked or past its absolute expiry (idleness is the caller's). */
    async findActive(tokenHash: string, now: Date) {
      const [row] = await db
        .select({ session: getTableColumns(userSessions), user: userColumns })
        .from(userSessions)
        .innerJoin(
          users,
          and(eq(users.workspaceId, userSessions.workspaceId), eq(users.id, userSessions.userId)),
        )
        .where(
          and(
            eq(userSessions.tokenHash, tokenHash),
            isNull(userSessions.revokedAt),
            gt(userSessions.expiresAt, now),
          ),
        );
      return row;
    },

    async markSeen(tokenHash: string, at: Date): Promise<void> {
      await db.update(userSessions).set({ lastSeenAt: at }).where(eq(userSessions.tokenHash, tokenHash));
    },

    async revoke(tokenHash: string, at: Date): Promise<void> {
      await db
        .update(userSessions)
        .set({ revokedAt: at })
        .where(and(eq(userSessions.tokenHash, tokenHash), isNull(userSessions.revokedAt)));
    },
  };
}
