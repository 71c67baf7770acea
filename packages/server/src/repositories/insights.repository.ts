import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rows } from './contact-write.repository.ts';

export type StoredScore = {
  contactId: string;
  email: string | null;
  fit: number;
  fitGrade: string;
  interest: number;
  quadrant: string;
  agreementVersion: number;
};

/**
 * The reads behind the closed-loop insights that the engine's own reads do not cover: where each
 * contact came from (the UTM campaign of its first activity that carried one) and the stored
 * scores, a page at a time in contact order, for the score export.
 */
export function createInsightsRepository(db: Db) {
  return {
    async listOrigins(
      workspaceId: string,
    ): Promise<{ contactId: string; source?: string; campaign?: string }[]> {
      const found = await rows<{ contact_id: string; source: string | null; campaign: string | null }>(
        db,
        sql`select distinct on (contact_id) contact_id::text as contact_id,
                   context->'campaign'->>'source' as source, context->'campaign'->>'name' as campaign
              from activities
             where workspace_id = ${workspaceId} and jsonb_typeof(context->'campaign') = 'object'
             order by contact_id, occurred_at, id`,
      );
      return found.map((row) => ({
        contactId: row.contact_id,
        ...(row.source === null ? {} : { source: row.source }),
        ...(row.campaign === null ? {} : { campaign: row.campaign }),
      }));
    },

    /** Up to `limit` stored scores of surviving contacts after `afterContactId`, in contact id order. */
    async listScores(
      workspaceId: string,
      afterContactId: string | null,
      limit: number,
    ): Promise<StoredScore[]> {
      const after = afterContactId ?? '00000000-0000-0000-0000-000000000000';
      const found = await rows<{
        contact_id: string;
        email: string | null;
        fit: number;
        fit_grade: string;
        interest: number;
        quadrant: string;
        agreement_version: number;
      }>(
        db,
        sql`select s.contact_id::text as contact_id, c.email, s.fit, s.fit_grade, s.interest, s.quadrant,
                   s.agreement_version
              from scores s
              join contacts c on c.workspace_id = s.workspace_id and c.id = s.contact_id
             where s.workspace_id = ${workspaceId} and s.contact_id > ${after}::uuid and c.merged_into_id is null
             order by s.contact_id limit ${limit}`,
      );
      return found.map((row) => ({
        contactId: row.contact_id,
        email: row.email,
        fit: Number(row.fit),
        fitGrade: row.fit_grade,
        interest: Number(row.interest),
        quadrant: row.quadrant,
        agreementVersion: Number(row.agreement_version),
      }));
    },
  };
}
