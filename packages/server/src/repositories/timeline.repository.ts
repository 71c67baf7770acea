import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

export type TimelineSource = 'activity' | 'touch' | 'transition' | 'feedback' | 'deal-event' | 'reassignment';

export type TimelineRow = {
  source: TimelineSource;
  id: string;
  contactId: string;
  occurredAt: Date;
  kind: string;
  data: Record<string, unknown>;
};

/** Where a page of the timeline ends: the next page starts strictly after (older than) it. */
export type TimelinePosition = { occurredAt: Date; source: string; id: string };

type Row = Record<string, unknown>;

/**
 * One contact's history as a single list, newest first: activities, touches, stage transitions,
 * feedback, deal events and manual reassignments of the given contacts (a survivor and the contacts merged into it).
 * Keyset pages on (occurred_at, source, id), each table read through its contact/time index.
 */
export function createTimelineRepository(db: Db) {
  return {
    async list(
      workspaceId: string,
      contactIds: readonly string[],
      options: { limit: number; before?: TimelinePosition | undefined },
    ): Promise<TimelineRow[]> {
      if (contactIds.length === 0) return [];
      const ids = sql`(select value::uuid from jsonb_array_elements_text(${JSON.stringify(contactIds)}::jsonb))`;
      const take = options.limit;
      const before = options.before;
      // Older than the position: the first condition narrows the index range, the second is exact.
      const upTo = (source: TimelineSource) =>
        before === undefined
          ? sql``
          : sql`and occurred_at <= ${before.occurredAt.toISOString()}::timestamptz
                and (occurred_at, ${source}::text, id::text) < (${before.occurredAt.toISOString()}::timestamptz, ${before.source}::text, ${before.id}::text)`;
      const result = (await db.execute(
        sql`select t.source, t.id, t.contact_id, t.occurred_at, t.kind, t.data from (
              (select 'activity' as source, id::text as id, contact_id, occurred_at, kind,
                      jsonb_build_object('event', event, 'activityType', activity_type,
                        'path', coalesce(properties->>'path', context->'page'->>'path'),
                        'title', coalesce(properties->>'title', context->'page'->>'title'),
                        'properties', properties) as data
                 from activities where workspace_id = ${workspaceId}::uuid and contact_id in ${ids} ${upTo('activity')}
                order by occurred_at desc, id desc limit ${take + 1})
              union all
              (select 'touch', id::text, contact_id, occurred_at, kind,
                      jsonb_build_object('repId', rep_id, 'outcome', outcome, 'source', source)
                 from touches where workspace_id = ${workspaceId}::uuid and contact_id in ${ids} ${upTo('touch')}
                order by occurred_at desc, id desc limit ${take + 1})
              union all
              (select 'transition', id::text, contact_id, occurred_at, cause,
                      jsonb_build_object('fromStage', from_stage, 'toStage', to_stage, 'cause', cause, 'actor', actor,
                        'ruleId', rule_id, 'reason', reason)
                 from stage_transitions where workspace_id = ${workspaceId}::uuid and contact_id in ${ids} ${upTo('transition')}
                order by occurred_at desc, id desc limit ${take + 1})
              union all
              (select 'feedback', id::text, contact_id, occurred_at, verdict,
                      jsonb_build_object('repId', rep_id, 'reason', reason, 'rating', rating, 'comment', comment)
                 from feedback where workspace_id = ${workspaceId}::uuid and contact_id in ${ids} ${upTo('feedback')}
                order by occurred_at desc, id desc limit ${take + 1})
              union all
              (select 'deal-event', id::text, contact_id, occurred_at, kind,
                      jsonb_build_object('dealId', deal_id, 'name', name, 'stage', stage, 'amount', amount,
                        'currency', currency, 'reason', reason)
                 from deal_events where workspace_id = ${workspaceId}::uuid and contact_id in ${ids} ${upTo('deal-event')}
                order by occurred_at desc, id desc limit ${take + 1})
              union all
              (select 'reassignment', r.id::text, r.contact_id, r.occurred_at, 'manual',
                      jsonb_build_object('toRepId', r.to_rep_id, 'reason', r.reason, 'actor', r.actor,
                        'actorName', (select u.name from users u
                                       where u.workspace_id = r.workspace_id and 'user ' || u.email = r.actor
                                       limit 1))
                 from reassignments r where r.workspace_id = ${workspaceId}::uuid and r.contact_id in ${ids} ${upTo('reassignment')}
                order by r.occurred_at desc, r.id desc limit ${take + 1})
            ) t
            order by t.occurred_at desc, t.source desc, t.id desc
            limit ${take}`,
      )) as unknown as { rows: Row[] };
      return result.rows.map((row) => ({
        source: row.source as TimelineSource,
        id: String(row.id),
        contactId: String(row.contact_id),
        occurredAt: new Date(row.occurred_at as string),
        kind: String(row.kind),
        data: (row.data ?? {}) as Record<string, unknown>,
      }));
    },
  };
}
