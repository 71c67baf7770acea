import type { ClockFacts, PersonFacts, SegmentFilters, TransitionInput, ValueBasis } from '@smarketing/core';
import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { slaSettlements } from '../db/schema.ts';
import { json, rows } from './contact-write.repository.ts';

/**
 * The reads behind the reports, set-based and parameterised. People are surviving contacts with
 * the contacts merged into them (`coalesce(merged_into_id, id)`); a report names which people it
 * needs (`PeopleSelection`) and gets their whole stage history up to `asOf` in one statement, with
 * the segment filters applied in SQL. Counting and statistics are core's (`@smarketing/core`
 * reports), so every report counts from the same timelines.
 */
export type PeopleSelection = {
  /** People with a transition at or after this instant (none: from the beginning)… */
  from?: Date;
  /** …and before this one. */
  to: Date;
  /** Only transitions into this stage select a person. */
  toStage?: string;
  filters: SegmentFilters;
  /** Transitions after this instant are not read. */
  asOf: Date;
};

export type SettlementRow = typeof slaSettlements.$inferSelect;

const ms = (value: unknown) => (value instanceof Date ? value.getTime() : new Date(String(value)).getTime());
const msOrNull = (value: unknown) => (value === null || value === undefined ? null : ms(value));

/** `lower(traits ->> key) = lower(value)` on the surviving contact `s`. */
function traitIs(key: string, value: string): SQL {
  return sql`lower(s.traits ->> ${key}::text) = lower(${value}::text)`;
}

function segmentCondition(filters: SegmentFilters): SQL {
  const conditions: SQL[] = [];
  if (filters.source !== undefined) conditions.push(traitIs('leadSource', filters.source));
  if (filters.country !== undefined) conditions.push(traitIs('country', filters.country));
  if (filters.industry !== undefined) conditions.push(traitIs('industry', filters.industry));
  for (const [key, value] of Object.entries(filters.traits ?? {})) conditions.push(traitIs(key, value));
  if (filters.team !== undefined) conditions.push(sql`cs.owner_team_id = ${filters.team}::text`);
  if (filters.rep !== undefined) conditions.push(sql`cs.owner_rep_id = ${filters.rep}::text`);
  if (filters.quadrant !== undefined) conditions.push(sql`sc.quadrant = ${filters.quadrant}::text`);
  return conditions.length === 0 ? sql`true` : sql.join(conditions, sql` and `);
}

/** `people(person_id)` and `members(person_id, contact_id)` for a selection, as CTEs. */
function peopleCtes(workspaceId: string, selection: PeopleSelection): SQL {
  const moved: SQL[] = [
    sql`t.workspace_id = ${workspaceId}::uuid`,
    sql`t.occurred_at < ${selection.to.toISOString()}::timestamptz`,
  ];
  if (selection.from !== undefined)
    moved.push(sql`t.occurred_at >= ${selection.from.toISOString()}::timestamptz`);
  if (selection.toStage !== undefined) moved.push(sql`t.to_stage = ${selection.toStage}::text`);
  return sql`moved as (
      select distinct coalesce(c.merged_into_id, c.id) as person_id
        from stage_transitions t
        join contacts c on c.workspace_id = t.workspace_id and c.id = t.contact_id
       where ${sql.join(moved, sql` and `)}
    ),
    people as (
      select m.person_id from moved m
        join contacts s on s.workspace_id = ${workspaceId}::uuid and s.id = m.person_id
        left join contact_states cs on cs.workspace_id = ${workspaceId}::uuid and cs.contact_id = m.person_id
        left join scores sc on sc.workspace_id = ${workspaceId}::uuid and sc.contact_id = m.person_id
       where ${segmentCondition(selection.filters)}
    ),
    members as (
      select p.person_id, p.person_id as contact_id from people p
      union all
      select p.person_id, c.id from people p
        join contacts c on c.workspace_id = ${workspaceId}::uuid and c.merged_into_id = p.person_id
    )`;
}

export function createReportRepository(db: Db) {
  return {
    /** Every stage transition, up to `asOf`, of the people the selection names. */
    async listTransitions(workspaceId: string, selection: PeopleSelection): Promise<TransitionInput[]> {
      const found = await rows<{
        person_id: string;
        from_stage: string | null;
        to_stage: string;
        occurred_at: unknown;
        seq: unknown;
      }>(
        db,
        sql`with ${peopleCtes(workspaceId, selection)}
            select m.person_id, t.from_stage, t.to_stage, t.occurred_at, t.seq
              from members m
              join stage_transitions t on t.workspace_id = ${workspaceId}::uuid and t.contact_id = m.contact_id
             where t.occurred_at <= ${selection.asOf.toISOString()}::timestamptz`,
      );
      return found.map((row) => ({
        personId: row.person_id,
        fromStage: row.from_stage,
        toStage: row.to_stage,
        at: ms(row.occurred_at),
        seq: Number(row.seq),
      }));
    },

    /** What is known now of the selected people: scores, and whether a rep rejected them as invalid. */
    async listPersonFacts(
      workspaceId: string,
      selection: PeopleSelection,
      invalidReasons: readonly string[],
    ): Promise<Map<string, PersonFacts>> {
      const found = await rows<{
        person_id: string;
        fit: number | null;
        fit_grade: string | null;
        quadrant: string | null;
        invalid: boolean;
      }>(
        db,
        sql`with ${peopleCtes(workspaceId, selection)},
            invalid as (
              select distinct m.person_id from members m
                join feedback f on f.workspace_id = ${workspaceId}::uuid and f.contact_id = m.contact_id
               where f.verdict = 'reject' and f.occurred_at <= ${selection.asOf.toISOString()}::timestamptz
                 and f.reason in (select jsonb_array_elements_text(${json(invalidReasons)}::jsonb))
            )
            select p.person_id, sc.fit, sc.fit_grade, sc.quadrant, (i.person_id is not null) as invalid
              from people p
              left join scores sc on sc.workspace_id = ${workspaceId}::uuid and sc.contact_id = p.person_id
              left join invalid i on i.person_id = p.person_id`,
      );
      return new Map(
        found.map((row) => [
          row.person_id,
          {
            fit: row.fit === null ? null : Number(row.fit),
            fitGrade: row.fit_grade,
            quadrant: row.quadrant,
            invalid: Boolean(row.invalid),
          },
        ]),
      );
    },

    /** The assignments of the selected people up to `asOf`, each person's oldest first. */
    async listAssignments(
      workspaceId: string,
      selection: PeopleSelection,
    ): Promise<Map<string, { teamId: string | null; at: number }[]>> {
      const found = await rows<{ person_id: string; team_id: string | null; assigned_at: unknown }>(
        db,
        sql`with ${peopleCtes(workspaceId, selection)}
            select m.person_id, a.team_id, a.assigned_at from members m
              join assignments a on a.workspace_id = ${workspaceId}::uuid and a.contact_id = m.contact_id
             where a.assigned_at <= ${selection.asOf.toISOString()}::timestamptz
             order by a.assigned_at, a.id`,
      );
      const byPerson = new Map<string, { teamId: string | null; at: number }[]>();
      for (const row of found) {
        const list = byPerson.get(row.person_id) ?? [];
        list.push({ teamId: row.team_id, at: ms(row.assigned_at) });
        byPerson.set(row.person_id, list);
      }
      return byPerson;
    },

    /** The SLA clocks started in [from, to). */
    async listClocks(workspaceId: string, from: Date, to: Date): Promise<ClockFacts[]> {
      const found = await rows<{
        team_id: string | null;
        rep_id: string | null;
        started_at: unknown;
        deadline_at: unknown;
        status: ClockFacts['status'];
        stopped_at: unknown;
      }>(
        db,
        sql`select team_id, rep_id, started_at, deadline_at, status, stopped_at from sla_clocks
             where workspace_id = ${workspaceId}::uuid
               and started_at >= ${from.toISOString()}::timestamptz and started_at < ${to.toISOString()}::timestamptz`,
      );
      return found.map((row) => ({
        teamId: row.team_id,
        repId: row.rep_id,
        startedAt: ms(row.started_at),
        deadlineAt: ms(row.deadline_at),
        status: row.status,
        stoppedAt: msOrNull(row.stopped_at),
      }));
    },

    /**
     * What expected value is computed from (core `ValueBasis`): per current fit grade, the people who
     * ever entered `deliveredStage` and, of them, those who entered `wonStage`; and the average
     * amount of won deals.
     */
    async findValueBasis(
      workspaceId: string,
      options: { deliveredStage: string; wonStage: string; asOf: Date },
    ): Promise<{ closeRateByGrade: ValueBasis['closeRateByGrade']; averageWonAmount: number | null }> {
      const grades = await rows<{ fit_grade: string | null; delivered: unknown; won: unknown }>(
        db,
        sql`with reached as (
              select coalesce(c.merged_into_id, c.id) as person_id,
                     bool_or(t.to_stage = ${options.deliveredStage}::text) as delivered,
                     bool_or(t.to_stage = ${options.wonStage}::text) as won
                from stage_transitions t
                join contacts c on c.workspace_id = t.workspace_id and c.id = t.contact_id
               where t.workspace_id = ${workspaceId}::uuid and t.occurred_at <= ${options.asOf.toISOString()}::timestamptz
                 and t.to_stage in (${options.deliveredStage}::text, ${options.wonStage}::text)
               group by 1
            )
            select sc.fit_grade, count(*) as delivered, count(*) filter (where r.won) as won
              from reached r
              join scores sc on sc.workspace_id = ${workspaceId}::uuid and sc.contact_id = r.person_id
             where r.delivered
             group by sc.fit_grade`,
      );
      const [deal] = await rows<{ average: unknown }>(
        db,
        sql`select avg(amount)::float8 as average from deals
             where workspace_id = ${workspaceId}::uuid and status = 'won' and amount is not null`,
      );
      const closeRateByGrade: Record<string, number> = {};
      for (const row of grades) {
        if (row.fit_grade !== null && Number(row.delivered) > 0)
          closeRateByGrade[row.fit_grade] = Number(row.won) / Number(row.delivered);
      }
      const average = deal?.average;
      return {
        closeRateByGrade,
        averageWonAmount: average === null || average === undefined ? null : Number(average),
      };
    },

    /** Stores a settlement unless the period is already settled; answers whether it was stored. */
    async insertSettlement(row: SettlementRow): Promise<boolean> {
      const inserted = await db
        .insert(slaSettlements)
        .values(row)
        .onConflictDoNothing()
        .returning({ period: slaSettlements.period });
      return inserted.length > 0;
    },

    async findSettlement(workspaceId: string, period: string): Promise<SettlementRow | undefined> {
      const [row] = await db
        .select()
        .from(slaSettlements)
        .where(and(eq(slaSettlements.workspaceId, workspaceId), eq(slaSettlements.period, period)));
      return row;
    },

    listSettlements(workspaceId: string): Promise<SettlementRow[]> {
      return db
        .select()
        .from(slaSettlements)
        .where(eq(slaSettlements.workspaceId, workspaceId))
        .orderBy(asc(slaSettlements.periodStart));
    },
  };
}
