import type {
  ClockFacts,
  ClockGroup,
  DeliveredGroup,
  FunnelCounts,
  LeadFlowCounts,
  MqlGroup,
  PersonFacts,
  SegmentFilters,
  StageCount,
  TransitionInput,
  ValueBasis,
  WaterfallCounts,
} from '@smarketing/core';
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

/** Whether a segment narrows the people (without one, every person is in it: no join). */
function hasFilters(filters: SegmentFilters): boolean {
  const { traits, ...named } = filters;
  return Object.values(named).some((value) => value !== undefined) || Object.keys(traits ?? {}).length > 0;
}

/**
 * `and r.person_id in (…)`: the rollup row's person is in the segment (core `inSegment`: the
 * surviving contact's traits, its current owner and quadrant); nothing without filters. Merges are
 * one level deep (a merge re-points the contacts merged into the merged one), so a person is a
 * surviving contact.
 */
export function inSegment(workspaceId: string, filters: SegmentFilters): SQL {
  if (!hasFilters(filters)) return sql``;
  return sql`and r.person_id in (
      select s.id from contacts s
        left join contact_states cs on cs.workspace_id = ${workspaceId}::uuid and cs.contact_id = s.id
        left join scores sc on sc.workspace_id = ${workspaceId}::uuid and sc.contact_id = s.id
       where s.workspace_id = ${workspaceId}::uuid and ${segmentCondition(filters)})`;
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
    ${segmentCtes(workspaceId, selection.filters)}`;
}

/** `people` (the `moved` people the segment keeps) and `members`, given a `moved(person_id)` CTE. */
function segmentCtes(workspaceId: string, filters: SegmentFilters): SQL {
  return sql`people as (
      select m.person_id from moved m
        join contacts s on s.workspace_id = ${workspaceId}::uuid and s.id = m.person_id
        left join contact_states cs on cs.workspace_id = ${workspaceId}::uuid and cs.contact_id = m.person_id
        left join scores sc on sc.workspace_id = ${workspaceId}::uuid and sc.contact_id = m.person_id
       where ${segmentCondition(filters)}
    ),
    members as (
      select p.person_id, p.person_id as contact_id from people p
      union all
      select p.person_id, c.id from people p
        join contacts c on c.workspace_id = ${workspaceId}::uuid and c.merged_into_id = p.person_id
    )`;
}

/** Milliseconds since the epoch, truncated as JavaScript dates are. */
export const epochMs = (instant: SQL) => sql`floor(extract(epoch from ${instant}) * 1000)::float8`;

/**
 * `later - earlier` in milliseconds, as `epochMs(later) - epochMs(earlier)` computes it: both
 * truncated to the millisecond, then subtracted as an interval whose float seconds are rounded
 * back to whole milliseconds (exact: a whole number of ms). The truncation is `date_bin`, whole
 * milliseconds counted from an origin before any date a CRM holds: integer arithmetic, where
 * `date_trunc` on a `timestamptz` goes through the session's time zone (80 ms a million rows).
 */
export const msBetween = (later: SQL, earlier: SQL) =>
  sql`round(date_part('epoch', ${toMs(later)} - ${toMs(earlier)}) * 1000)`;

const toMs = (instant: SQL) =>
  sql`date_bin('0.001 seconds'::interval, ${instant}, '0001-01-01 00:00:00+00'::timestamptz)`;

/** A text[] parameter (as JSON, which both drivers pass alike). */
export const pgTextArray = (values: readonly string[]) =>
  sql`array(select jsonb_array_elements_text(${json(values)}::jsonb))`;

/**
 * A text[] parameter as an array literal: a plain parameter (not a subquery, as `pgTextArray` is),
 * so a statement that uses it can still run on parallel workers.
 */
export const textArray = (values: readonly string[]) =>
  sql`${`{${values.map((value) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`}::text[]`;

/** A timestamptz[] parameter (as JSON, which both drivers pass alike). */
const instants = (list: readonly Date[]) =>
  sql`array(select jsonb_array_elements_text(${json(list.map((date) => date.toISOString()))}::jsonb)::timestamptz)`;

/**
 * The character standing for main stage `index` in a path's code, and the pattern that finds the
 * stages before `index` in order among them (a subsequence: what `passedInOrder` tests).
 */
const stageCode = (index: number) => String.fromCharCode(256 + index);
const inOrderPattern = (index: number) =>
  Array.from({ length: index }, (_, earlier) => stageCode(earlier)).join('.*');

/**
 * Runs one of the reports' aggregate statements with room to sort and hash in memory: each sorts
 * and groups every selected person's transitions, which spills to disk under PostgreSQL's default
 * 4 MB `work_mem` from about 50,000 people on. `set local` lasts for the statement's transaction.
 */
export async function aggregateRows<T extends Record<string, unknown>>(
  db: Db,
  query: SQL,
  options: {
    lookups?: boolean;
    hashJoins?: boolean;
    noNestedLoops?: boolean;
    hashAggregates?: boolean;
    mergeJoins?: boolean;
    serial?: boolean;
  } = {},
): Promise<T[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '64MB'`);
    // No JIT: the planner's estimates for these statements (generic guesses for CTEs and set
    // parameters, millions of rows where a few hundred groups come out) make PostgreSQL compile
    // them, 0.7–1.1 s of a statement that does 0.2–1 s of work. (PGlite has no JIT; the setting is
    // accepted and does nothing.)
    await tx.execute(sql`set local jit = off`);
    // `lookups`: a statement that joins a few ten thousand people to big tables that stay cached.
    // With the default cost of a random page (4, for disks) the planner scans a million scores or
    // contacts for them, where index lookups take a tenth of the time. (Not for every statement:
    // the funnel, lead flow and waterfall, which read a large part of the rollup, got slower.)
    if (options.lookups) await tx.execute(sql`set local random_page_cost = 1.1`);
    // `hashJoins`: no merge joins, which the planner, guessing the sizes of a statement's CTEs,
    // would choose over a hash of the smaller CTE, sorting both sides to disk.
    if (options.hashJoins) await tx.execute(sql`set local enable_mergejoin = off`);
    // `noNestedLoops`: no nested loops either, for a statement that joins hundreds of thousands of
    // people a CTE found to a big table: guessing the CTE at 200 rows, the planner looks each one
    // up by key (5 µs apiece) where a hash join scans the table once.
    if (options.noNestedLoops) await tx.execute(sql`set local enable_nestloop = off`);
    // `mergeJoins`: no hash joins, for a statement whose inputs come sorted on the join key from
    // indexes: the planner, guessing each side's size, would hash one and scan the other in full.
    if (options.mergeJoins) await tx.execute(sql`set local enable_hashjoin = off`);
    // `hashAggregates`: group by hashing. For a grouping the planner cannot estimate (expressions
    // of the rows: a few dozen groups) it guesses a million and sorts every row instead, or (PGlite,
    // from an index already in stage order) sorts the rest incrementally, spilling to disk.
    if (options.hashAggregates) {
      await tx.execute(sql`set local enable_sort = off`);
      await tx.execute(sql`set local enable_incremental_sort = off`);
    }
    // `serial`: no parallel workers, for a statement that runs beside another of the same report:
    // each worker built the same hash of every person again, and on two cores the workers took the
    // other statement's core.
    if (options.serial) await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
    return rows<T>(tx, query);
  });
}

type Num = string | number | null;
const count = (value: Num | undefined) => (value === null || value === undefined ? 0 : Number(value));
const numberOrNull = (value: Num | undefined) =>
  value === null || value === undefined ? null : Number(value);

export function createReportRepository(db: Db) {
  async function averageWonAmount(workspaceId: string): Promise<number | null> {
    const [deal] = await rows<{ average: unknown }>(
      db,
      sql`select avg(amount)::float8 as average from deals
           where workspace_id = ${workspaceId}::uuid and status = 'won' and amount is not null`,
    );
    const average = deal?.average;
    return average === null || average === undefined ? null : Number(average);
  }

  return {
    /**
     * The funnel's counts (core `FunnelCounts`, the definitions of `countFunnel`) computed in the
     * database over the people who moved in [from, to): one statement, one row per stage.
     */
    async funnelCounts(
      workspaceId: string,
      selection: PeopleSelection & { from: Date },
      agreement: { stages: readonly string[]; detours: readonly string[] },
    ): Promise<FunnelCounts> {
      const { stages } = agreement;
      const patterns = stages.map((_, index) => inOrderPattern(index));
      const from = selection.from.toISOString();
      const to = selection.to.toISOString();
      const asOf = selection.asOf.toISOString();
      // Each (person, stage)'s first entry in the period is the one with no earlier entry into the
      // stage since the period began (`previous_same_at`); its later entries are re-entries, few,
      // each counted in the strict view when its first entry is (found by the person's key). The
      // in-order test runs once per stored path (`in_order_upto`: how many main stages, from the
      // first, the path entered in order; an entry into stage i is in order when that is ≥ i).
      const inOrder = (alias: string) =>
        sql`coalesce(array_position(${pgTextArray(stages)}, ${sql.raw(alias)}.stage) <= o.in_order_upto, true)`;
      const found = await aggregateRows<Record<string, Num> & { stage: string }>(
        db,
        sql`with orders as materialized (
              select c.id as path_id,
                     (select max(i) from generate_subscripts(${pgTextArray(patterns)}, 1) as i
                       where c.code ~ (${pgTextArray(patterns)})[i]) as in_order_upto
                from (select p.id, array_to_string(array(
                               select coalesce(chr(255 + array_position(${pgTextArray(stages)}, u.stage)), '-')
                                 from unnest(p.stages) with ordinality as u(stage, o) order by u.o), '') as code
                        from person_timeline_paths p where p.workspace_id = ${workspaceId}::uuid) c
            ),
            marked as materialized (
              select r.person_id, r.stage, r.at, r.entered_before, ${inOrder('r')} as in_order,
                     r.previous_same_at is null or r.previous_same_at < ${from}::timestamptz as first,
                     case when r.next_at <= ${asOf}::timestamptz then ${msBetween(sql`r.next_at`, sql`r.at`)} end as stay
                from person_timelines r join orders o on o.path_id = r.path_id
               where r.workspace_id = ${workspaceId}::uuid
                 and r.at >= ${from}::timestamptz and r.at < ${to}::timestamptz and r.at <= ${asOf}::timestamptz
                 and r.selects and r.pos is not null ${inSegment(workspaceId, selection.filters)}
            ),
            firsts as (
              select stage, stay, entered_before, in_order from marked where first
            ),
            again_firsts as materialized (
              select f.stage, f.path_id
                from marked a
                cross join lateral (
                  select f.stage, f.path_id from person_timelines f
                   where f.workspace_id = ${workspaceId}::uuid and f.person_id = a.person_id
                     and f.stage = a.stage and f.at >= ${from}::timestamptz
                     and (f.previous_same_at is null or f.previous_same_at < ${from}::timestamptz)
                     and f.selects and f.pos is not null
                   limit 1) f
               where not a.first
            ),
            again as (
              select f.stage, count(*) as reentries, count(*) filter (where ${inOrder('f')}) as s_reentries
                from again_firsts f join orders o on o.path_id = f.path_id
               group by f.stage
            ),
            per_stage as (
              select stage,
                     count(*) as entered,
                     count(*) filter (where entered_before) as returning_,
                     count(*) filter (where stay is not null) as left_,
                     percentile_cont(0.5) within group (order by stay) filter (where stay is not null) as median_ms,
                     percentile_cont(0.9) within group (order by stay) filter (where stay is not null) as p90_ms,
                     count(*) filter (where in_order) as s_entered,
                     count(*) filter (where in_order and entered_before) as s_returning_,
                     count(*) filter (where in_order and stay is not null) as s_left_,
                     percentile_cont(0.5) within group (order by stay) filter (where in_order and stay is not null) as s_median_ms,
                     percentile_cont(0.9) within group (order by stay) filter (where in_order and stay is not null) as s_p90_ms
                from firsts group by stage
            )
            select p.*, coalesce(a.reentries, 0) as reentries, coalesce(a.s_reentries, 0) as s_reentries
              from per_stage p left join again a on a.stage = p.stage`,
      );
      const byStage = new Map(found.map((row) => [row.stage, row]));
      const figures = (row: Record<string, Num> | undefined, prefix: '' | 's_'): StageCount => {
        const entered = count(row?.[`${prefix}entered`]);
        const left = count(row?.[`${prefix}left_`]);
        return {
          entered,
          reentries: count(row?.[`${prefix}reentries`]),
          returning: count(row?.[`${prefix}returning_`]),
          left,
          stillIn: entered - left,
          medianMs: numberOrNull(row?.[`${prefix}median_ms`]),
          p90Ms: numberOrNull(row?.[`${prefix}p90_ms`]),
        };
      };
      return {
        anyOrder: Object.fromEntries(stages.map((stage) => [stage, figures(byStage.get(stage), '')])),
        strictOrder: Object.fromEntries(stages.map((stage) => [stage, figures(byStage.get(stage), 's_')])),
        detours: Object.fromEntries(
          agreement.detours.map((detour) => {
            const row = byStage.get(detour);
            return [detour, { entered: count(row?.entered), reentries: count(row?.reentries) }];
          }),
        ),
      };
    },

    /**
     * The leads delivered in the period (core `countDelivered`): people whose first entry into
     * `stage` in [from, to) is in the period, by the team of the hand-over's assignment (the
     * latest at or before the entry, else the first), current fit grade and invalid rejection.
     */
    async deliveredCounts(
      workspaceId: string,
      selection: PeopleSelection & { from: Date; toStage: string },
      options: { stages: readonly string[]; invalidReasons: readonly string[] },
    ): Promise<DeliveredGroup[]> {
      const asOf = selection.asOf.toISOString();
      const found = await aggregateRows<{
        team: string | null;
        grade: string | null;
        invalid: boolean;
        leads: Num;
      }>(
        db,
        // A person's first entry into the stage in the period: none into it since the period began.
        sql`with delivered as materialized (
              select r.person_id, r.at from person_timelines r
               where r.workspace_id = ${workspaceId}::uuid and r.stage = ${selection.toStage}::text
                 and r.at >= ${selection.from.toISOString()}::timestamptz and r.at < ${selection.to.toISOString()}::timestamptz
                 and r.at <= ${asOf}::timestamptz and r.selects and r.pos is not null
                 and (r.previous_same_at is null or r.previous_same_at < ${selection.from.toISOString()}::timestamptz)
                 ${inSegment(workspaceId, selection.filters)}
            ),
            members as (
              select d.person_id, d.person_id as contact_id from delivered d
              union all
              select d.person_id, c.id from delivered d
                join contacts c on c.workspace_id = ${workspaceId}::uuid and c.merged_into_id = d.person_id
            ),
            candidates as (
              select d.person_id, a.team_id, a.assigned_at, a.id, a.assigned_at <= d.at as before
                from delivered d
                join members m on m.person_id = d.person_id
                join assignments a on a.workspace_id = ${workspaceId}::uuid and a.contact_id = m.contact_id
               where a.assigned_at <= ${asOf}::timestamptz
            ),
            chosen as (
              select distinct on (person_id) person_id, team_id from candidates
               order by person_id, before desc,
                        case when before then assigned_at end desc, case when before then id end desc,
                        assigned_at, id
            ),
            invalid as (
              select distinct m.person_id from members m
                join feedback f on f.workspace_id = ${workspaceId}::uuid and f.contact_id = m.contact_id
               where f.verdict = 'reject' and f.occurred_at <= ${asOf}::timestamptz
                 and f.reason in (select jsonb_array_elements_text(${json(options.invalidReasons)}::jsonb))
            )
            select c.team_id as team, sc.fit_grade as grade, (i.person_id is not null) as invalid, count(*) as leads
              from delivered d
              left join chosen c on c.person_id = d.person_id
              left join scores sc on sc.workspace_id = ${workspaceId}::uuid and sc.contact_id = d.person_id
              left join invalid i on i.person_id = d.person_id
             group by 1, 2, 3`,
        { lookups: true },
      );
      return found.map((row) => ({
        team: row.team,
        grade: row.grade,
        invalid: Boolean(row.invalid),
        leads: count(row.leads),
      }));
    },

    /** The SLA clocks started in [from, to), counted by team and rep (core `countClocks`). */
    async clockCounts(workspaceId: string, from: Date, to: Date, asOf: Date): Promise<ClockGroup[]> {
      const now = asOf.toISOString();
      const found = await rows<{ team_id: string | null; rep_id: string | null } & Record<string, Num>>(
        db,
        sql`select team_id, rep_id,
                   count(*) filter (where counted) as handed,
                   count(*) filter (where counted and (worked or deadline_at <= ${now}::timestamptz)) as due,
                   count(*) filter (where counted and worked) as worked,
                   count(*) filter (where counted and not worked and deadline_at <= ${now}::timestamptz) as breaches,
                   count(*) filter (where counted and not worked and deadline_at <= ${now}::timestamptz
                                      and stopped_at is null) as open_breaches
              from (select team_id, rep_id, deadline_at, stopped_at, status <> 'cancelled' as counted,
                           (status = 'worked' and stopped_at is not null and stopped_at <= deadline_at) as worked
                      from sla_clocks
                     where workspace_id = ${workspaceId}::uuid
                       and started_at >= ${from.toISOString()}::timestamptz and started_at < ${to.toISOString()}::timestamptz) k
             group by team_id, rep_id`,
      );
      return found.map((row) => ({
        teamId: row.team_id,
        repId: row.rep_id,
        handed: count(row.handed),
        due: count(row.due),
        workedWithinDeadline: count(row.worked),
        breaches: count(row.breaches),
        openBreaches: count(row.open_breaches),
      }));
    },

    /**
     * Lead flow's counts (core `countLeadFlow`) for `rows` (the month or week before the period,
     * then the period's) and the whole period, over the people who moved in the selection.
     */
    async leadFlowCounts(
      workspaceId: string,
      selection: PeopleSelection,
      options: {
        stages: readonly string[];
        leadStage: string;
        mqlStage: string;
        invalidReasons: readonly string[];
        rows: readonly { from: Date; to: Date }[];
        total: { from: Date; to: Date };
      },
    ): Promise<LeadFlowCounts> {
      // Row 0 is the whole period; rows 1… the buckets, in time order and not overlapping.
      const buckets = [options.total, ...options.rows];
      // The stages at or past the lead stage (a text[]).
      const past = pgTextArray(options.stages.slice(Math.max(options.stages.indexOf(options.leadStage), 0)));
      const asOf = selection.asOf.toISOString();
      // Every bucket lies in the selection's window, so only the window's entries are read; each
      // falls in at most one row (found by `width_bucket`) and maybe in the whole period. A
      // person counts once per bucket: at its first entry into the stage in the bucket (no entry
      // into it since the bucket began). A new lead's entry is its first into a stage at or past
      // the lead stage: it is one of them and none of the stages before it (its path) is. Two
      // statements side by side (on PostgreSQL, one per core; 1.2 s as one, 0.8 s as two at 1M
      // contacts): the lead counts, one grouped pass over the window's entries (the whole
      // period's summed from the rows'), and the MQLs, a fraction of them, joined to their fit,
      // grade and quadrant in `contact_segments` (narrower than `scores`: 0.81 → 0.70 s alone).
      // Each (MQL entry, bucket) is a distinct person in the bucket: a person has one first entry
      // into the stage per bucket.
      const common = sql`bounds as materialized (
              select ${options.total.from.toISOString()}::timestamptz as total_from,
                     ${options.total.to.toISOString()}::timestamptz as total_to
            ),
            paths as materialized (
              select p.id, not (p.stages && ${past}) as before_lead
                from person_timeline_paths p where p.workspace_id = ${workspaceId}::uuid
            ),
            -- The rows as a relation of known size, so the per-row counts are grouped by hashing a
            -- few keys and the planner does not take the MQLs for millions.
            buckets (i, row_from, row_to) as materialized (
              ${
                options.rows.length === 0
                  ? sql`select 0, null::timestamptz, null::timestamptz where false`
                  : sql`values ${sql.join(
                      options.rows.map(
                        (row, index) =>
                          sql`(${index + 1}::int, ${row.from.toISOString()}::timestamptz, ${row.to.toISOString()}::timestamptz)`,
                      ),
                      sql`, `,
                    )}`
              }
            ),
            entries as not materialized (
              select r.person_id, r.stage, r.at, r.previous_same_at, r.path_id, k.i as row, k.row_from,
                     r.at >= b.total_from and r.at < b.total_to as in_total, b.total_from
                from person_timelines r
                cross join bounds b
                join buckets k on r.at >= k.row_from and r.at < k.row_to
               where r.workspace_id = ${workspaceId}::uuid
                 and r.at >= ${(selection.from ?? new Date(0)).toISOString()}::timestamptz
                 and r.at < ${selection.to.toISOString()}::timestamptz and r.at <= ${asOf}::timestamptz
                 and r.selects and r.pos is not null ${inSegment(workspaceId, selection.filters)}
            )`;
      const [leadRows, mqlRows] = await Promise.all([
        aggregateRows<{ i: number; kind: 'lead' | 'new'; people: Num }>(
          db,
          sql`with ${common},
            counted as (
              select e.row,
                     count(*) filter (where e.stage = ${options.leadStage}::text
                                        and (e.previous_same_at is null or e.previous_same_at < e.row_from)) as leads,
                     count(*) filter (where pa.before_lead) as new_leads,
                     count(*) filter (where e.in_total and e.stage = ${options.leadStage}::text
                                        and (e.previous_same_at is null or e.previous_same_at < e.total_from)) as total_leads,
                     count(*) filter (where e.in_total and pa.before_lead) as total_new_leads
                from entries e join paths pa on pa.id = e.path_id
               -- Every count is of entries at or past the lead stage (half of them at 1M contacts).
               where e.stage = any(${past})
               group by e.row
            )
            select row as i, 'lead' as kind, leads as people from counted
            union all
            select row, 'new', new_leads from counted
            union all
            select 0, 'lead', sum(total_leads) from counted
            union all
            select 0, 'new', sum(total_new_leads) from counted`,
        ),
        aggregateRows<{
          i: number;
          grade: string | null;
          invalid: boolean;
          hot: boolean;
          people: Num;
          fit_sum: Num;
          fit_count: Num;
        }>(
          db,
          sql`with ${common},
            -- Each MQL entry of the window, with whether it counts in its row (the person's first
            -- entry into the stage in the row) and in the whole period.
            mqls as materialized (
              select e.person_id, e.row,
                     (e.previous_same_at is null or e.previous_same_at < e.row_from) as in_row,
                     (e.in_total and (e.previous_same_at is null or e.previous_same_at < e.total_from)) as in_total
                from entries e
               where e.stage = ${options.mqlStage}::text
            ),
            merged as materialized (
              select c.id, c.merged_into_id from contacts c
               where c.workspace_id = ${workspaceId}::uuid and c.merged_into_id is not null
            ),
            invalid as materialized (
              select distinct coalesce(mg.merged_into_id, f.contact_id) as person_id
                from feedback f left join merged mg on mg.id = f.contact_id
               where f.workspace_id = ${workspaceId}::uuid and f.verdict = 'reject' and f.occurred_at <= ${asOf}::timestamptz
                 and f.reason in (select jsonb_array_elements_text(${json(options.invalidReasons)}::jsonb))
            ),
            -- The MQLs' segments looked up by key, all in one index scan (a tenth of the contacts:
            -- cheaper than hashing the whole rollup, which the planner chose for the join below).
            segments as materialized (
              select sc.contact_id, sc.fit_grade, sc.quadrant, sc.fit from contact_segments sc
               where sc.workspace_id = ${workspaceId}::uuid
                 and sc.contact_id = any(array(select m.person_id from mqls m where m.in_row or m.in_total))
            ),
            -- Grouped once with both flags, then each group counted in its row and in the period
            -- (before, each entry became two rows: 0.74 → 0.56 s at 1M contacts).
            grouped as (
              select m.row, m.in_row, m.in_total, sc.fit_grade as grade, (iv.person_id is not null) as invalid,
                     coalesce(sc.quadrant = 'hot', false) as hot, count(*) as people,
                     coalesce(sum(sc.fit), 0) as fit_sum, count(sc.fit) as fit_count
                from mqls m
                left join segments sc on sc.contact_id = m.person_id
                left join invalid iv on iv.person_id = m.person_id
               where m.in_row or m.in_total
               group by 1, 2, 3, 4, 5, 6
            )
            select u.i, u.grade, u.invalid, u.hot, sum(u.people) as people, sum(u.fit_sum) as fit_sum,
                   sum(u.fit_count) as fit_count
              from (select row as i, grade, invalid, hot, people, fit_sum, fit_count from grouped where in_row
                    union all
                    select 0, grade, invalid, hot, people, fit_sum, fit_count from grouped where in_total) u
             group by 1, 2, 3, 4`,
          // The few invalid people hashed: a merge join sorted every MQL row to meet them.
          { hashJoins: true },
        ),
      ]);
      const counts = buckets.map(() => ({ leads: 0, newLeads: 0, mqls: [] as MqlGroup[] }));
      for (const row of leadRows) {
        const bucket = counts[Number(row.i)];
        if (bucket === undefined) continue;
        if (row.kind === 'lead') bucket.leads = count(row.people);
        else bucket.newLeads = count(row.people);
      }
      for (const row of mqlRows) {
        counts[Number(row.i)]?.mqls.push({
          grade: row.grade,
          invalid: Boolean(row.invalid),
          hot: Boolean(row.hot),
          people: count(row.people),
          fitSum: count(row.fit_sum),
          fitCount: count(row.fit_count),
        });
      }
      const [total, ...rest] = counts;
      return { buckets: rest, total: total ?? { leads: 0, newLeads: 0, mqls: [] } };
    },

    /**
     * The waterfall's counts (core `countWaterfall`) over everyone with a transition before the
     * period's end: each cohort's size and, per offset, who had reached each followed stage; each
     * row's opening, inflow and outflow per stage. One statement; instants are compared as timestamptz.
     */
    async waterfallCounts(
      workspaceId: string,
      selection: PeopleSelection,
      options: {
        stages: readonly string[];
        leadStage: string;
        followed: readonly string[];
        balanceStages: readonly string[];
        /** Per row of the period: its bounds and the instants its cohort is counted at (`cohortOffsets`). */
        rows: readonly { from: number; to: number; untils: readonly number[] }[];
      },
    ): Promise<WaterfallCounts> {
      if (options.rows.length === 0) return { cohorts: [], flow: [] };
      // Instants as ISO text: the database compares them as timestamptz.
      const iso = (ms: number) => new Date(ms).toISOString();
      const cohortRows = options.rows.map((row, index) => ({
        i: index,
        from: iso(row.from),
        to: iso(row.to),
        untils: row.untils.map(iso),
      }));
      const froms = options.rows.map((row) => row.from);
      const end = options.rows.at(-1)?.to ?? 0;
      const start = new Date(froms[0] ?? 0).toISOString();
      const asOf = selection.asOf.toISOString();
      /** The main stages at or past `stage` (a text[]): an entry into one of them reached `stage`. */
      const pastOf = (stage: string) =>
        pgTextArray(options.stages.slice(Math.max(options.stages.indexOf(stage), 0)));
      /**
       * An entry into stage `s.stage` with the path `p.stages` before it is the person's first into
       * a stage at or past `stage`: it is one of them and none before it was.
       */
      const firstPast = (stage: string) =>
        sql`(s.stage = any(${pastOf(stage)}) and not (p.stages && ${pastOf(stage)}))`;
      const tested = [options.leadStage, ...options.followed];
      const reachMask =
        options.followed.length === 0
          ? sql`0`
          : sql.join(
              options.followed.map(
                (stage, index) => sql`(case when ${firstPast(stage)} then ${2 ** index}::int else 0 end)`,
              ),
              sql` + `,
            );
      const earliest = tested
        .map((stage) => options.stages.indexOf(stage))
        .reduce((low, rank) => Math.min(low, Math.max(rank, 0)), options.stages.length);
      const balance = pgTextArray(options.balanceStages);
      type Row = { kind: string; i: number | null; j: number | null; idx: number | null; n: Num };
      // Two independent statements, side by side on PostgreSQL.
      const [balances, cohorts] = await Promise.all([
        aggregateRows<Row>(
          db,
          // Balances: every entry before the period's end, counted by (stage, previous stage, the
          // rows its start and its end fall in) in one pass — few groups.
          sql`with bounds as materialized (
                select ${instants(froms.map((ms) => new Date(ms)))} as froms
              ),
              moves as (
                select array_position(${balance}, r.stage) as j, array_position(${balance}, r.previous_stage) as previous_j,
                       width_bucket(r.at, b.froms) as at_b,
                       case when r.next_at <= ${asOf}::timestamptz then width_bucket(r.next_at, b.froms) end as next_b,
                       count(*) as n
                  from person_timelines r cross join bounds b
                 where r.workspace_id = ${workspaceId}::uuid and r.at <= ${asOf}::timestamptz
                   and r.at < ${new Date(end).toISOString()}::timestamptz
                   and r.selects and r.pos is not null ${inSegment(workspaceId, selection.filters)}
                 group by 1, 2, 3, 4
              )
              select 'in' as kind, null::int as i, j, at_b as idx, sum(n) as n from moves where j is not null and at_b >= 1 group by 3, 4
              union all
              select 'out', null, previous_j, at_b, sum(n) from moves where previous_j is not null and at_b >= 1 group by 3, 4
              union all
              select 'start', null, j, at_b, sum(n) from moves where j is not null group by 3, 4
              union all
              select 'end', null, j, next_b, sum(n) from moves where j is not null and next_b is not null group by 3, 4`,
          { serial: true },
        ),
        aggregateRows<Row>(
          db,
          // Cohorts: only the entries from the period's start on that are a person's first into a
          // stage at or past the lead stage or a followed stage (such an entry is never a
          // re-entry into its own stage, and comes at or after the person became a lead), the
          // latter joined to the former by person (a hash of the cohorts' people: the planner,
          // guessing the CTEs' sizes, would sort both sides to disk for a merge join).
          sql`with
              -- Per stored path and stage entered after it: whether the entry is the person's
              -- first at or past the lead stage, and (bits) at or past which followed stages.
              marks as materialized (
                select p.id as path_id, s.stage, ${firstPast(options.leadStage)} as became, ${reachMask} as mask
                  from person_timeline_paths p
                  cross join unnest(${pgTextArray(options.stages.slice(earliest))}) as s(stage)
                 where p.workspace_id = ${workspaceId}::uuid
              ),
              cohorts (i, "from", "to", untils) as materialized (
                values ${sql.join(
                  cohortRows.map(
                    (row) =>
                      sql`(${row.i}::int, ${row.from}::timestamptz, ${row.to}::timestamptz, ${instants(row.untils.map((until) => new Date(until)))})`,
                  ),
                  sql`, `,
                )}
              ),
              cohort_bounds as materialized (select array(select "from" from cohorts order by i) as froms),
              -- Each cohort's people: their first entry at or past the lead stage is in its row.
              cohort_members as materialized (
                select r.person_id, c.i, c.untils
                  from person_timelines r
                  join marks k on k.path_id = r.path_id and k.stage = r.stage and k.became
                  cross join cohort_bounds cb
                  join cohorts c on c.i = width_bucket(r.at, cb.froms) - 1
                 where r.workspace_id = ${workspaceId}::uuid and r.at >= ${start}::timestamptz
                   and r.at < ${new Date(end).toISOString()}::timestamptz and r.at <= ${asOf}::timestamptz
                   and r.at < c."to" and r.previous_same_at is null
                   and r.selects and r.pos is not null ${inSegment(workspaceId, selection.filters)}
              ),
              -- Their first entries at or past each followed stage (from the period's start on: they
              -- come at or after the person became a lead), placed among the cohort's offsets; the mask
              -- says which followed stages the entry is the first at or past (followed[j] is bit j:
              -- an entry that skips stages is the first at or past several). Read per member by the
              -- rollup's key (a few rows each), not by joining every first entry since the period's
              -- start to the members: 1.95 → 1.8 s at 1M contacts.
              reached as (
                select m.i, f.mask, width_bucket(f.at, m.untils) as idx
                  from cohort_members m
                  cross join lateral (
                    select r.at, k.mask
                      from person_timelines r
                      join marks k on k.path_id = r.path_id and k.stage = r.stage and k.mask > 0
                     where r.workspace_id = ${workspaceId}::uuid and r.person_id = m.person_id
                       and r.at >= ${start}::timestamptz and r.at <= ${asOf}::timestamptz
                       and r.previous_same_at is null and r.selects and r.pos is not null
                  ) as f
              )
              select 'size' as kind, i, null::int as j, null::int as idx, count(*) as n from cohort_members group by i
              union all
              select 'reach', i, mask, idx, count(*) from reached group by 2, 3, 4`,
          // Grouped by hashing: the planner, guessing a few hundred members for 280,000, sorted the
          // 490,000 reach rows to group them (cohorts 1.85-1.95 → 1.67-1.72 s of CPU at 1M contacts).
          { hashJoins: true, hashAggregates: true },
        ),
      ]);
      const found = [...balances, ...cohorts];
      const counts: WaterfallCounts = {
        cohorts: options.rows.map((row) => ({
          size: 0,
          reached: row.untils.map(() => Object.fromEntries(options.followed.map((stage) => [stage, 0]))),
        })),
        flow: options.rows.map(() =>
          Object.fromEntries(
            options.balanceStages.map((stage) => [stage, { opening: 0, inflow: 0, outflow: 0 }]),
          ),
        ),
      };
      for (const row of found) {
        const n = count(row.n);
        const idx = Number(row.idx);
        if (row.kind === 'size') {
          const cohort = counts.cohorts[Number(row.i)];
          if (cohort) cohort.size = n;
        } else if (row.kind === 'reach') {
          // Reached the stages of the mask (j) before until[k] for every offset k ≥ idx (idx
          // untils are at or before it).
          const cohort = counts.cohorts[Number(row.i)];
          if (cohort === undefined) continue;
          options.followed.forEach((stage, bit) => {
            if ((Number(row.j) & (2 ** bit)) === 0) return;
            for (let offset = idx; offset < cohort.reached.length; offset++) {
              const reached = cohort.reached[offset];
              if (reached) reached[stage] = (reached[stage] ?? 0) + n;
            }
          });
        } else {
          const stage = options.balanceStages[Number(row.j) - 1];
          if (stage === undefined) continue;
          if (row.kind === 'in' || row.kind === 'out') {
            const figure = counts.flow[idx - 1]?.[stage];
            if (figure && row.kind === 'in') figure.inflow += n;
            else if (figure) figure.outflow += n;
          } else {
            // An entry is where its person stands at the start of rows idx + 1 … (until its next entry's row).
            const sign = row.kind === 'start' ? 1 : -1;
            for (let r = idx; r < counts.flow.length; r++) {
              const figure = counts.flow[r]?.[stage];
              if (figure) figure.opening += sign * n;
            }
          }
        }
      }
      return counts;
    },

    /**
     * The people who entered each of `stages` in each of `spans` and in each of `rows` (contiguous
     * ranges in time order inside the first span), as core's `countEntries` counts them: a person
     * once per stage and range, at its first entry into the stage in the range (none into it since
     * the range began), up to `asOf`; people in the segment. One pass over the spans' entries.
     */
    async countStageEntries(
      workspaceId: string,
      options: {
        spans: readonly { from: Date; to: Date }[];
        rows: readonly { from: Date; to: Date }[];
        stages: readonly string[];
        filters: SegmentFilters;
        asOf: Date;
      },
    ): Promise<{ spans: Map<string, number>[]; rows: Map<string, number>[] }> {
      const zeros = () => new Map(options.stages.map((stage) => [stage, 0]));
      const spans = options.spans.map(zeros);
      const rowCounts = options.rows.map(zeros);
      if (options.spans.length === 0) return { spans, rows: rowCounts };
      const iso = (date: Date) => date.toISOString();
      const from = new Date(Math.min(...options.spans.map((span) => span.from.getTime())));
      const to = new Date(Math.max(...options.spans.map((span) => span.to.getTime())));
      // An entry counts for a span when it lies in it and the person had not entered the stage
      // since the span began.
      const spanCounts = sql.join(
        options.spans.map(
          (span, index) =>
            sql`count(*) filter (where at >= ${iso(span.from)}::timestamptz and at < ${iso(span.to)}::timestamptz
                       and (previous_same_at is null or previous_same_at < ${iso(span.from)}::timestamptz)) as ${sql.raw(`span_${index}`)}`,
        ),
        sql`, `,
      );
      const found = await aggregateRows<Record<string, Num> & { i: number; stage: string; row_n: Num }>(
        db,
        // One grouped pass over the spans' entries, by row and stage: an entry counts for its row
        // when the person had not entered the stage since the row began (rows do not overlap), and
        // a span's counts are the sums of its counts over the groups. Grouped by hashing: the
        // planner, unable to estimate the groups (a few dozen), would sort a million entries.
        sql`with bounds as materialized (
              select ${instants(options.rows.map((row) => row.from))} as froms,
                     ${instants(options.rows.map((row) => row.to))} as tos
            ),
            e as (
              select r.stage, r.at, r.previous_same_at, width_bucket(r.at, b.froms) as row_i, b.froms, b.tos
                from person_timelines r cross join bounds b
               where r.workspace_id = ${workspaceId}::uuid
                 and r.at >= ${iso(from)}::timestamptz and r.at < ${iso(to)}::timestamptz
                 and r.at <= ${iso(options.asOf)}::timestamptz
                 and r.selects and r.pos is not null
                 -- Most entries are into these stages: a test the stage index cannot serve, so the
                 -- span is read in time order (five index scans of one stage each were slower).
                 and array_position(${pgTextArray(options.stages)}, r.stage) is not null
                 ${inSegment(workspaceId, options.filters)}
            )
            select row_i as i, stage, ${spanCounts},
                   count(*) filter (where row_i >= 1 and at < tos[row_i]
                                      and (previous_same_at is null or previous_same_at < froms[row_i])) as row_n
              from e
             group by 1, 2`,
        { hashAggregates: true },
      );
      for (const row of found) {
        spans.forEach((span, index) => {
          span.set(row.stage, (span.get(row.stage) ?? 0) + count(row[`span_${index}`]));
        });
        if (Number(row.i) >= 1) rowCounts[Number(row.i) - 1]?.set(row.stage, count(row.row_n));
      }
      return { spans, rows: rowCounts };
    },

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
             where t.occurred_at <= ${selection.asOf.toISOString()}::timestamptz
             order by t.occurred_at, t.seq, t.id`,
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
     * ever entered `deliveredStage` and, of them, those who entered `wonStage` (entries as the funnel
     * counts them, from the rollup); and the average amount of won deals.
     */
    async findValueBasis(
      workspaceId: string,
      options: { deliveredStage: string; wonStage: string; asOf: Date },
    ): Promise<{ closeRateByGrade: ValueBasis['closeRateByGrade']; averageWonAmount: number | null }> {
      const enteredBy = (stage: string) =>
        sql`select distinct r.person_id from person_timelines r
             where r.workspace_id = ${workspaceId}::uuid and r.stage = ${stage}::text
               and r.at <= ${options.asOf.toISOString()}::timestamptz and r.selects and r.pos is not null`;
      const grades = await aggregateRows<{ fit_grade: string | null; delivered: unknown; won: unknown }>(
        db,
        // Three lists sorted by person, each read from an index alone (migration 0027): the people
        // who entered each stage (the rollup's (stage, person) index) and every contact's grade
        // (`contact_segments`), merged. Hashing the delivered people and scanning `contact_segments`
        // past them took 2.5 times as long at 1M contacts.
        sql`with delivered as (${enteredBy(options.deliveredStage)}), won as (${enteredBy(options.wonStage)})
            select g.fit_grade, count(*) as delivered, count(w.person_id) as won
              from delivered d
              join contact_segments g on g.workspace_id = ${workspaceId}::uuid and g.contact_id = d.person_id
              left join won w on w.person_id = d.person_id
             where g.fit_grade is not null
             group by g.fit_grade`,
        { serial: true, mergeJoins: true },
      );
      const closeRateByGrade: Record<string, number> = {};
      for (const row of grades) {
        if (row.fit_grade !== null && Number(row.delivered) > 0)
          closeRateByGrade[row.fit_grade] = Number(row.won) / Number(row.delivered);
      }
      return { closeRateByGrade, averageWonAmount: await averageWonAmount(workspaceId) };
    },

    /** The average amount of the won deals (those with an amount), or null without any. */
    findAverageWonAmount(workspaceId: string): Promise<number | null> {
      return averageWonAmount(workspaceId);
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
