import type { Database } from '../../packages/server/src/db/client.ts';
import { execute, queryRows, sql } from './engine-sql.ts';

/**
 * A workspace for the reports bench, written set-based (generate_series, INSERT … SELECT) instead
 * of through the API, so a million contacts take minutes. One plan row per contact decides, with
 * random draws, how far it gets through the default agreement's funnel over a year, and every fact
 * the reports read is derived from it:
 *
 * - contacts with traits the segments filter on (leadSource, country, industry); one in a hundred
 *   merged into the contact before it (its transitions stay keyed by its own id, so its start is a
 *   second start of the same person, which the reports must not count);
 * - stage transitions: subscriber → lead (60 %) → mql (40 % of leads; 5 % of the others jump
 *   straight to mql, which strict order leaves out) → sql (50 %) / recycled (15 %, back to lead 30
 *   days later, a third of them qualified again: re-entries) / disqualified (10 %); sql →
 *   opportunity (50 %) / recycled (10 %); opportunity → customer (40 %) / lost (35 %, back to
 *   lead 60 days later);
 * - an assignment, an SLA clock (72 % worked within 24 h, 13 % worked late, 15 % never worked;
 *   merged contacts' clocks cancelled) and a touch for each worked clock, per MQL entry;
 * - feedback (accept at sql, reject with a reason at disqualified, recycle), deals (opened at
 *   opportunity, won or lost with the customer or lost move), scores and contact states;
 * - `activitiesPerContact` activities per contact (10 by default: 1M contacts, 10M activities) in
 *   the months after it arrived, a fifth of them touchpoints (naming a campaign and source, in
 *   `context.campaign` or as UTM parameters of the page URL), which close rates and attribution
 *   read; the rest make the tables the size of a real workspace.
 *
 * Instants are whole seconds, between `startMs` and `startMs + 365 days`, none after `endMs`.
 */
export type ReportFillPlan = {
  workspaceId: string;
  contacts: number;
  activitiesPerContact?: number;
  startMs: number;
  /** No fact after this instant (the bench's asOf). */
  endMs: number;
  chunk?: number;
  log?: (line: string) => void;
};

export type ReportFilled = Record<
  | 'contacts'
  | 'merged'
  | 'transitions'
  | 'assignments'
  | 'clocks'
  | 'touches'
  | 'feedback'
  | 'deals'
  | 'activities',
  number
>;

const reps = ['alex', 'sam', 'riley', 'taylor', 'jamie', 'morgan', 'casey', 'drew'];
const sources = ['webinar', 'organic', 'paid-search', 'referral', 'event'];
const countries = ['US', 'DE', 'FR', 'GB', 'CA', 'NL'];
const industries = ['Software', 'Financial Services', 'E-commerce', 'Manufacturing', 'Healthcare'];
const rejectReasons = ['spam', 'duplicate', 'no-budget', 'not-icp', 'student', 'no-budget'];
const activityTypes = [
  ['page', 'Blog', 'page-viewed'],
  ['page', 'Blog', 'page-viewed'],
  ['page', 'Blog', 'page-viewed'],
  ['page', 'Pricing', 'pricing-viewed'],
  ['track', 'Content Downloaded', 'content-downloaded'],
  ['track', 'Email Link Clicked', 'email-clicked'],
  ['track', 'Email Link Clicked', 'email-clicked'],
  ['track', 'Form Submitted', 'form-submitted'],
  ['track', 'Webinar Registered', 'webinar-registered'],
  ['track', 'Demo Requested', 'demo-requested'],
];

const day = 86_400;
const json = (value: unknown) => JSON.stringify(value);

export async function fillReportWorkspace(db: Database, plan: ReportFillPlan): Promise<ReportFilled> {
  const ws = plan.workspaceId;
  const chunk = plan.chunk ?? 100_000;
  const perContact = plan.activitiesPerContact ?? 10;
  const startS = Math.floor(plan.startMs / 1000);
  const endS = Math.floor(plan.endMs / 1000);
  const spanS = 365 * day;
  const n = plan.contacts;
  const log = plan.log ?? (() => {});

  await execute(db, sql`drop table if exists bench_report_plan`);
  // Every instant is in seconds since the epoch; null when the contact never got there.
  await execute(
    db,
    sql`create unlogged table bench_report_plan (
          g int primary key, id uuid not null, merged_into uuid, team text not null, rep text not null,
          t_sub float8 not null, t_lead float8, t_mql float8, t_after_mql text, t_next float8,
          t_back float8, t_mql2 float8, t_after_sql text, t_next2 float8, t_back2 float8,
          t_after_opp text, t_next3 float8, t_back3 float8, clock_r float8 not null, clock_r2 float8 not null)`,
  );
  for (let from = 1; from <= n; from += chunk) {
    const to = Math.min(n, from + chunk - 1);
    await execute(
      db,
      sql`insert into bench_report_plan
          select g, md5(${ws} || ':rc:' || g)::uuid,
                 case when g % 100 = 7 then md5(${ws} || ':rc:' || (g - 1))::uuid end,
                 case when g % 10 = 0 then 'enterprise-sales' else 'inside-sales' end,
                 ${json(reps)}::jsonb ->> (g % ${reps.length}),
                 t_sub, t_lead, t_mql, after_mql, t_next, t_back, t_mql2, after_sql, t_next2, t_back2,
                 after_opp, t_next3, t_back3, random(), random()
            from (select g, t_sub, t_lead, t_mql,
                         case when t_mql is null then null when r3 < 0.5 then 'sql' when r3 < 0.65 then 'recycled'
                              when r3 < 0.75 then 'disqualified' end as after_mql,
                         case when t_mql is not null and r3 < 0.75 then t_mql + floor(random() * ${10 * day}) end as t_next,
                         case when t_mql is not null and r3 >= 0.5 and r3 < 0.65 then 30 * ${day} end as t_back,
                         case when t_mql is not null and r3 >= 0.5 and r3 < 0.55 then floor(random() * ${20 * day}) end as t_mql2,
                         case when t_mql is null or r3 >= 0.5 then null when r4 < 0.5 then 'opportunity'
                              when r4 < 0.6 then 'recycled' end as after_sql,
                         floor(random() * ${20 * day}) as t_next2,
                         case when r4 >= 0.5 and r4 < 0.6 then 30 * ${day} end as t_back2,
                         case when r5 < 0.4 then 'customer' when r5 < 0.75 then 'lost' end as after_opp,
                         floor(random() * ${60 * day}) as t_next3,
                         case when r5 >= 0.4 and r5 < 0.75 then 60 * ${day} end as t_back3
                    from (select g, t_sub, r3, r4, r5,
                                 case when r1 < 0.6 then t_sub + floor(random() * ${30 * day}) end as t_lead,
                                 case when r1 < 0.6 and r2 < 0.4 then t_sub + ${30 * day} + floor(random() * ${20 * day})
                                      when r1 >= 0.6 and r2 < 0.05 then t_sub + floor(random() * ${10 * day}) end as t_mql
                            from (select g, ${startS}::float8 + floor(${spanS}::float8 * (g - 1) / ${n} + random() * ${day}) as t_sub,
                                         random() as r1, random() as r2, random() as r3, random() as r4, random() as r5
                                    from generate_series(${from}::int, ${to}::int) g) a) b) c`,
    );
  }
  await execute(db, sql`analyze bench_report_plan`);
  log(`  plan of ${n.toLocaleString('en')} contacts written`);

  for (let from = 1; from <= n; from += chunk) {
    const to = Math.min(n, from + chunk - 1);
    const range = sql`p.g between ${from}::int and ${to}::int`;
    await execute(
      db,
      sql`insert into contacts (workspace_id, id, email, traits, merged_into_id, created_at, updated_at)
          select ${ws}::uuid, p.id, 'person' || p.g || '@co' || (p.g % 50000) || '.example',
                 jsonb_build_object('firstName', 'First' || p.g, 'lastName', 'Last' || p.g,
                   'leadSource', ${json(sources)}::jsonb ->> (p.g % ${sources.length}),
                   'country', ${json(countries)}::jsonb ->> ((p.g / 7) % ${countries.length}),
                   'industry', ${json(industries)}::jsonb ->> ((p.g / 3) % ${industries.length})),
                 p.merged_into, to_timestamp(p.t_sub), to_timestamp(p.t_sub)
            from bench_report_plan p where ${range}`,
    );
    // The steps of each contact in order; a step's from is the step before it.
    await execute(
      db,
      sql`insert into stage_transitions (workspace_id, contact_id, id, from_stage, to_stage, occurred_at,
                                         recorded_at, cause, rule_id, agreement_version)
          select ${ws}::uuid, s.id, md5(s.id::text || ':t:' || s.k)::uuid,
                 lag(s.stage) over (partition by s.id order by s.k), s.stage,
                 to_timestamp(s.at), to_timestamp(s.at), 'rule', 'bench', 1
            from (select p.id, v.k, v.stage, v.at from bench_report_plan p
                  cross join lateral (values
                    (1, 'subscriber', p.t_sub),
                    (2, 'lead', p.t_lead),
                    (3, 'mql', p.t_mql),
                    (4, p.t_after_mql, p.t_next),
                    (5, 'lead', p.t_next + p.t_back),
                    (6, 'mql', p.t_next + p.t_back + p.t_mql2),
                    (7, p.t_after_sql, p.t_next + p.t_next2),
                    (8, 'lead', p.t_next + p.t_next2 + p.t_back2),
                    (9, case when p.t_after_sql = 'opportunity' then p.t_after_opp end, p.t_next + p.t_next2 + p.t_next3),
                    (10, 'lead', case when p.t_after_sql = 'opportunity' then p.t_next + p.t_next2 + p.t_next3 + p.t_back3 end)
                  ) v(k, stage, at)
                 where ${range} and v.stage is not null and v.at is not null and v.at <= ${endS}) s`,
    );
    // One hand-over per MQL entry: assignment, clock, and a touch when the clock was worked.
    const handOvers = sql`(select p.g, p.id, p.merged_into, p.team, p.rep, h.k, h.at,
                                  case when r < 0.72 then 'worked' else 'breached' end as status,
                                  case when r < 0.72 then h.at + floor(r / 0.72 * 20 * 3600)
                                       when r < 0.85 then h.at + 24 * 3600 + floor((r - 0.72) * 48 * 3600 / 0.13) end as stopped
                             from bench_report_plan p
                             cross join lateral (values (1, p.t_mql, p.clock_r), (2, p.t_next + p.t_back + p.t_mql2, p.clock_r2)) h(k, at, r)
                            where ${range} and h.at is not null and h.at <= ${endS})`;
    await execute(
      db,
      sql`insert into assignments (workspace_id, contact_id, id, rep_id, team_id, reason_kind, reason, assigned_at, agreement_version)
          select ${ws}::uuid, h.id, md5(h.id::text || ':a:' || h.k)::uuid, h.rep, h.team, 'rule', 'bench', to_timestamp(h.at), 1
            from ${handOvers} h`,
    );
    await execute(
      db,
      sql`insert into sla_clocks (workspace_id, contact_id, id, rep_id, team_id, quadrant, started_at, deadline_at,
                                  business_hours, status, stopped_at, stop_cause, breached_at, agreement_version)
          select ${ws}::uuid, h.id, md5(h.id::text || ':k:' || h.k)::uuid, h.rep, h.team, 'hot', to_timestamp(h.at),
                 to_timestamp(h.at + 86400), false,
                 case when h.merged_into is not null then 'cancelled'
                      when h.at + 86400 > ${endS} and h.stopped is null then 'open' else h.status end,
                 case when h.stopped <= ${endS} then to_timestamp(h.stopped) end,
                 case when h.stopped <= ${endS} then 'touch' end,
                 case when h.status = 'breached' and h.at + 86400 <= ${endS} then to_timestamp(h.at + 86400) end, 1
            from ${handOvers} h`,
    );
    await execute(
      db,
      sql`insert into touches (workspace_id, contact_id, id, rep_id, kind, occurred_at, recorded_at, source)
          select ${ws}::uuid, h.id, md5(h.id::text || ':touch:' || h.k)::uuid, h.rep,
                 case when h.g % 3 = 0 then 'call' else 'email' end, to_timestamp(h.stopped), to_timestamp(h.stopped), 'bench'
            from ${handOvers} h where h.stopped <= ${endS}`,
    );
    await execute(
      db,
      sql`insert into feedback (workspace_id, contact_id, id, rep_id, verdict, reason, occurred_at, recorded_at)
          select ${ws}::uuid, f.id, md5(f.id::text || ':f:' || f.k)::uuid, f.rep, f.verdict, f.reason,
                 to_timestamp(f.at), to_timestamp(f.at)
            from (select p.id, p.rep, v.k, v.verdict, v.reason, v.at from bench_report_plan p
                  cross join lateral (values
                    (1, case p.t_after_mql when 'sql' then 'accept' when 'recycled' then 'recycle'
                                           when 'disqualified' then 'reject' end,
                        case p.t_after_mql when 'recycled' then 'no-response'
                                           when 'disqualified' then ${json(rejectReasons)}::jsonb ->> (p.g % ${rejectReasons.length}) end,
                        p.t_next),
                    (2, case when p.t_after_sql = 'recycled' then 'recycle' end, 'not-now', p.t_next + p.t_next2)
                  ) v(k, verdict, reason, at)
                 where ${range} and v.verdict is not null and v.at <= ${endS}) f`,
    );
    await execute(
      db,
      sql`insert into deals (workspace_id, contact_id, id, name, amount, currency, stage, status, reason, created_at, close_date, updated_at)
          select ${ws}::uuid, d.id, md5(d.id::text || ':deal')::uuid, 'Deal ' || d.g, 5000 + (d.g % 40) * 1000, 'USD',
                 case d.status when 'won' then 'closed-won' when 'lost' then 'closed-lost' else 'proposal' end,
                 d.status, case when d.status = 'lost' then 'price' end, to_timestamp(d.opened),
                 case when d.status <> 'open' then to_timestamp(d.closed)::date end,
                 to_timestamp(case when d.status <> 'open' then d.closed else d.opened end)
            from (select p.g, p.id, p.t_next + p.t_next2 as opened, p.t_next + p.t_next2 + p.t_next3 as closed,
                         case when p.t_next + p.t_next2 + p.t_next3 > ${endS} or p.t_after_opp is null then 'open'
                              when p.t_after_opp = 'customer' then 'won' else 'lost' end as status
                    from bench_report_plan p
                   where ${range} and p.t_after_sql = 'opportunity' and p.t_next + p.t_next2 <= ${endS}) d`,
    );
    if (perContact > 0) {
      // A fifth of the activities are touchpoints: a tenth name a campaign in `context.campaign`,
      // a tenth carry UTM parameters in their page URL (twelve campaigns, four sources).
      const touchpointContext = sql`case (p.g + e.i) % 10
                     when 0 then jsonb_build_object('campaign', jsonb_build_object(
                                   'name', 'campaign-' || ((p.g + e.i) % 12), 'source', 'source-' || ((p.g + e.i) % 4)))
                     when 1 then jsonb_build_object('page', jsonb_build_object('url',
                                   'https://example.com/pricing?utm_source=source-' || ((p.g + e.i) % 4)
                                   || '&utm_campaign=campaign-' || ((p.g + e.i) % 12)))
                     else '{}'::jsonb end`;
      await execute(
        db,
        sql`insert into activities (workspace_id, contact_id, id, message_id, kind, event, activity_type,
                                    occurred_at, received_at, properties, context)
            select ${ws}::uuid, p.id, md5(p.id::text || ':e:' || e.i)::uuid, 'bench-' || p.g || '-' || e.i,
                   t.kind, t.event, t.type, e.at, e.at, '{}'::jsonb,
                   ${touchpointContext}
              from bench_report_plan p
             cross join lateral (select i, to_timestamp(least(${endS}, p.t_sub + floor(random() * ${90 * day}))) as at,
                                        (p.g + i * 7) % ${activityTypes.length} as r
                                   from generate_series(1, ${perContact}::int) i) e
              join jsonb_to_recordset(${json(activityTypes.map(([kind, event, type], index) => ({ index, kind, event, type })))}::jsonb)
                   as t(index int, kind text, event text, type text) on t.index = e.r
             where ${range}`,
      );
    }
    log(`  ${to.toLocaleString('en')} / ${n.toLocaleString('en')} contacts filled`);
  }

  // What the engine derives and the segments read: scores and states of the surviving contacts.
  await execute(
    db,
    sql`insert into scores (workspace_id, contact_id, fit, interest, quadrant, fit_grade, explanation, agreement_version, computed_at)
        select ${ws}::uuid, s.id, s.fit, s.interest,
               case when s.fit >= 50 and s.interest >= 40 then 'hot' when s.fit >= 50 then 'nurture'
                    when s.interest >= 40 then 'fan' else 'drop' end,
               case when s.fit >= 70 then 'A' when s.fit >= 50 then 'B' when s.fit >= 25 then 'C' else 'D' end,
               '{}'::jsonb, 1, to_timestamp(${endS})
          from (select id, ((g * 37) % 101)::float8 as fit, ((g * 53) % 101)::float8 as interest
                  from bench_report_plan where merged_into is null) s`,
  );
  await execute(
    db,
    sql`insert into contact_states (workspace_id, contact_id, stage, stage_since, furthest_stage, detour, owner_rep_id,
                                    owner_team_id, state, agreement_version, last_seq, updated_at)
        select ${ws}::uuid, l.contact_id, l.to_stage, l.occurred_at, l.to_stage,
               case when l.to_stage in ('recycled', 'disqualified', 'lost') then l.to_stage end,
               case when p.t_mql is not null then p.rep end, case when p.t_mql is not null then p.team end,
               '{}'::jsonb, 1, 0, to_timestamp(${endS})
          from (select distinct on (contact_id) contact_id, to_stage, occurred_at from stage_transitions
                 where workspace_id = ${ws}::uuid order by contact_id, occurred_at desc, seq desc) l
          join bench_report_plan p on p.id = l.contact_id
         where p.merged_into is null`,
  );
  await execute(db, sql`drop table bench_report_plan`);
  // The rollup vacuumed as well, as autovacuum soon does on PostgreSQL and the ingest writer's
  // statistics refresh does on PGlite: the reports read its entries index alone.
  for (const table of [
    'contacts',
    'stage_transitions',
    'person_timelines',
    'assignments',
    'sla_clocks',
    'touches',
    'feedback',
    'deals',
    'scores',
    'contact_states',
    'contact_segments',
    'activities',
  ])
    await execute(
      db,
      table === 'person_timelines'
        ? sql`vacuum analyze person_timelines`
        : sql`analyze ${{ parts: [table] }}`,
    );

  return countReportWorkspace(db, ws);
}

/** The counts of what a filled workspace holds (for a run that reuses one: `--workspace`). */
export async function countReportWorkspace(db: Database, ws: string): Promise<ReportFilled> {
  const [counts] = await queryRows<Record<string, string | number>>(
    db,
    sql`select (select count(*) from contacts where workspace_id = ${ws}::uuid) as contacts,
               (select count(*) from contacts where workspace_id = ${ws}::uuid and merged_into_id is not null) as merged,
               (select count(*) from stage_transitions where workspace_id = ${ws}::uuid) as transitions,
               (select count(*) from assignments where workspace_id = ${ws}::uuid) as assignments,
               (select count(*) from sla_clocks where workspace_id = ${ws}::uuid) as clocks,
               (select count(*) from touches where workspace_id = ${ws}::uuid) as touches,
               (select count(*) from feedback where workspace_id = ${ws}::uuid) as feedback,
               (select count(*) from deals where workspace_id = ${ws}::uuid) as deals,
               (select count(*) from activities where workspace_id = ${ws}::uuid) as activities`,
  );
  return Object.fromEntries(
    Object.entries(counts ?? {}).map(([key, value]) => [key, Number(value)]),
  ) as ReportFilled;
}
