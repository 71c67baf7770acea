import type { ContactState } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

export type OwnedLeadRow = {
  contactId: string;
  stage: string;
  detour: string | null;
  state: ContactState;
  agreementVersion: number;
  email: string | null;
  traits: Record<string, unknown>;
  account: { id: string; name: string; domain: string | null } | null;
  lastActivityAt: Date | null;
};

type Row = Record<string, unknown>;

/** The sales queue's read: the leads a rep owns, with what the queue shows about each. */
export function createQueueRepository(db: Db) {
  return {
    /**
     * The contacts a rep owns (merged contacts left out), with their engine state, identity,
     * account and latest activity (their merged contacts' included). At most `limit`, those with
     * the earliest timer first.
     */
    async listOwnedLeads(workspaceId: string, repId: string, limit: number): Promise<OwnedLeadRow[]> {
      const result = (await db.execute(
        sql`select s.contact_id, s.stage, s.detour, s.state, s.agreement_version, c.email, c.traits,
                   a.id as account_id, a.name as account_name, a.domain as account_domain,
                   (select max(act.occurred_at) from activities act
                     where act.workspace_id = s.workspace_id
                       and act.contact_id in (select m.id from contacts m
                                               where m.workspace_id = s.workspace_id
                                                 and (m.id = s.contact_id or m.merged_into_id = s.contact_id))
                   ) as last_activity_at
              from contact_states s
              join contacts c on c.workspace_id = s.workspace_id and c.id = s.contact_id
              left join accounts a on a.workspace_id = c.workspace_id and a.id = c.account_id
             where s.workspace_id = ${workspaceId}::uuid and s.owner_rep_id = ${repId}
               and c.merged_into_id is null
             order by s.next_due_at nulls last, s.contact_id
             limit ${limit}`,
      )) as unknown as { rows: Row[] };
      return result.rows.map((row) => ({
        contactId: String(row.contact_id),
        stage: String(row.stage),
        detour: (row.detour as string | null) ?? null,
        state: row.state as ContactState,
        agreementVersion: Number(row.agreement_version),
        email: (row.email as string | null) ?? null,
        traits: (row.traits ?? {}) as Record<string, unknown>,
        account:
          row.account_id === null || row.account_id === undefined
            ? null
            : {
                id: String(row.account_id),
                name: String(row.account_name),
                domain: (row.account_domain as string | null) ?? null,
              },
        lastActivityAt:
          row.last_activity_at === null || row.last_activity_at === undefined
            ? null
            : new Date(row.last_activity_at as string),
      }));
    },
  };
}
