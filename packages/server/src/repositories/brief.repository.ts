import type { FeedbackFact, WonDeal } from '@smarketing/core';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rows } from './contact-write.repository.ts';
import { isUuid } from './query-helpers.ts';

const ms = (value: unknown) => (value instanceof Date ? value.getTime() : new Date(String(value)).getTime());

/** The reads of the weekly brief besides the reports: the week's won deals and feedback. */
export function createBriefRepository(db: Db) {
  return {
    /**
     * Deals won on a local day in [fromDay, toDay) (`YYYY-MM-DD`); a won deal without a close date
     * counts on the day of its last update in `timezone`.
     */
    async listWonDeals(
      workspaceId: string,
      options: { fromDay: string; toDay: string; timezone: string },
    ): Promise<WonDeal[]> {
      if (!isUuid(workspaceId)) return [];
      const found = await rows<{
        id: string;
        name: string;
        amount: unknown;
        currency: string | null;
        account: string | null;
        contact: string | null;
        close_day: string;
      }>(
        db,
        sql`select d.id, d.name, d.amount, d.currency, a.name as account,
                   coalesce(c.traits ->> 'company', c.email) as contact,
                   to_char(coalesce(d.close_date, (d.updated_at at time zone ${options.timezone}::text)::date), 'YYYY-MM-DD') as close_day
              from deals d
              left join accounts a on a.workspace_id = d.workspace_id and a.id = d.account_id
              left join contacts c on c.workspace_id = d.workspace_id and c.id = d.contact_id
             where d.workspace_id = ${workspaceId}::uuid and d.status = 'won'
               and coalesce(d.close_date, (d.updated_at at time zone ${options.timezone}::text)::date)
                   >= ${options.fromDay}::date
               and coalesce(d.close_date, (d.updated_at at time zone ${options.timezone}::text)::date)
                   < ${options.toDay}::date
             order by d.amount desc nulls last, d.id
             limit 500`,
      );
      return found.map((row) => ({
        id: row.id,
        name: row.name,
        amount: row.amount === null ? null : Number(row.amount),
        currency: row.currency,
        account: row.account,
        contact: row.contact,
        closeDate: row.close_day,
      }));
    },

    /** Rejections and recycles that happened in [from, to), with their reasons and comments. */
    async listFeedback(workspaceId: string, from: Date, to: Date): Promise<FeedbackFact[]> {
      if (!isUuid(workspaceId)) return [];
      const found = await rows<{
        verdict: 'reject' | 'recycle';
        reason: string | null;
        comment: string | null;
        occurred_at: unknown;
      }>(
        db,
        sql`select verdict, reason, comment, occurred_at from feedback
             where workspace_id = ${workspaceId}::uuid and verdict in ('reject', 'recycle')
               and occurred_at >= ${from.toISOString()}::timestamptz and occurred_at < ${to.toISOString()}::timestamptz`,
      );
      return found.map((row) => ({
        verdict: row.verdict,
        reason: row.reason,
        comment: row.comment === null ? null : row.comment.slice(0, 500),
        at: ms(row.occurred_at),
      }));
    },
  };
}
