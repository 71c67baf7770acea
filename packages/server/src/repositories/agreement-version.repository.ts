import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { agreementVersions } from '../db/schema.ts';
import { isUuid, single, withConstraintErrors } from './query-helpers.ts';

export type AgreementVersionRow = typeof agreementVersions.$inferSelect;
export type NewAgreementVersion = Omit<AgreementVersionRow, 'version'>;
/** What listing shows: everything but the document and its parsed form. */
export type AgreementVersionSummary = Pick<
  AgreementVersionRow,
  'version' | 'checksum' | 'appliedBy' | 'appliedAt' | 'note'
>;

/** First key of the (int, int) advisory locks that number a workspace's agreement versions. */
const versionLockClass = 1_635_148_366;

export function createAgreementVersionRepository(db: Db) {
  return {
    /**
     * Stores the next version of the workspace's agreement. Appends for one workspace take turns
     * on a transaction advisory lock, so concurrent appends get consecutive numbers.
     */
    append(input: NewAgreementVersion): Promise<AgreementVersionRow> {
      return withConstraintErrors('The agreement version', () =>
        db.transaction(async (tx) => {
          await tx.execute(
            sql`select pg_advisory_xact_lock(${versionLockClass}, hashtext(${input.workspaceId}))`,
          );
          const [latest] = await tx
            .select({ version: sql<number>`coalesce(max(${agreementVersions.version}), 0)::int` })
            .from(agreementVersions)
            .where(eq(agreementVersions.workspaceId, input.workspaceId));
          const version = (latest?.version ?? 0) + 1;
          return single(
            await tx
              .insert(agreementVersions)
              .values({ ...input, version })
              .returning(),
          );
        }),
      );
    },

    /** Oldest first. */
    list(workspaceId: string): Promise<AgreementVersionSummary[]> {
      if (!isUuid(workspaceId)) return Promise.resolve([]);
      return db
        .select({
          version: agreementVersions.version,
          checksum: agreementVersions.checksum,
          appliedBy: agreementVersions.appliedBy,
          appliedAt: agreementVersions.appliedAt,
          note: agreementVersions.note,
        })
        .from(agreementVersions)
        .where(eq(agreementVersions.workspaceId, workspaceId))
        .orderBy(asc(agreementVersions.version));
    },

    async find(workspaceId: string, version: number): Promise<AgreementVersionRow | undefined> {
      if (!isUuid(workspaceId) || !Number.isSafeInteger(version)) return undefined;
      const [row] = await db
        .select()
        .from(agreementVersions)
        .where(and(eq(agreementVersions.workspaceId, workspaceId), eq(agreementVersions.version, version)));
      return row;
    },

    /** The workspace's latest version's number and checksum, without the document. */
    async findLatestVersion(workspaceId: string): Promise<{ version: number; checksum: string } | undefined> {
      if (!isUuid(workspaceId)) return undefined;
      const [row] = await db
        .select({ version: agreementVersions.version, checksum: agreementVersions.checksum })
        .from(agreementVersions)
        .where(eq(agreementVersions.workspaceId, workspaceId))
        .orderBy(desc(agreementVersions.version))
        .limit(1);
      return row;
    },

    async findLatest(workspaceId: string): Promise<AgreementVersionRow | undefined> {
      if (!isUuid(workspaceId)) return undefined;
      const [row] = await db
        .select()
        .from(agreementVersions)
        .where(eq(agreementVersions.workspaceId, workspaceId))
        .orderBy(desc(agreementVersions.version))
        .limit(1);
      return row;
    },
  };
}
