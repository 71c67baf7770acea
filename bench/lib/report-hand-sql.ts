/**
 * The baselines of bench/reports: for each report, a straightforward hand-written SQL query that
 * computes the same figures from the same tables, as an analyst would write it against the
 * documented definitions (docs/REPORTS.md): person timelines with window functions, then plain
 * GROUP BYs. Each answers a small, comparable digest of its report, so the bench can check that
 * both give the same numbers.
 */
import {
  type Agreement,
  type AttributionModel,
  type AttributionReport,
  type AttributionRow,
  attributionModels,
  type BucketUnit,
  bucketContaining,
  type ClogReport,
  type CloseRatesReport,
  clogWindows,
  defaultAttemptDays,
  defaultClogOptions,
  defaultHalfLifeDays,
  type FollowThroughFigures,
  type FollowThroughReport,
  type FunnelReport,
  type GoalTreeReport,
  goalTreeStages,
  goalTreeWindow,
  invalidReasons,
  type LeadFlowReport,
  leadStageOf,
  type ModelFigures,
  periodBuckets,
  previousBucket,
  type ReportPeriod,
  type RoiRow,
  type SlaReport,
  type WaterfallReport,
} from '../../packages/core/src/index.ts';
import type { Database } from '../../packages/server/src/db/client.ts';
import { type Fragment, queryRows, sql } from './engine-sql.ts';

type Num = string | number | null;
const num = (value: Num | undefined) => (value === null || value === undefined ? null : Number(value));
const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / 3_600_000) * 100) / 100);
const json = (value: unknown) => JSON.stringify(value);
const iso = (date: Date) => date.toISOString();
const msOf = (column: string) => ({ parts: [`floor(extract(epoch from ${column}) * 1000)`] });

/**
 * Every person's entries (a contact with the contacts merged into it; a merged contact's later
 * start and moves to the stage the person is in are not entries), up to `asOf`, of the people who
 * `moved` (a condition on `t`, the transition, or none for everyone).
 */
function entriesSql(workspaceId: string, asOf: Date, moved: Fragment | null): Fragment {
  const chosen =
    moved === null
      ? sql``
      : sql`and coalesce(c.merged_into_id, c.id) in (
              select coalesce(c2.merged_into_id, c2.id) from stage_transitions t
                join contacts c2 on c2.workspace_id = t.workspace_id and c2.id = t.contact_id
               where t.workspace_id = ${workspaceId}::uuid and ${moved})`;
  return sql`moves as (
      select coalesce(c.merged_into_id, c.id) as person_id, t.from_stage, t.to_stage, t.occurred_at, t.seq, t.id,
             row_number() over (partition by coalesce(c.merged_into_id, c.id) order by t.occurred_at, t.seq, t.id) as n
        from stage_transitions t
        join contacts c on c.workspace_id = t.workspace_id and c.id = t.contact_id
       where t.workspace_id = ${workspaceId}::uuid and t.occurred_at <= ${iso(asOf)}::timestamptz ${chosen}
    ),
    steps as (
      select person_id, to_stage, occurred_at, seq, id,
             lag(to_stage) over (partition by person_id order by occurred_at, seq, id) as stage_before
        from moves where n = 1 or from_stage is not null
    ),
    entries as (
      select person_id, to_stage as stage, occurred_at as at, ${msOf('occurred_at')} as at_ms,
             row_number() over w as pos, lag(to_stage) over w as previous_stage,
             ${msOf('lead(occurred_at) over w')} as next_ms
        from steps where stage_before is distinct from to_stage
      window w as (partition by person_id order by occurred_at, seq, id)
    )`;
}

const inPeriod = (from: Date, to: Date) =>
  sql`t.occurred_at >= ${iso(from)}::timestamptz and t.occurred_at < ${iso(to)}::timestamptz`;

// ---------------------------------------------------------------------------------------------
// Funnel

export type FunnelDigest = {
  stages: {
    stage: string;
    view: string;
    entered: number;
    reentries: number;
    returning: number;
    left: number;
    stillIn: number;
    medianHours: number | null;
    p90Hours: number | null;
  }[];
  detours: { stage: string; entered: number; reentries: number }[];
};

export async function handFunnel(
  db: Database,
  input: { workspaceId: string; agreement: Agreement; period: ReportPeriod; asOf: Date },
): Promise<FunnelDigest> {
  const { workspaceId, agreement, period, asOf } = input;
  const stages = agreement.stages.map((stage) => stage.id);
  // g_k: where each person first passed stage k in order (its first entry into stage k after
  // g_{k-1}), from the positions of its entries into each stage.
  const pivot = stages
    .map(
      (stage, index) =>
        `array_agg(pos order by pos) filter (where stage = '${stage.replaceAll("'", "''")}') as p${index}`,
    )
    .join(', ');
  const chain = stages
    .map((_, index) =>
      index === 0
        ? 'cross join lateral (select v.p0[1] as g0) a0'
        : `cross join lateral (select (select min(x) from unnest(v.p${index}) x where x > a${index - 1}.g${index - 1}) as g${index}) a${index}`,
    )
    .join(' ');
  const greedyColumns = stages.map((_, index) => `a${index}.g${index}`).join(', ');
  const strictCase = stages
    .map((stage, index) =>
      index === 0
        ? `when '${stage}' then true`
        : `when '${stage}' then coalesce(g.g${index - 1} < f.first_pos, false)`,
    )
    .join(' ');
  const found = await queryRows<
    Record<string, Num> & { stage: string; strict: boolean | null; any_order: boolean }
  >(
    db,
    sql`with ${entriesSql(workspaceId, asOf, inPeriod(period.from, period.to))},
        positions as (select person_id, ${{ parts: [pivot] }} from entries group by person_id),
        greedy as (select v.person_id, ${{ parts: [greedyColumns] }} from positions v ${{ parts: [chain] }}),
        firsts as (
          select person_id, stage,
                 min(pos) filter (where at >= ${iso(period.from)}::timestamptz and at < ${iso(period.to)}::timestamptz) as first_pos,
                 count(*) filter (where at >= ${iso(period.from)}::timestamptz and at < ${iso(period.to)}::timestamptz) - 1 as more,
                 min(pos) as first_ever
            from entries group by 1, 2
        ),
        counted as (
          select f.stage, f.more, f.first_ever < f.first_pos as is_returning, e.next_ms - e.at_ms as stay,
                 case f.stage ${{ parts: [strictCase] }} else null end as strict
            from firsts f
            join entries e on e.person_id = f.person_id and e.pos = f.first_pos
            join greedy g on g.person_id = f.person_id
           where f.first_pos is not null
        )
        select stage, strict, grouping(strict) = 1 as any_order, count(*) as entered, sum(more) as reentries,
               count(*) filter (where is_returning) as "returning",
               count(stay) as "left", count(*) - count(stay) as still_in,
               percentile_cont(0.5) within group (order by stay) as median,
               percentile_cont(0.9) within group (order by stay) as p90
          from counted group by grouping sets ((stage), (stage, strict))`,
  );
  const digest: FunnelDigest = { stages: [], detours: [] };
  const row = (stage: string, strict: boolean) =>
    found.find(
      (candidate) => candidate.stage === stage && !candidate.any_order && candidate.strict === strict,
    );
  const figures = (
    stage: string,
    view: string,
    r: (Record<string, Num> & { stage: string }) | undefined,
  ) => ({
    stage,
    view,
    entered: num(r?.entered) ?? 0,
    reentries: num(r?.reentries) ?? 0,
    returning: num(r?.returning) ?? 0,
    left: num(r?.left) ?? 0,
    stillIn: num(r?.still_in) ?? 0,
    medianHours: hours(num(r?.median)),
    p90Hours: hours(num(r?.p90)),
  });
  // The grouping set (stage) has strict = null and is the any-order view; (stage, true) the strict one.
  const anyOrder = found.filter((candidate) => candidate.any_order);
  for (const stage of stages)
    digest.stages.push(
      figures(
        stage,
        'any',
        anyOrder.find((r) => r.stage === stage),
      ),
    );
  for (const stage of stages) digest.stages.push(figures(stage, 'strict', row(stage, true)));
  for (const detour of agreement.detours) {
    const r = anyOrder.find((candidate) => candidate.stage === detour.id);
    digest.detours.push({
      stage: detour.id,
      entered: num(r?.entered) ?? 0,
      reentries: num(r?.reentries) ?? 0,
    });
  }
  return digest;
}

export function funnelDigest(report: FunnelReport): FunnelDigest {
  const figures = (view: string, stages: FunnelReport['anyOrder']) =>
    stages.map((stage) => ({
      stage: stage.stage,
      view,
      entered: stage.entered,
      reentries: stage.reentries,
      returning: stage.returning,
      left: stage.timeInStage.left,
      stillIn: stage.timeInStage.stillIn,
      medianHours: stage.timeInStage.medianHours,
      p90Hours: stage.timeInStage.p90Hours,
    }));
  return {
    stages: [...figures('any', report.anyOrder), ...figures('strict', report.strictOrder)],
    detours: report.detours.map((detour) => ({
      stage: detour.detour,
      entered: detour.entered,
      reentries: detour.reentries,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Lead flow

export type LeadFlowDigest = {
  label: string;
  leads: number;
  newLeads: number;
  mqls: number;
  invalid: number;
  points: number;
}[];

export async function handLeadFlow(
  db: Database,
  input: { workspaceId: string; agreement: Agreement; period: ReportPeriod; unit: BucketUnit; asOf: Date },
): Promise<LeadFlowDigest> {
  const { workspaceId, agreement, period, asOf, unit } = input;
  const buckets = periodBuckets(period, unit);
  const before = previousBucket(period.from, unit, period.timezone);
  const rows = [
    { label: 'total', from: period.from, to: period.to },
    ...buckets.map((bucket) => ({ label: bucket.label, from: bucket.from, to: bucket.to })),
  ];
  const rank = agreement.stages.map((stage) => stage.id);
  const leadRank = rank.indexOf(leadStageOf(agreement));
  const points = agreement.sla.marketing.gradePoints ?? null;
  const found = await queryRows<{
    label: string;
    leads: Num;
    new_leads: Num;
    mqls: Num;
    invalid: Num;
    points: Num;
  }>(
    db,
    sql`with ${entriesSql(workspaceId, asOf, inPeriod(before.from, period.to))},
        buckets as (select * from jsonb_to_recordset(${json(rows)}::jsonb) as b(label text, "from" timestamptz, "to" timestamptz)),
        became as (
          select person_id, min(at) as at from entries
           where array_position(${rank}::text[], stage) - 1 >= ${leadRank}::int group by 1
        ),
        invalid as (
          select distinct coalesce(c.merged_into_id, c.id) as person_id from feedback f
            join contacts c on c.workspace_id = f.workspace_id and c.id = f.contact_id
           where f.workspace_id = ${workspaceId}::uuid and f.verdict = 'reject' and f.occurred_at <= ${iso(asOf)}::timestamptz
             and f.reason = any(${invalidReasons(agreement)}::text[])
        ),
        mqls as (
          select distinct b.label, e.person_id from entries e
            join buckets b on e.at >= b."from" and e.at < b."to"
           where e.stage = ${agreement.sla.marketing.stage}::text
        )
        select b.label,
               (select count(distinct e.person_id) from entries e
                 where e.stage = ${leadStageOf(agreement)}::text and e.at >= b."from" and e.at < b."to") as leads,
               (select count(*) from became x where x.at >= b."from" and x.at < b."to") as new_leads,
               (select count(*) from mqls m where m.label = b.label) as mqls,
               (select count(*) from mqls m join invalid i using (person_id) where m.label = b.label) as invalid,
               (select coalesce(sum(case when ${json(points)}::jsonb = 'null'::jsonb then 1
                                         else coalesce((${json(points)}::jsonb ->> sc.fit_grade)::int, 0) end), 0)
                  from mqls m left join scores sc on sc.workspace_id = ${workspaceId}::uuid and sc.contact_id = m.person_id
                 where m.label = b.label and m.person_id not in (select person_id from invalid)) as points
          from buckets b`,
  );
  return found.map((row) => ({
    label: row.label,
    leads: num(row.leads) ?? 0,
    newLeads: num(row.new_leads) ?? 0,
    mqls: num(row.mqls) ?? 0,
    invalid: num(row.invalid) ?? 0,
    points: num(row.points) ?? 0,
  }));
}

export function leadFlowDigest(report: LeadFlowReport): LeadFlowDigest {
  return [{ label: 'total', ...report.total }, ...report.rows].map((row) => ({
    label: row.label ?? 'total',
    leads: row.leads,
    newLeads: row.newLeads,
    mqls: row.mqls,
    invalid: row.quality.invalid,
    points: row.quality.points,
  }));
}

// ---------------------------------------------------------------------------------------------
// Waterfall

export type WaterfallDigest = {
  cohorts: { label: string; size: number; reached: string }[];
  flow: { label: string; stage: string; opening: number; inflow: number; outflow: number }[];
};

export async function handWaterfall(
  db: Database,
  input: { workspaceId: string; agreement: Agreement; period: ReportPeriod; unit: BucketUnit; asOf: Date },
): Promise<WaterfallDigest> {
  const { workspaceId, agreement, period, asOf, unit } = input;
  const ids = agreement.stages.map((stage) => stage.id);
  const leadRank = ids.indexOf(leadStageOf(agreement));
  const followed = ids.slice(Math.max(0, leadRank));
  const buckets = periodBuckets(period, unit);
  const asOfEnd = asOf.getTime() + 1;
  // Each cohort's offsets end where the report's do: month ends after it, the running one at asOf.
  const untils = buckets.flatMap((bucket) => {
    const list: { label: string; offset: number; until: string }[] = [];
    let start = bucket.from.getTime();
    let end = bucket.to.getTime();
    for (let offset = 0; offset < 36 && start <= asOf.getTime(); offset++) {
      list.push({ label: bucket.label, offset, until: new Date(Math.min(end, asOfEnd)).toISOString() });
      start = end;
      end = bucketContaining(new Date(end), unit, period.timezone).to.getTime();
    }
    return list;
  });
  const rows = buckets.map((bucket) => ({
    label: bucket.label,
    from: bucket.from.toISOString(),
    to: new Date(Math.min(bucket.to.getTime(), asOfEnd)).toISOString(),
    cohort_to: bucket.to.toISOString(),
  }));
  const stageIds = [...ids, ...agreement.detours.map((detour) => detour.id)];
  const cohorts = await queryRows<{ label: string; size: Num; reached: string | null }>(
    db,
    sql`with ${entriesSql(workspaceId, asOf, sql`t.occurred_at < ${iso(period.to)}::timestamptz`)},
        buckets as (select * from jsonb_to_recordset(${json(rows)}::jsonb) as b(label text, "from" timestamptz, "to" timestamptz, cohort_to timestamptz)),
        untils as (select * from jsonb_to_recordset(${json(untils)}::jsonb) as u(label text, "offset" int, until timestamptz)),
        reach as (
          select e.person_id,
                 min(e.at) filter (where array_position(${ids}::text[], e.stage) - 1 >= ${leadRank}::int) as became,
                 ${{
                   parts: [
                     followed
                       .map(
                         (_, index) =>
                           `min(e.at) filter (where array_position($RANKS, e.stage) - 1 >= ${leadRank + index}) as r${index}`,
                       )
                       .join(', ')
                       .replaceAll(
                         '$RANKS',
                         `array[${ids.map((id) => `'${id.replaceAll("'", "''")}'`).join(',')}]::text[]`,
                       ),
                   ],
                 }}
            from entries e group by 1
        ),
        members as (
          select b.label, r.* from reach r join buckets b on r.became >= b."from" and r.became < b.cohort_to
        ),
        counts as (
          select u.label, u."offset", ${{ parts: [followed.map((_, index) => `count(*) filter (where m.r${index} < u.until) as c${index}`).join(', ')] }}
            from untils u join members m on m.label = u.label group by 1, 2
        )
        select b.label, (select count(*) from members m where m.label = b.label) as size,
               (select string_agg(${{ parts: [followed.map((_, index) => `coalesce(c.c${index}, 0)`).join(" || ',' || ")] }}, ';' order by u."offset")
                  from untils u left join counts c on c.label = u.label and c."offset" = u."offset" where u.label = b.label) as reached
          from buckets b order by b."from"`,
  );
  const moves = await queryRows<{ label: string; stage: string; kind: string; n: Num }>(
    db,
    sql`with ${entriesSql(workspaceId, asOf, sql`t.occurred_at < ${iso(period.to)}::timestamptz`)},
        buckets as (select * from jsonb_to_recordset(${json(rows)}::jsonb) as b(label text, "from" timestamptz, "to" timestamptz, cohort_to timestamptz))
        select b.label, e.stage, 'inflow' as kind, count(*) as n
          from entries e join buckets b on e.at >= b."from" and e.at < b."to" group by 1, 2
        union all
        select b.label, e.previous_stage, 'outflow', count(*)
          from entries e join buckets b on e.at >= b."from" and e.at < b."to"
         where e.previous_stage is not null group by 1, 2
        union all
        select b.label, e.stage, 'opening', count(*)
          from entries e join buckets b on e.at < b."from" and (e.next_ms is null or e.next_ms >= ${msOf('b."from"')})
         group by 1, 2`,
  );
  const figure = (label: string, stage: string, kind: string) =>
    num(moves.find((row) => row.label === label && row.stage === stage && row.kind === kind)?.n) ?? 0;
  const flow = rows.flatMap((row) =>
    stageIds.map((stage) => ({
      label: row.label,
      stage,
      opening: figure(row.label, stage, 'opening'),
      inflow: figure(row.label, stage, 'inflow'),
      outflow: figure(row.label, stage, 'outflow'),
    })),
  );
  return {
    cohorts: cohorts.map((row) => ({
      label: row.label,
      size: num(row.size) ?? 0,
      reached: row.reached ?? '',
    })),
    flow,
  };
}

export function waterfallDigest(report: WaterfallReport): WaterfallDigest {
  return {
    cohorts: report.cohorts.map((cohort) => ({
      label: cohort.label,
      size: cohort.size,
      reached: cohort.offsets
        .map((offset) => report.stages.map((stage) => offset.reached[stage] ?? 0).join(','))
        .join(';'),
    })),
    flow: report.flow.flatMap((row) =>
      row.stages.map((stage) => ({
        label: row.label,
        stage: stage.stage,
        opening: stage.opening,
        inflow: stage.inflow,
        outflow: stage.outflow,
      })),
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// SLA

export type SlaDigest = {
  marketing: { team: string | null; leads: number; invalid: number; value: number | null }[];
  sales: {
    team: string | null;
    handed: number;
    due: number;
    worked: number;
    breaches: number;
    openBreaches: number;
  }[];
};

export async function handSla(
  db: Database,
  input: { workspaceId: string; agreement: Agreement; period: ReportPeriod; asOf: Date },
): Promise<SlaDigest> {
  const { workspaceId, agreement, period, asOf } = input;
  const stage = agreement.sla.marketing.stage;
  const points = agreement.sla.marketing.gradePoints ?? null;
  const marketing = await queryRows<{
    team: string | null;
    total: boolean;
    leads: Num;
    invalid: Num;
    value: Num;
  }>(
    db,
    sql`with ${entriesSql(workspaceId, asOf, sql`${inPeriod(period.from, period.to)} and t.to_stage = ${stage}::text`)},
        delivered as (
          select person_id, min(at) as at from entries
           where stage = ${stage}::text and at >= ${iso(period.from)}::timestamptz and at < ${iso(period.to)}::timestamptz
           group by 1
        ),
        member_of as (
          select id as contact_id, coalesce(merged_into_id, id) as person_id from contacts
           where workspace_id = ${workspaceId}::uuid
        ),
        person_assignments as (
          select d.person_id, d.at as delivered_at, a.team_id, a.assigned_at, a.id
            from delivered d join member_of m using (person_id)
            join assignments a on a.workspace_id = ${workspaceId}::uuid and a.contact_id = m.contact_id
           where a.assigned_at <= ${iso(asOf)}::timestamptz
        ),
        latest_before as (
          select distinct on (person_id) person_id, team_id from person_assignments
           where assigned_at <= delivered_at order by person_id, assigned_at desc, id desc
        ),
        first_of as (
          select distinct on (person_id) person_id, team_id from person_assignments order by person_id, assigned_at, id
        ),
        invalid as (
          select distinct m.person_id from feedback f join member_of m using (contact_id)
           where f.workspace_id = ${workspaceId}::uuid and f.verdict = 'reject' and f.occurred_at <= ${iso(asOf)}::timestamptz
             and f.reason = any(${invalidReasons(agreement)}::text[])
        ),
        handed as (
          select d.person_id,
                 case when b.person_id is not null then b.team_id else f.team_id end as team,
                 i.person_id is not null as invalid, sc.fit_grade
            from delivered d
            left join latest_before b using (person_id)
            left join first_of f using (person_id)
            left join invalid i using (person_id)
            left join scores sc on sc.workspace_id = ${workspaceId}::uuid and sc.contact_id = d.person_id
        )
        select team, grouping(team) = 1 as total, count(*) as leads, count(*) filter (where invalid) as invalid,
               coalesce(sum(case when invalid then 0 when ${json(points)}::jsonb = 'null'::jsonb then 1
                                 else coalesce((${json(points)}::jsonb ->> fit_grade)::int, 0) end), 0) as value
          from handed group by grouping sets ((), (team))`,
  );
  const sales = await queryRows<{
    team: string | null;
    total: boolean;
    handed: Num;
    due: Num;
    worked: Num;
    breaches: Num;
    open_breaches: Num;
  }>(
    db,
    sql`select team_id as team, grouping(team_id) = 1 as total, count(*) as handed,
               count(*) filter (where worked or deadline_at <= ${iso(asOf)}::timestamptz) as due,
               count(*) filter (where worked) as worked,
               count(*) filter (where not worked and deadline_at <= ${iso(asOf)}::timestamptz) as breaches,
               count(*) filter (where not worked and deadline_at <= ${iso(asOf)}::timestamptz and stopped_at is null) as open_breaches
          from (select team_id, deadline_at, stopped_at,
                       (status = 'worked' and stopped_at is not null and stopped_at <= deadline_at) as worked
                  from sla_clocks
                 where workspace_id = ${workspaceId}::uuid and status <> 'cancelled'
                   and started_at >= ${iso(period.from)}::timestamptz and started_at < ${iso(period.to)}::timestamptz) k
         group by grouping sets ((), (team_id))`,
  );
  const sortKey = (team: string | null) => team ?? '';
  return {
    marketing: marketing
      .map((row) => ({
        team: row.total ? 'total' : row.team,
        leads: num(row.leads) ?? 0,
        invalid: num(row.invalid) ?? 0,
        value: num(row.value),
      }))
      .sort((a, b) => sortKey(a.team).localeCompare(sortKey(b.team)) || b.leads - a.leads),
    sales: sales
      .map((row) => ({
        team: row.total ? 'total' : row.team,
        handed: num(row.handed) ?? 0,
        due: num(row.due) ?? 0,
        worked: num(row.worked) ?? 0,
        breaches: num(row.breaches) ?? 0,
        openBreaches: num(row.open_breaches) ?? 0,
      }))
      .sort((a, b) => sortKey(a.team).localeCompare(sortKey(b.team))),
  };
}

export function slaDigest(report: SlaReport): SlaDigest {
  const sortKey = (team: string | null) => team ?? '';
  const total = report.marketing.total;
  return {
    marketing: [
      { team: 'total', leads: total.leads, invalid: total.invalid, value: total.value },
      ...report.marketing.teams
        .filter((team) => team.leads > 0)
        .map((team) => ({ team: team.team, leads: team.leads, invalid: team.invalid, value: team.value })),
    ].sort((a, b) => sortKey(a.team).localeCompare(sortKey(b.team)) || b.leads - a.leads),
    sales: [{ ...report.sales.total, team: 'total' }, ...report.sales.teams.filter((team) => team.handed > 0)]
      .map((figures) => ({
        team: figures.team,
        handed: figures.handed,
        due: figures.due,
        worked: figures.workedWithinDeadline,
        breaches: figures.breaches,
        openBreaches: figures.openBreaches,
      }))
      .sort((a, b) => sortKey(a.team).localeCompare(sortKey(b.team))),
  };
}

// ---------------------------------------------------------------------------------------------
// Clogs

/**
 * The clogs' samples per stage (every main stage but the last) and window: conversion (entries
 * decided in the window, converted) and time in stage (entries, still in the stage, median hours).
 * The tests computed from them are core's on both sides, so they are not compared.
 */
export type ClogsDigest = {
  stage: string;
  metric: string;
  current: Record<string, number | null>;
  baseline: Record<string, number | null>;
}[];

export async function handClogs(
  db: Database,
  input: { workspaceId: string; agreement: Agreement; period: ReportPeriod; asOf: Date },
): Promise<ClogsDigest> {
  const { workspaceId, agreement, period, asOf } = input;
  const windows = clogWindows(period, asOf, defaultClogOptions);
  const h = windows.horizonMs;
  const stages = agreement.stages.map((stage) => stage.id);
  const kinds = [
    { kind: 'dc', from: windows.current.from - h, to: windows.current.to - h },
    { kind: 'db', from: windows.baseline.from - h, to: windows.baseline.to - h },
    { kind: 'ec', from: windows.current.from, to: windows.current.to },
    { kind: 'eb', from: windows.baseline.from, to: windows.baseline.to },
  ].map((w) => ({ kind: w.kind, from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() }));
  const asOfMs = asOf.getTime();
  const found = await queryRows<{
    stage: string;
    kind: string;
    entries: Num;
    converted: Num;
    still_in: Num;
    median: Num;
  }>(
    db,
    sql`with ${entriesSql(workspaceId, asOf, inPeriod(new Date(windows.earliest), period.to))},
        windows as (select * from jsonb_to_recordset(${json(kinds)}::jsonb) as w(kind text, "from" timestamptz, "to" timestamptz)),
        -- Each person's first entry into each stage in each window.
        firsts as (
          select * from (
            select w.kind, e.person_id, e.stage, e.at_ms, e.pos, e.next_ms,
                   row_number() over (partition by w.kind, e.person_id, e.stage order by e.pos) as k
              from entries e join windows w on e.at >= w."from" and e.at < w."to"
             where e.stage = any(${stages.slice(0, -1)}::text[])
          ) x where k = 1
        ),
        -- Converted: a later entry into a later main stage within the horizon, by asOf.
        samples as (
          select f.kind, f.stage, f.person_id,
                 case when f.next_ms <= ${asOfMs}::bigint then f.next_ms - f.at_ms else ${asOfMs}::bigint - f.at_ms end as stay,
                 not coalesce(f.next_ms <= ${asOfMs}::bigint, false) as censored,
                 coalesce(bool_or(array_position(${stages}::text[], l.stage) > array_position(${stages}::text[], f.stage)
                                  and l.at_ms <= f.at_ms + ${h}::bigint and l.at_ms <= ${asOfMs}::bigint), false) as converted
            from firsts f
            left join entries l on l.person_id = f.person_id and l.pos > f.pos
           group by f.kind, f.stage, f.person_id, f.at_ms, f.next_ms
        )
        select stage, kind, count(*) as entries, count(*) filter (where converted) as converted,
               count(*) filter (where censored) as still_in,
               percentile_cont(0.5) within group (order by stay) as median
          from samples group by stage, kind`,
  );
  const side = (
    stage: string,
    kind: string,
    metric: 'conversion' | 'time-in-stage',
  ): { entries: number } & Record<string, number | null> => {
    const row = found.find((candidate) => candidate.stage === stage && candidate.kind === kind);
    const entries = num(row?.entries) ?? 0;
    if (metric === 'conversion') {
      const converted = num(row?.converted) ?? 0;
      return {
        entries,
        converted,
        rate: entries === 0 ? null : Math.round((converted / entries) * 10_000) / 10_000,
      };
    }
    return { entries, medianHours: hours(num(row?.median) ?? 0), stillIn: num(row?.still_in) ?? 0 };
  };
  const minSample = defaultClogOptions.minSample;
  return stages.slice(0, -1).flatMap((stage) =>
    (
      [
        ['conversion', 'dc', 'db'],
        ['time-in-stage', 'ec', 'eb'],
      ] as const
    )
      .map(([metric, current, baseline]) => ({
        stage,
        metric,
        current: side(stage, current, metric),
        baseline: side(stage, baseline, metric),
      }))
      .filter((check) => check.current.entries >= minSample && check.baseline.entries >= minSample),
  );
}

export function clogsDigest(report: ClogReport): ClogsDigest {
  return report.checks
    .filter((check) => check.segment === null)
    .map((check) => ({
      stage: check.stage,
      metric: check.metric,
      current: { ...check.current },
      baseline: { ...check.baseline },
    }));
}

// ---------------------------------------------------------------------------------------------
// Goal tree

/** What the goal tree measured: the window's entries per step, and per month and for the period the entries per stage and the revenue won. */
export type GoalTreeDigest = {
  rates: { from: string; to: string; entered: { from: number; to: number } }[];
  rows: { label: string; revenueWon: number; actual: Record<string, number> }[];
};

export async function handGoalTree(
  db: Database,
  input: { workspaceId: string; agreement: Agreement; period: ReportPeriod & { label: string }; asOf: Date },
): Promise<GoalTreeDigest> {
  const { workspaceId, agreement, period, asOf } = input;
  const window = goalTreeWindow(asOf, agreement.timezone);
  const stages = goalTreeStages(agreement);
  const ranges = [
    { label: 'window', from: window.from, to: window.to },
    { label: 'total', from: period.from, to: period.to },
    ...periodBuckets(period, 'month').map((bucket) => ({
      label: bucket.label,
      from: bucket.from,
      to: bucket.to,
    })),
  ];
  const from = new Date(Math.min(...ranges.map((range) => range.from.getTime())));
  const to = new Date(Math.max(...ranges.map((range) => range.to.getTime())));
  const found = await queryRows<{ label: string; stage: string; people: Num; revenue: Num }>(
    db,
    sql`with ${entriesSql(workspaceId, asOf, inPeriod(from, to))},
        ranges as (select * from jsonb_to_recordset(${json(ranges)}::jsonb) as r(label text, "from" timestamptz, "to" timestamptz)),
        -- A deal's close: its last event of its final kind, else its close date, else its last update.
        won as (
          select d.amount, coalesce(
                   (select max(e.occurred_at) from deal_events e
                     where e.workspace_id = d.workspace_id and e.deal_id = d.id and e.kind = 'won'),
                   d.close_date::timestamp at time zone ${agreement.timezone}::text, d.updated_at) as closed_at
            from deals d
           where d.workspace_id = ${workspaceId}::uuid and d.status = 'won' and d.amount is not null
             and d.created_at <= ${iso(asOf)}::timestamptz
             and coalesce(d.currency, ${agreement.currency}::text) = ${agreement.currency}::text
        ),
        entered as (
          select r.label, e.stage, count(distinct e.person_id) as people
            from entries e join ranges r on e.at >= r."from" and e.at < r."to"
           where e.stage = any(${stages}::text[])
           group by r.label, e.stage
        ),
        revenue as (
          select r.label, coalesce(sum(round(w.amount * 100)), 0) / 100 as revenue
            from ranges r left join won w on w.closed_at >= r."from" and w.closed_at < r."to"
                                        and w.closed_at <= ${iso(asOf)}::timestamptz
           group by r.label
        )
        select v.label, e.stage, e.people, v.revenue from revenue v left join entered e on e.label = v.label`,
  );
  const count = (label: string, stage: string) =>
    num(found.find((row) => row.label === label && row.stage === stage)?.people) ?? 0;
  const revenue = (label: string) => num(found.find((row) => row.label === label)?.revenue) ?? 0;
  return {
    rates: stages.slice(0, -1).map((stage, index) => {
      const next = stages[index + 1] as string;
      return { from: stage, to: next, entered: { from: count('window', stage), to: count('window', next) } };
    }),
    rows: ranges.slice(1).map((range) => ({
      label: range.label,
      revenueWon: revenue(range.label),
      actual: Object.fromEntries(stages.map((stage) => [stage, count(range.label, stage)])),
    })),
  };
}

export function goalTreeDigest(report: GoalTreeReport): GoalTreeDigest {
  const actual = (stages: readonly { stage: string; actual: number }[]) =>
    Object.fromEntries(stages.map((stage) => [stage.stage, stage.actual]));
  return {
    rates: report.rates.map((rate) => ({ from: rate.from, to: rate.to, entered: rate.entered })),
    rows: [
      { label: 'total', revenueWon: report.total.revenueWon, actual: actual(report.total.stages) },
      ...report.months.map((month) => ({
        label: month.label,
        revenueWon: month.revenueWon,
        actual: actual(month.stages),
      })),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Follow-through

/**
 * Per group (the total, each team, each rep with hand-overs): handed, worked, wall-clock hours to
 * the first qualifying touch, attempts in the first days, verdict counts. (Not compared: the
 * business-hours time, which needs each team's calendar, and the reasons' list.)
 */
export type FollowThroughDigest = {
  key: string;
  handed: number;
  worked: number;
  wallClockHours: { median: number | null; p90: number | null };
  attempts: { measured: number; average: number | null; median: number | null; none: number };
  feedback: { accepted: number; rejected: number; recycled: number; pending: number };
}[];

export async function handFollowThrough(
  db: Database,
  input: { workspaceId: string; agreement: Agreement; period: ReportPeriod; asOf: Date },
): Promise<FollowThroughDigest> {
  const { workspaceId, agreement, period, asOf } = input;
  const attemptMs = defaultAttemptDays * 86_400_000;
  const asOfIso = iso(asOf);
  const found = await queryRows<{
    team_id: string | null;
    rep_id: string | null;
    grouping: number;
    handed: Num;
    worked: Num;
    wall_median: Num;
    wall_p90: Num;
    measured: Num;
    attempts_sum: Num;
    attempts_median: Num;
    attempts_none: Num;
    accepted: Num;
    rejected: Num;
    recycled: Num;
  }>(
    db,
    sql`with persons as (
          select c.id as contact_id, coalesce(c.merged_into_id, c.id) as person_id
            from contacts c where c.workspace_id = ${workspaceId}::uuid
        ),
        -- Every hand-over up to asOf (cancelled ones left out); its window ends at the person's next one.
        clocks as (
          select p.person_id, k.team_id, k.rep_id, date_trunc('milliseconds', k.started_at) as at
            from sla_clocks k join persons p on p.contact_id = k.contact_id
           where k.workspace_id = ${workspaceId}::uuid and k.status <> 'cancelled'
             and k.started_at <= ${asOfIso}::timestamptz
        ),
        handed as (
          select * from (
            select row_number() over () as h, c.*,
                   least(coalesce(lead(c.at) over (partition by c.person_id order by c.at), 'infinity'),
                         ${asOfIso}::timestamptz + interval '1 millisecond') as end_at
              from clocks c
          ) w where w.at >= ${iso(period.from)}::timestamptz and w.at < ${iso(period.to)}::timestamptz
        ),
        touched as (
          select p.person_id, t.kind, t.occurred_at as at from touches t join persons p on p.contact_id = t.contact_id
           where t.workspace_id = ${workspaceId}::uuid and t.occurred_at <= ${asOfIso}::timestamptz
        ),
        judged as (
          select p.person_id, f.verdict, f.occurred_at as at from feedback f join persons p on p.contact_id = f.contact_id
           where f.workspace_id = ${workspaceId}::uuid and f.occurred_at <= ${asOfIso}::timestamptz
        ),
        outcomes as (
          select h.h, h.team_id, h.rep_id,
                 floor(extract(epoch from min(t.at) filter (where t.kind = any(${agreement.sla.sales.qualifyingTouches}::text[]))) * 1000)
                   - floor(extract(epoch from h.at) * 1000) as wall_ms,
                 case when h.at + ${attemptMs}::float8 * interval '1 millisecond' <= ${asOfIso}::timestamptz
                      then count(t.at) filter (where t.at < h.at + ${attemptMs}::float8 * interval '1 millisecond') end as attempts
            from handed h left join touched t on t.person_id = h.person_id and t.at >= h.at and t.at < h.end_at
           group by h.h, h.team_id, h.rep_id, h.at
        ),
        verdicts as (
          select distinct on (h.h) h.h, v.verdict
            from handed h join judged v on v.person_id = h.person_id and v.at >= h.at and v.at < h.end_at
           order by h.h, v.at
        )
        select o.team_id, o.rep_id, grouping(o.team_id, o.rep_id) as grouping,
               count(*) as handed, count(o.wall_ms) as worked,
               percentile_cont(0.5) within group (order by o.wall_ms) as wall_median,
               percentile_cont(0.9) within group (order by o.wall_ms) as wall_p90,
               count(o.attempts) as measured, sum(o.attempts) as attempts_sum,
               percentile_cont(0.5) within group (order by o.attempts) as attempts_median,
               count(*) filter (where o.attempts = 0) as attempts_none,
               count(*) filter (where v.verdict = 'accept') as accepted,
               count(*) filter (where v.verdict = 'reject') as rejected,
               count(*) filter (where v.verdict = 'recycle') as recycled
          from outcomes o left join verdicts v on v.h = o.h
         group by grouping sets ((), (o.team_id), (o.team_id, o.rep_id))`,
  );
  const rounded = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
  return found
    .map((row) => {
      const handed = num(row.handed) ?? 0;
      const measured = num(row.measured) ?? 0;
      const [accepted, rejected, recycled] = [row.accepted, row.rejected, row.recycled].map(
        (v) => num(v) ?? 0,
      );
      const level = Number(row.grouping);
      return {
        key: level === 3 ? 'total' : level === 1 ? `team ${row.team_id}` : `rep ${row.team_id} ${row.rep_id}`,
        handed,
        worked: num(row.worked) ?? 0,
        wallClockHours: { median: hours(num(row.wall_median)), p90: hours(num(row.wall_p90)) },
        attempts: {
          measured,
          average: measured === 0 ? null : rounded((num(row.attempts_sum) ?? 0) / measured),
          median: rounded(num(row.attempts_median)),
          none: num(row.attempts_none) ?? 0,
        },
        feedback: {
          accepted: accepted as number,
          rejected: rejected as number,
          recycled: recycled as number,
          pending: handed - (accepted as number) - (rejected as number) - (recycled as number),
        },
      };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function followThroughDigest(report: FollowThroughReport): FollowThroughDigest {
  const digest = (key: string, figures: FollowThroughFigures) => ({
    key,
    handed: figures.handed,
    worked: figures.worked,
    wallClockHours: figures.timeToFirstTouch.wallClockHours,
    attempts: figures.attempts,
    feedback: {
      accepted: figures.feedback.accepted,
      rejected: figures.feedback.rejected,
      recycled: figures.feedback.recycled,
      pending: figures.feedback.pending,
    },
  });
  return [
    digest('total', report.total),
    ...report.teams.filter((team) => team.handed > 0).map((team) => digest(`team ${team.team}`, team)),
    ...report.reps.map((rep) => digest(`rep ${rep.team} ${rep.rep}`, rep)),
  ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Close rates

/** Close rates by source, persona and quadrant (not by campaign), deals, velocity. */
export type CloseRatesDigest = {
  total: { leads: number; customers: number };
  groups: Record<string, { key: string | null; leads: number; customers: number }[]>;
  deals: Record<string, unknown>;
  velocity: {
    to: string;
    moved: number;
    skipped: number;
    days: { median: number | null; p90: number | null };
  }[];
};

export async function handCloseRates(
  db: Database,
  input: { workspaceId: string; agreement: Agreement; period: ReportPeriod; asOf: Date },
): Promise<CloseRatesDigest> {
  const { workspaceId, agreement, period, asOf } = input;
  const stages = agreement.stages.map((stage) => stage.id);
  const leadRank = stages.indexOf(leadStageOf(agreement));
  const customer = stages.at(-1) as string;
  const from = iso(period.from);
  const to = iso(period.to);
  const asOfIso = iso(asOf);
  // Stage ids go into the statement as quoted literals (the agreement's ids are plain words).
  const literal = (stage: string) => `'${stage.replaceAll("'", "''")}'`;
  const previousEntries = stages
    .map((stage, index) => `max(case when stage = ${literal(stage)} then at_ms end) over w as last_${index}`)
    .join(', ');
  const beforeOf = `case stage ${stages
    .slice(1)
    .map((stage, index) => `when ${literal(stage)} then last_${index}`)
    .join(' ')} end`;
  const [cohort, deals, velocity] = await Promise.all([
    queryRows<{ kind: string; key: string | null; leads: Num; customers: Num }>(
      db,
      sql`with ${entriesSql(workspaceId, asOf, inPeriod(period.from, period.to))},
          -- When each person became a lead, and their last entry into the customer stage.
          cohort as (
            select person_id, coalesce(last_customer >= became, false) as customer from (
              select person_id,
                     min(at) filter (where array_position(${stages}::text[], stage) - 1 >= ${leadRank}::int) as became,
                     max(at) filter (where stage = ${customer}::text) as last_customer
                from entries group by person_id
            ) p where became >= ${from}::timestamptz and became < ${to}::timestamptz
          ),
          keyed as (
            select c.customer,
                   nullif(lower(trim(s.traits ->> 'leadSource')), '') as source,
                   nullif(lower(trim(sc.explanation -> 'personas' ->> 0)), '') as persona,
                   nullif(lower(trim(sc.quadrant)), '') as quadrant
              from cohort c
              join contacts s on s.workspace_id = ${workspaceId}::uuid and s.id = c.person_id
              left join scores sc on sc.workspace_id = ${workspaceId}::uuid and sc.contact_id = c.person_id
          )
          select 'total' as kind, null as key, count(*) as leads, count(*) filter (where customer) as customers from keyed
          union all
          select 'source', source, count(*), count(*) filter (where customer) from keyed group by source
          union all
          select 'persona', persona, count(*), count(*) filter (where customer) from keyed group by persona
          union all
          select 'quadrant', quadrant, count(*), count(*) filter (where customer) from keyed group by quadrant`,
    ),
    queryRows<{
      closed: Num;
      won: Num;
      won_cents: Num;
      cycle_median: Num;
      cycle_p90: Num;
      open_created: Num;
    }>(
      db,
      sql`with dated as (
            select d.amount, d.currency, d.status, d.created_at,
                   case when d.status = 'open' then null else coalesce(
                     (select max(e.occurred_at) from deal_events e
                       where e.workspace_id = d.workspace_id and e.deal_id = d.id and e.kind = d.status),
                     d.close_date::timestamp at time zone ${agreement.timezone}::text, d.updated_at) end as closed_at
              from deals d
             where d.workspace_id = ${workspaceId}::uuid and d.created_at <= ${asOfIso}::timestamptz
          ),
          closed as (
            select * from dated where status <> 'open' and closed_at >= ${from}::timestamptz
               and closed_at < ${to}::timestamptz and closed_at <= ${asOfIso}::timestamptz
          )
          select (select count(*) from closed) as closed,
                 (select count(*) from closed where status = 'won') as won,
                 (select coalesce(sum(round(amount * 100)), 0) from closed where status = 'won' and amount is not null
                     and coalesce(currency, ${agreement.currency}::text) = ${agreement.currency}::text) as won_cents,
                 (select percentile_cont(0.5) within group (order by floor(extract(epoch from closed_at) * 1000) - floor(extract(epoch from created_at) * 1000))
                    from closed where status = 'won') as cycle_median,
                 (select percentile_cont(0.9) within group (order by floor(extract(epoch from closed_at) * 1000) - floor(extract(epoch from created_at) * 1000))
                    from closed where status = 'won') as cycle_p90,
                 (select count(*) from dated where created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz
                     and (status = 'open' or closed_at > ${asOfIso}::timestamptz)) as open_created`,
    ),
    queryRows<{ stage: string; moved: Num; skipped: Num; median: Num; p90: Num }>(
      db,
      sql`with ${entriesSql(workspaceId, asOf, inPeriod(period.from, period.to))},
          -- Each entry with the instant of the last entry into each main stage before it.
          marked as (
            select person_id, stage, at, at_ms, pos, ${{ parts: [previousEntries] }}
              from entries
            window w as (partition by person_id order by pos rows between unbounded preceding and 1 preceding)
          ),
          -- The first entry into each stage in the period, and the days since the last entry into the
          -- stage before it (none: skipped).
          timed as (
            select stage, at_ms - before_ms as ms from (
              select stage, at_ms, ${{ parts: [beforeOf] }} as before_ms,
                     row_number() over (partition by person_id, stage order by pos) as k
                from marked
               where at >= ${from}::timestamptz and at < ${to}::timestamptz and stage = any(${stages.slice(1)}::text[])
            ) x where k = 1
          )
          select stage, count(ms) as moved, count(*) filter (where ms is null) as skipped,
                 percentile_cont(0.5) within group (order by ms) as median,
                 percentile_cont(0.9) within group (order by ms) as p90
            from timed group by stage`,
    ),
  ]);
  const days = (ms: Num | undefined) => {
    const value = num(ms);
    return value === null ? null : Math.round((value / 86_400_000) * 100) / 100;
  };
  const groups = (kind: string) =>
    cohort
      .filter((row) => row.kind === kind)
      .map((row) => ({ key: row.key, leads: num(row.leads) ?? 0, customers: num(row.customers) ?? 0 }))
      .sort(
        (a, b) =>
          b.leads - a.leads ||
          (a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1),
      );
  const total = cohort.find((row) => row.kind === 'total');
  const dealRow = deals[0];
  const closed = num(dealRow?.closed) ?? 0;
  const won = num(dealRow?.won) ?? 0;
  return {
    total: { leads: num(total?.leads) ?? 0, customers: num(total?.customers) ?? 0 },
    groups: { source: groups('source'), persona: groups('persona'), quadrant: groups('quadrant') },
    deals: {
      closed,
      won,
      lost: closed - won,
      wonAmount: (num(dealRow?.won_cents) ?? 0) / 100,
      salesCycleDays: { median: days(dealRow?.cycle_median), p90: days(dealRow?.cycle_p90) },
      openCreated: num(dealRow?.open_created) ?? 0,
    },
    velocity: stages.slice(1).map((stage) => {
      const row = velocity.find((candidate) => candidate.stage === stage);
      return {
        to: stage,
        moved: num(row?.moved) ?? 0,
        skipped: num(row?.skipped) ?? 0,
        days: { median: days(row?.median), p90: days(row?.p90) },
      };
    }),
  };
}

export function closeRatesDigest(report: CloseRatesReport): CloseRatesDigest {
  const groups = (list: readonly { key: string | null; leads: number; customers: number }[]) =>
    list.map(({ key, leads, customers }) => ({ key, leads, customers }));
  const { deals } = report;
  return {
    total: { leads: report.closeRates.total.leads, customers: report.closeRates.total.customers },
    groups: {
      source: groups(report.closeRates.bySource),
      persona: groups(report.closeRates.byPersona),
      quadrant: groups(report.closeRates.byQuadrant),
    },
    deals: {
      closed: deals.closed,
      won: deals.won,
      lost: deals.lost,
      wonAmount: deals.wonAmount,
      salesCycleDays: deals.salesCycleDays,
      openCreated: deals.openCreated,
    },
    velocity: report.velocity.map(({ to, moved, skipped, days }) => ({ to, moved, skipped, days })),
  };
}

// ---------------------------------------------------------------------------------------------
// Attribution

/** What attribution credited: the deals and their revenue, each model's credits per source and per campaign, and ROI. */
export type AttributionDigest = {
  total: { deals: number; revenue: number; credited: ModelFigures };
  excluded: { otherCurrency: number; noAmount: number };
  bySource: AttributionRow[];
  byCampaign: AttributionRow[];
  roi: { byCampaign: RoiRow[]; bySource: RoiRow[]; spendExcluded: number };
};

/** UTM values as written in URLs (`%20`, `+`); a malformed escape is kept as it is. */
function decodeUrlValue(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}

/** A source or campaign as compared: trimmed, lower case, the fallback when empty. */
const keyOf = (value: string | null, fallback: string) => value?.trim().toLowerCase() || fallback;

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const modelFigures = <T = number>(of: (model: AttributionModel) => T): Record<AttributionModel, T> =>
  Object.fromEntries(attributionModels.map((model) => [model, of(model)])) as Record<AttributionModel, T>;

/**
 * Attribution from the base tables: the won deals (their won event, else local midnight of their
 * close date, else their last update) in the period; each deal's touchpoints, the activities naming
 * a source or campaign of its person (merged contacts included) and of its account's people, at or
 * before its creation (none: its person's lead source); each split to the cent under the six models
 * (W-shaped's middle key: the last touchpoint up to when the person first moved into the lead stage
 * or a later one, up to asOf) with window functions; spend pro-rated by its local days.
 */
export async function handAttribution(
  db: Database,
  input: { workspaceId: string; agreement: Agreement; period: ReportPeriod; asOf: Date },
): Promise<AttributionDigest> {
  const { workspaceId, agreement, period, asOf } = input;
  const currency = agreement.currency;
  const ids = agreement.stages.map((stage) => stage.id);
  const leadStages = ids.slice(Math.max(0, ids.indexOf(leadStageOf(agreement))));
  const asOfIso = iso(asOf);
  const ms = (column: Fragment) => sql`floor(extract(epoch from ${column}) * 1000)::bigint`;
  const url = sql`a.context -> 'page' ->> 'url'`;
  const [credits, spend] = await Promise.all([
    queryRows<{
      kind: 'total' | 'source' | 'campaign' | 'deals';
      key: string | null;
      decoded: boolean | null;
      model: AttributionModel | null;
      cents: Num;
      points: Num;
      deals: Num;
      no_amount: Num;
      other_currency: Num;
    }>(
      db,
      sql`with won as (
            -- The won deals up to asOf, with their person and account (the deal's, else its contact's),
            -- won at their last won event, else local midnight of their close date, else their last update.
            select d.contact_id, d.id, coalesce(c.merged_into_id, c.id) as person_id,
                   coalesce(d.account_id, c.account_id) as account_id, d.amount, d.currency,
                   ${ms(sql`d.created_at`)} as created_ms,
                   ${ms(sql`coalesce(e.won_at, d.close_date::timestamp at time zone ${agreement.timezone}::text, d.updated_at)`)} as won_ms
              from deals d
              join contacts c on c.workspace_id = d.workspace_id and c.id = d.contact_id
              left join (select contact_id, deal_id, max(occurred_at) as won_at from deal_events
                          where workspace_id = ${workspaceId}::uuid and kind = 'won' group by contact_id, deal_id) e
                     on e.contact_id = d.contact_id and e.deal_id = d.id
             where d.workspace_id = ${workspaceId}::uuid and d.status = 'won' and d.created_at <= ${asOfIso}::timestamptz
          ),
          won_in_period as (
            select * from won
             where won_ms >= ${period.from.getTime()}::bigint and won_ms < ${period.to.getTime()}::bigint
               and won_ms <= ${asOf.getTime()}::bigint
          ),
          -- The deals credited (with an amount, in the agreement currency), with when their person
          -- became a lead (its first move, on any of its contacts, into the lead stage or a later
          -- one) and its lead source and campaign traits.
          credited as (
            select w.contact_id as deal_contact_id, w.id as deal_id, w.person_id as deal_person_id, w.account_id,
                   w.created_ms, round(w.amount * 100)::bigint as cents,
                   s.traits ->> 'leadSource' as lead_source, s.traits ->> 'campaign' as lead_campaign,
                   (select ${ms(sql`min(t.occurred_at)`)}
                      from contacts m
                      join stage_transitions t on t.workspace_id = m.workspace_id and t.contact_id = m.id
                     where m.workspace_id = ${workspaceId}::uuid and (m.id = w.person_id or m.merged_into_id = w.person_id)
                       and t.to_stage = any(${leadStages}::text[]) and t.occurred_at <= ${asOfIso}::timestamptz) as lead_ms
              from won_in_period w
              join contacts s on s.workspace_id = ${workspaceId}::uuid and s.id = w.person_id
             where w.amount is not null and coalesce(w.currency, ${currency}::text) = ${currency}::text
          ),
          -- Whose activities count for each deal: its person's and its account's people's (the account's
          -- contacts not merged into another), each with the contacts merged into it.
          reach as (
            select d.*, d.deal_person_id as person_id from credited d
            union
            select d.*, p.id from credited d
              join contacts p on p.workspace_id = ${workspaceId}::uuid and p.account_id = d.account_id and p.merged_into_id is null
          ),
          reach_contacts as (
            select r.*, r.person_id as contact_id from reach r
            union all
            select r.*, c.id from reach r
              join contacts c on c.workspace_id = ${workspaceId}::uuid and c.merged_into_id = r.person_id
          ),
          -- Each deal's touchpoints: those activities, at or before the deal's creation, that name a
          -- source or a campaign (context.campaign, else the page URL's UTM parameters).
          points as (
            select * from (
              select r.*, a.id as activity_id, a.occurred_at, ${ms(sql`a.occurred_at`)} as at_ms,
                     coalesce(nullif(a.context -> 'campaign' ->> 'source', ''),
                              substring(${url} from '[?&]utm_source=([^&#]*)')) as source,
                     coalesce(nullif(a.context -> 'campaign' ->> 'name', ''),
                              substring(${url} from '[?&]utm_campaign=([^&#]*)')) as campaign
                from reach_contacts r
                join activities a on a.workspace_id = ${workspaceId}::uuid and a.contact_id = r.contact_id
            ) x where at_ms <= created_ms and (source is not null or campaign is not null)
          ),
          -- A deal without any has one point: its person's lead source (and campaign trait), not URL-escaped.
          all_points as (
            select deal_contact_id, deal_id, cents, created_ms, lead_ms, person_id, contact_id, activity_id, occurred_at,
                   at_ms, source, campaign, true as decoded
              from points
            union all
            select deal_contact_id, deal_id, cents, created_ms, lead_ms, deal_person_id, null, null, null,
                   created_ms, lead_source, lead_campaign, false
              from credited
             where (deal_contact_id, deal_id) not in (select deal_contact_id, deal_id from points)
          ),
          -- Each deal's points in time order (ties: by person, then by activity), counted, with those up to
          -- its person's lead creation, and their time-decay weights.
          ordered as (
            select p.*, row_number() over w - 1 as idx,
                   count(*) over (partition by deal_contact_id, deal_id) as n,
                   count(*) filter (where at_ms <= lead_ms) over (partition by deal_contact_id, deal_id) as up_to_lead,
                   power(0.5::float8, greatest(0::float8, (created_ms - at_ms)::float8 / 86400000::float8)
                                      / ${defaultHalfLifeDays}::float8) as decay
              from all_points p
            window w as (partition by deal_contact_id, deal_id order by at_ms, person_id, occurred_at, contact_id, activity_id)
          ),
          -- W-shaped's keys: the first point, the last at or before the lead creation (else the first), the last.
          keyed as (
            select o.*, greatest(up_to_lead - 1, 0) as lead_idx,
                   sum(decay) over (partition by deal_contact_id, deal_id order by idx
                                    rows between unbounded preceding and unbounded following) as decay_total
              from ordered o
          ),
          marked as (
            select k.*, (idx = 0)::int + (idx = lead_idx)::int + (idx = n - 1)::int as key_count,
                   n - 2 - (lead_idx <> 0 and lead_idx <> n - 1)::int as others
              from keyed k
          ),
          -- Each point's share of its deal under each model, and its floor of cents.
          shares as (
            select m.*, x.model,
                   case when n = 1 then 1::float8
                     else case x.model
                       when 'firstTouch' then (idx = 0)::int::float8
                       when 'lastTouch' then (idx = n - 1)::int::float8
                       when 'linear' then 1::float8 / n::float8
                       when 'uShaped' then case when n = 2 then 0.5::float8
                                                when idx = 0 or idx = n - 1 then 0.4::float8
                                                else 0.2::float8 / (n - 2)::float8 end
                       when 'wShaped' then case
                         when key_count = 0 then 0.1::float8 / others::float8
                         when others > 0 and key_count = 1 then 0.3::float8
                         when others > 0 then 0.3::float8 + 0.3::float8
                         -- No others: the 10 % over the three keys (a key twice gets it twice).
                         when key_count = 1 then 0.3::float8 + 0.1::float8 / 3::float8
                         else 0.3::float8 + 0.3::float8 + 0.1::float8 / 3::float8 + 0.1::float8 / 3::float8 end
                       when 'timeDecay' then decay / decay_total
                     end end as share
              from marked m
             cross join unnest(${[...attributionModels]}::text[]) as x(model)
          ),
          floored as (
            select s.*, floor(share * cents::float8 + 1e-9::float8) as part,
                   share * cents::float8 - floor(share * cents::float8 + 1e-9::float8) as fraction
              from shares s
          ),
          -- The cents the floors leave go one each to the largest fractions (ties: the earlier point), round after round.
          split as (
            select f.*, cents - sum(part) over (partition by deal_contact_id, deal_id, model) as left_over,
                   row_number() over (partition by deal_contact_id, deal_id, model order by fraction desc, idx) - 1 as place
              from floored f
          ),
          credits as (
            select source, campaign, decoded, model,
                   part::bigint + case when left_over > 0
                                       then floor(left_over / n)::bigint + (place < left_over::bigint % n)::int else 0 end as cents
              from split
          )
          select case when grouping(source) = 0 then 'source' when grouping(campaign) = 0 then 'campaign' else 'total' end as kind,
                 case when grouping(source) = 0 then source else campaign end as key, decoded, model, sum(cents) as cents, count(*) as points,
                 null as deals, null as no_amount, null as other_currency
            from credits
           group by grouping sets ((model), (model, source, decoded), (model, campaign, decoded))
          union all
          select 'deals', null, null, null, (select coalesce(sum(cents), 0) from credited), null,
                 (select count(*) from credited),
                 count(*) filter (where amount is null),
                 count(*) filter (where amount is not null and coalesce(currency, ${currency}::text) <> ${currency}::text)
            from won_in_period`,
    ),
    queryRows<{ kind: 'campaign' | 'source' | 'excluded'; key: string | null; cents: Num }>(
      db,
      sql`with bounds as (
            select (${iso(period.from)}::timestamptz at time zone ${agreement.timezone}::text)::date as from_day,
                   (${iso(period.to)}::timestamptz at time zone ${agreement.timezone}::text)::date as to_day
          ),
          -- The spend rows whose days overlap the period's local days, with how many of their days
          -- start (local midnight) inside the period.
          spend as (
            select s.campaign, s.source, s.currency, s.amount, s.period_end - s.period_start + 1 as days,
                   (select count(*)
                      from generate_series(greatest(s.period_start, b.from_day)::timestamp, least(s.period_end, b.to_day)::timestamp,
                                     interval '1 day') g(day)
                     where g.day at time zone ${agreement.timezone}::text >= ${iso(period.from)}::timestamptz
                       and g.day at time zone ${agreement.timezone}::text < ${iso(period.to)}::timestamptz) as inside
              from campaign_spend s cross join bounds b
             where s.workspace_id = ${workspaceId}::uuid and s.period_end >= b.from_day and s.period_start <= b.to_day
          ),
          -- Each row's amount pro-rated by that share of its days, to the cent.
          pro_rated as (
            select campaign, source,
                   floor(amount::float8 * 100::float8 * (inside::float8 / days::float8) + 0.5::float8) as cents
              from spend where currency = ${currency}::text and inside > 0
          )
          select 'campaign' as kind, campaign as key, sum(cents) as cents from pro_rated group by campaign
          union all
          select 'source', source, sum(cents) from pro_rated group by source
          union all
          select 'excluded', null, count(*) from spend where currency <> ${currency}::text`,
    ),
  ]);
  // The keys are compared as the report compares them (URL-escapes decoded, trimmed, lower case),
  // which SQL has no function for: the few groups are merged under those keys here.
  const tables = {
    source: new Map<string, { touchpoints: number; cents: ModelFigures }>(),
    campaign: new Map<string, { touchpoints: number; cents: ModelFigures }>(),
  };
  const credited = modelFigures(() => 0);
  const totals = { deals: 0, revenueCents: 0, noAmount: 0, otherCurrency: 0 };
  for (const row of credits) {
    if (row.kind === 'deals') {
      totals.deals = num(row.deals) ?? 0;
      totals.revenueCents = num(row.cents) ?? 0;
      totals.noAmount = num(row.no_amount) ?? 0;
      totals.otherCurrency = num(row.other_currency) ?? 0;
      continue;
    }
    const model = row.model as AttributionModel;
    const cents = num(row.cents) ?? 0;
    if (row.kind === 'total') {
      credited[model] = cents;
      continue;
    }
    const raw = row.key !== null && row.decoded ? decodeUrlValue(row.key) : row.key;
    const key = keyOf(raw, row.kind === 'source' ? '(unknown)' : '(none)');
    const group = tables[row.kind].get(key) ?? { touchpoints: 0, cents: modelFigures(() => 0) };
    group.cents[model] += cents;
    if (model === 'linear') group.touchpoints += num(row.points) ?? 0;
    tables[row.kind].set(key, group);
  }
  const money = (cents: ModelFigures) => modelFigures((model) => cents[model] / 100);
  const table = (groups: Map<string, { touchpoints: number; cents: ModelFigures }>): AttributionRow[] =>
    [...groups]
      .map(([key, group]) => ({ key, touchpoints: group.touchpoints, revenue: money(group.cents) }))
      .sort((a, b) => b.revenue.linear - a.revenue.linear || byKey(a, b));
  const bySource = table(tables.source);
  const byCampaign = table(tables.campaign);

  const spent = { campaign: new Map<string, number>(), source: new Map<string, number>() };
  let spendExcluded = 0;
  for (const row of spend) {
    if (row.kind === 'excluded') {
      spendExcluded = num(row.cents) ?? 0;
      continue;
    }
    // Spend names are not URL-escaped; a row without a source counts for its campaign only.
    if (row.kind === 'source' && (row.key ?? '').trim() === '') continue;
    const key = keyOf(row.key, row.kind === 'source' ? '(unknown)' : '(none)');
    spent[row.kind].set(key, (spent[row.kind].get(key) ?? 0) + (num(row.cents) ?? 0));
  }
  const roi = (spentOn: Map<string, number>, revenue: readonly AttributionRow[]): RoiRow[] =>
    [...spentOn]
      .map(([key, cents]) => ({ key, cents }))
      .sort(byKey)
      .map(({ key, cents }) => {
        const earned = revenue.find((row) => row.key === key)?.revenue ?? modelFigures(() => 0);
        const amount = cents / 100;
        const rate = (value: number) =>
          amount === 0 ? null : Math.round((value / amount) * 10_000) / 10_000;
        return {
          key,
          spend: amount,
          revenue: earned,
          returnOnSpend: modelFigures((model) => rate(earned[model])),
          roi: modelFigures((model) => rate(earned[model] - amount)),
        };
      });
  return {
    total: { deals: totals.deals, revenue: totals.revenueCents / 100, credited: money(credited) },
    excluded: { otherCurrency: totals.otherCurrency, noAmount: totals.noAmount },
    bySource,
    byCampaign,
    roi: {
      byCampaign: roi(spent.campaign, byCampaign),
      bySource: roi(spent.source, bySource),
      spendExcluded,
    },
  };
}

export function attributionDigest(report: AttributionReport): AttributionDigest {
  const rows = (list: readonly AttributionRow[]) =>
    list.map(({ key, touchpoints, revenue }) => ({ key, touchpoints, revenue: { ...revenue } }));
  const roi = (list: readonly RoiRow[]) =>
    list.map(({ key, spend, revenue, returnOnSpend, roi }) => ({
      key,
      spend,
      revenue: { ...revenue },
      returnOnSpend: { ...returnOnSpend },
      roi: { ...roi },
    }));
  return {
    total: {
      deals: report.total.deals,
      revenue: report.total.revenue,
      credited: { ...report.total.credited },
    },
    excluded: { otherCurrency: report.excluded.otherCurrency, noAmount: report.excluded.noAmount },
    bySource: rows(report.bySource),
    byCampaign: rows(report.byCampaign),
    roi: {
      byCampaign: roi(report.roi.byCampaign),
      bySource: roi(report.roi.bySource),
      spendExcluded: report.roi.spendExcluded,
    },
  };
}
