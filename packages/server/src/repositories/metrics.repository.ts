import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

export type WorkspaceGauges = {
  workspaceId: string;
  slug: string;
  /** SLA clocks that passed their deadline before the lead was worked (ever). */
  slaBreaches: number;
  /** SLA clocks running now. */
  slaOpenClocks: number;
  /** How far the engine has read (`seq`), and when it last stored a batch. */
  engineCursor: number;
  engineUpdatedAt: Date | null;
};

/** The figures `/metrics` reads from the database, per workspace (one or all). */
export function createMetricsRepository(db: Db) {
  return {
    async workspaceGauges(workspaceId?: string): Promise<WorkspaceGauges[]> {
      const filter = workspaceId === undefined ? sql`true` : sql`w.id = ${workspaceId}::uuid`;
      const result = (await db.execute(
        sql`select w.id as "workspaceId", w.slug,
                   (select count(*) from sla_clocks c where c.workspace_id = w.id and c.breached_at is not null)::text as breaches,
                   (select count(*) from sla_clocks c where c.workspace_id = w.id and c.status = 'open')::text as open,
                   coalesce(e.cursor, 0)::text as cursor, e.updated_at as "updatedAt"
            from workspaces w left join engine_states e on e.workspace_id = w.id
            where ${filter} order by w.slug`,
      )) as unknown as {
        rows: {
          workspaceId: string;
          slug: string;
          breaches: string;
          open: string;
          cursor: string;
          updatedAt: Date | string | null;
        }[];
      };
      return result.rows.map((row) => ({
        workspaceId: row.workspaceId,
        slug: row.slug,
        slaBreaches: Number(row.breaches),
        slaOpenClocks: Number(row.open),
        engineCursor: Number(row.cursor),
        engineUpdatedAt: row.updatedAt ? new Date(row.updatedAt) : null,
      }));
    },
  };
}
