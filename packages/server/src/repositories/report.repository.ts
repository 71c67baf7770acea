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

/**
 * The rollup's rows (`person_timelines`, kept by triggers) in the selection's window: the
 * transitions that select a person (`selects`: the transition's contact belongs to this person)
 * in [from, to), into `toStage` when given. Equal to `peopleCtes`' `moved`, read from one index.
 */
function movedFromRollup(workspaceId: string, selection: PeopleSelection): SQL {
  const moved: SQL[] = [
    sql`r.workspace_id = ${workspaceId}::uuid`,
    sql`r.at < ${selection.to.toISOString()}::timestamptz`,
    sql`r.selects`,
  ];
  if (selection.from !== undefined) moved.push(sql`r.at >= ${selection.from.toISOString()}::timestamptz`);
  if (selection.toStage !== undefined) moved.push(sql`r.stage = ${selection.toStage}::text`);
  return sql`moved as (select distinct r.person_id from person_timelines r where ${sql.join(moved, sql` and `)})`;
}

/**
 * The selected people's timelines, read from the rollup `person_timelines` (migration
 * `person-timelines`), which triggers keep with core's rules (`buildTimelines`): their transitions
 * in time order (ties by `seq`, then by id: the engine's own transitions all have `seq` 0, so two
 * at the same instant have no other order), leaving out a merged contact's start after the person
 * started and moves to the stage the person is already in. Cut at `asOf`: the entries up to it
 * (a prefix, as time orders them), a next entry after it unknown.
 * `entries(person_id, stage, at, at_ms, pos, previous_stage, next_ms)`: `pos` counts from 1,
 * `next_ms` is the next entry's instant.
 */
function entriesCtes(workspaceId: string, selection: PeopleSelection): SQL {
  const asOf = selection.asOf.toISOString();
  return sql`${movedFromRollup(workspaceId, selection)},
    ${segmentCtes(workspaceId, selection.filters)},
    entries as (
      select e.person_id, e.stage, e.at, ${epochMs(sql`e.at`)} as at_ms, e.pos, e.previous_stage,
             case when e.next_at <= ${asOf}::timestamptz then ${epochMs(sql`e.next_at`)} end as next_ms
        from people p
        join person_timelines e on e.workspace_id = ${workspaceId}::uuid and e.person_id = p.person_id
       where e.pos is not null and e.at <= ${asOf}::timestamptz
    )`;
}

/** Milliseconds since the epoch, truncated as JavaScript dates are. */
const epochMs = (instant: SQL) => sql`floor(extract(epoch from ${instant}) * 1000)::float8`;

/** A text[] parameter (as JSON, which both drivers pass alike). */
const pgTextArray = (values: readonly string[]) =>
  sql`array(select jsonb_array_elements_text(${json(values)}::jsonb))`;

/**
 * The character standing for main stage `index` in `path_before`, and the pattern that finds the
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
async function aggregateRows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '64MB'`);
    return rows<T>(tx, query);
  });
}

type Num = string | number | null;
const count = (value: Num | undefined) => (value === null || value === undefined ? 0 : Number(value));
const numberOrNull = (value: Num | undefined) =>
  value === null || value === undefined ? null : Number(value);

export function createReportRepository(db: Db) {
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
      const found = await aggregateRows<Record<string, Num> & { stage: string }>(
        db,
        sql`with window_rows as (
              select r.person_id, r.selects, r.pos, r.stage, r.at, r.next_at, r.entered_before, r.path_before
                from person_timelines r
               where r.workspace_id = ${workspaceId}::uuid
                 and r.at >= ${from}::timestamptz and r.at < ${to}::timestamptz
            ),
            moved as (select distinct person_id from window_rows where selects),
            ${segmentCtes(workspaceId, selection.filters)},
            marked as (
              select w.person_id, w.stage, w.pos, w.entered_before,
                     case when w.next_at <= ${asOf}::timestamptz then ${epochMs(sql`w.next_at`)} - ${epochMs(sql`w.at`)} end as stay,
                     array_to_string(array(
                       select coalesce(chr(255 + array_position(${pgTextArray(stages)}, u.stage)), '-')
                         from unnest(w.path_before) with ordinality as u(stage, o) order by u.o), '')
                       ~ coalesce((${pgTextArray(patterns)})[array_position(${pgTextArray(stages)}, w.stage)], '') as in_order
                from window_rows w join people p on p.person_id = w.person_id
               where w.pos is not null and w.at <= ${asOf}::timestamptz
            ),
            per_stage as (
              select stage, count(*) - 1 as more,
                     min(array[pos::float8, coalesce(stay, -1), case when in_order then 1 else 0 end,
                               case when entered_before then 1 else 0 end]) as first
                from marked group by person_id, stage
            )
            select stage,
                   count(*) as entered, sum(more) as reentries,
                   count(*) filter (where first[4] = 1) as returning_,
                   count(*) filter (where first[2] >= 0) as left_,
                   percentile_cont(0.5) within group (order by first[2]) filter (where first[2] >= 0) as median_ms,
                   percentile_cont(0.9) within group (order by first[2]) filter (where first[2] >= 0) as p90_ms,
                   count(*) filter (where first[3] = 1) as s_entered,
                   sum(more) filter (where first[3] = 1) as s_reentries,
                   count(*) filter (where first[3] = 1 and first[4] = 1) as s_returning_,
                   count(*) filter (where first[3] = 1 and first[2] >= 0) as s_left_,
                   percentile_cont(0.5) within group (order by first[2]) filter (where first[3] = 1 and first[2] >= 0) as s_median_ms,
                   percentile_cont(0.9) within group (order by first[2]) filter (where first[3] = 1 and first[2] >= 0) as s_p90_ms
              from per_stage group by stage`,
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
        sql`with ${entriesCtes(workspaceId, selection)},
            delivered as (
              select person_id, min(at) as at from entries
               where stage = ${selection.toStage}::text
                 and at >= ${selection.from.toISOString()}::timestamptz and at < ${selection.to.toISOString()}::timestamptz
               group by person_id
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
      // Row 0 is the whole period; rows 1… the buckets, in order.
      const buckets = [options.total, ...options.rows].map((row, index) => ({
        i: index,
        from: row.from.toISOString(),
        to: row.to.toISOString(),
      }));
      const leadRank = options.stages.indexOf(options.leadStage);
      const found = await aggregateRows<{
        i: number;
        kind: 'lead' | 'new' | 'mql';
        grade: string | null;
        invalid: boolean | null;
        hot: boolean | null;
        people: Num;
        fit_sum: Num;
        fit_count: Num;
      }>(
        db,
        sql`with ${entriesCtes(workspaceId, selection)},
            buckets as (
              select * from jsonb_to_recordset(${json(buckets)}::jsonb) as b(i int, "from" timestamptz, "to" timestamptz)
            ),
            marks as (
              select b.i, e.person_id, bool_or(e.stage = ${options.leadStage}::text) as lead,
                     bool_or(e.stage = ${options.mqlStage}::text) as mql
                from entries e join buckets b on e.at >= b."from" and e.at < b."to"
               where e.stage in (${options.leadStage}::text, ${options.mqlStage}::text)
               group by b.i, e.person_id
            ),
            became as (
              select person_id, min(at) as at from entries
               where array_position(${pgTextArray(options.stages)}, stage) - 1 >= ${leadRank}::int
               group by person_id
            ),
            invalid as (
              select distinct m.person_id from members m
                join feedback f on f.workspace_id = ${workspaceId}::uuid and f.contact_id = m.contact_id
               where f.verdict = 'reject' and f.occurred_at <= ${selection.asOf.toISOString()}::timestamptz
                 and f.reason in (select jsonb_array_elements_text(${json(options.invalidReasons)}::jsonb))
            )
            select m.i, 'mql' as kind, sc.fit_grade as grade, (iv.person_id is not null) as invalid,
                   coalesce(sc.quadrant = 'hot', false) as hot, count(*) as people,
                   coalesce(sum(sc.fit), 0) as fit_sum, count(sc.fit) as fit_count
              from marks m
              left join scores sc on sc.workspace_id = ${workspaceId}::uuid and sc.contact_id = m.person_id
              left join invalid iv on iv.person_id = m.person_id
             where m.mql
             group by 1, 2, 3, 4, 5
            union all
            select i, 'lead', null, null, null, count(*), 0, 0 from marks where lead group by i
            union all
            select b.i, 'new', null, null, null, count(*), 0, 0
              from became x join buckets b on x.at >= b."from" and x.at < b."to" group by b.i`,
      );
      const counts = buckets.map(() => ({ leads: 0, newLeads: 0, mqls: [] as MqlGroup[] }));
      for (const row of found) {
        const bucket = counts[Number(row.i)];
        if (bucket === undefined) continue;
        if (row.kind === 'lead') bucket.leads = count(row.people);
        else if (row.kind === 'new') bucket.newLeads = count(row.people);
        else
          bucket.mqls.push({
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
     * row's opening, inflow and outflow per stage. One statement; instants are compared in ms.
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
      const leadRank = options.stages.indexOf(options.leadStage);
      const cohorts = options.rows.map((row, index) => ({
        i: index,
        from: row.from,
        to: row.to,
        untils: row.untils,
      }));
      const froms = options.rows.map((row) => row.from);
      const end = options.rows.at(-1)?.to ?? 0;
      const reachColumns = sql.join(
        options.followed.map(
          (stage) => sql`min(at_ms) filter (where rank >= ${options.stages.indexOf(stage)}::int)`,
        ),
        sql`, `,
      );
      const found = await aggregateRows<{
        kind: string;
        i: number | null;
        j: number | null;
        idx: number | null;
        n: Num;
      }>(
        db,
        sql`with ${entriesCtes(workspaceId, selection)},
            ranked as (
              select person_id, at_ms, array_position(${pgTextArray(options.stages)}, stage) - 1 as rank from entries
            ),
            reach as (
              select person_id, min(at_ms) filter (where rank >= ${leadRank}::int) as became,
                     array[${reachColumns}] as reached
                from ranked group by person_id
            ),
            cohorts as (
              select * from jsonb_to_recordset(${json(cohorts)}::jsonb) as c(i int, "from" float8, "to" float8, untils float8[])
            ),
            cohort_members as (
              select c.i, c.untils, r.reached from reach r
                join cohorts c on r.became >= c."from" and r.became < c."to"
            ),
            bounds as (select array(select jsonb_array_elements_text(${json(froms)}::jsonb)::float8) as froms),
            flow as (
              select e.stage, e.previous_stage, e.at_ms, e.next_ms, b.froms,
                     array_position(${pgTextArray(options.balanceStages)}, e.stage) as j,
                     array_position(${pgTextArray(options.balanceStages)}, e.previous_stage) as previous_j
                from entries e cross join bounds b
            )
            select 'size' as kind, i, null::int as j, null::int as idx, count(*) as n from cohort_members group by i
            union all
            select 'reach', m.i, v.j::int, width_bucket(v.at, m.untils), count(*)
              from cohort_members m cross join lateral unnest(m.reached) with ordinality as v(at, j)
             where v.at is not null group by 2, 3, 4
            union all
            select 'in', null, j, width_bucket(at_ms, froms), count(*) from flow
             where j is not null and at_ms >= froms[1] and at_ms < ${end}::float8 group by 3, 4
            union all
            select 'out', null, previous_j, width_bucket(at_ms, froms), count(*) from flow
             where previous_j is not null and at_ms >= froms[1] and at_ms < ${end}::float8 group by 3, 4
            union all
            select 'start', null, j, width_bucket(at_ms, froms), count(*) from flow where j is not null group by 3, 4
            union all
            select 'end', null, j, width_bucket(next_ms, froms), count(*) from flow
             where j is not null and next_ms is not null group by 3, 4`,
      );
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
          // Reached before until[k] for every offset k ≥ idx (idx untils are at or before it).
          const cohort = counts.cohorts[Number(row.i)];
          const stage = options.followed[Number(row.j) - 1];
          if (cohort === undefined || stage === undefined) continue;
          for (let offset = idx; offset < cohort.reached.length; offset++) {
            const reached = cohort.reached[offset];
            if (reached) reached[stage] = (reached[stage] ?? 0) + n;
          }
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
