import { listFreeMailDomains } from '@smarketing/core';
import type { Database } from '../../packages/server/src/db/client.ts';
import { execute, queryRows, sql } from './engine-sql.ts';

/**
 * The baseline of the replay bench: the default agreement's fit and interest scores recomputed
 * by hand in one SQL statement over the stored facts, written to a table. Each contact is scored
 * as of its latest timed fact (activity or touch), which is the instant the engine's `scores` row
 * is evaluated at (`state.now`; contact changes carry no time).
 *
 * Fit: one CASE per fit rule over the contact's traits merged over its account's (the contact's
 * win), with seniority and department parsed from the title by the same patterns as the engine
 * (ported to PostgreSQL regular expressions: `\y` for `\b`; only the levels and departments the
 * rules name), explicit `seniority`/`department` traits winning, and the e-mail type from the
 * free-mail list. Interest: per contact and activity type, Σ points × 0.5^((as_of − at)/30 days),
 * each activity's cap, the group caps (website 35, events 50), the frequency rule (≥ 15 page
 * views in the 30 days up to as_of → +15, outside activity and group caps), the total cap 100,
 * negative points after the caps, floor 0, rounded to one decimal as the engine stores it.
 */

const seniorNotAssistant =
  '\\y(executive|personal|administrative) assistant\\y|\\yassistant to\\y|\\yea to\\y|\\ychief of staff\\y';
const seniorPattern =
  '\\y(svp|evp|avp|vp|vice president|vicepresident|general manager|gm)\\y' +
  '|\\ychief\\y|\\y(ceo|cfo|cto|cmo|coo|cro|cio|cso|cpo|cdo|chro|ciso|cco)\\y|\\y(co )?founder\\y|\\ycofounder\\y' +
  '|\\ypresident\\y|\\yc level\\y|^(co )?owner\\y|\\ybusiness owner\\y|\\y(managing|founding|general) partner\\y|^partner$' +
  '|\\ydirector\\y|\\ydir\\y|\\yhead\\y';
const revopsPattern =
  '\\yrev(enue)? ?op(eration)?s\\y|\\ysales op(eration)?s\\y|\\ysalesops\\y|\\y(gtm|go to market) op(eration)?s\\y|\\y(crm|salesforce) admin(istrator)?\\y';
const marketingPattern =
  '\\ymarketing\\y|\\ymarketer\\y|\\ycmo\\y|\\ydemand gen(eration)?\\y|\\ylead gen(eration)?\\y|\\ygrowth\\y|\\ybrand(ing)?\\y' +
  '|\\ycontent\\y|\\yseo\\y|\\ysem\\y|\\ycommunications?\\y|\\ypr\\y|\\ypublic relations\\y|\\ysocial media\\y|\\ycampaigns?\\y' +
  '|\\yevents?\\y|\\yabm\\y|\\ycopywriter\\y|\\ycreative\\y';
const salesPattern =
  '\\ysales\\y|\\ycro\\y|\\ychief revenue\\y|\\yaccount (executive|manager|director)\\y|\\ysdr\\y|\\ybdr\\y' +
  '|\\ybusiness development\\y|\\yselling\\y|\\ychannel\\y|\\ypartnerships?\\y|\\ycommercial\\y';
const numericText = '^[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\\.[0-9]+)?$|^[+-]?\\.[0-9]+$';
const freeMail = listFreeMailDomains();

export async function createRecomputeTable(db: Database): Promise<void> {
  await execute(
    db,
    sql`create table if not exists bench_sql_scores (
          workspace_id uuid not null, contact_id uuid not null, fit float8 not null, fit_grade text not null,
          interest float8 not null, quadrant text not null, as_of timestamptz,
          primary key (workspace_id, contact_id))`,
  );
}

export async function clearRecompute(db: Database, workspaceId: string): Promise<void> {
  await execute(db, sql`delete from bench_sql_scores where workspace_id = ${workspaceId}`);
}

/** The statement the bench times. */
export async function recomputeScores(db: Database, workspaceId: string): Promise<void> {
  const ws = workspaceId;
  await execute(
    db,
    sql`insert into bench_sql_scores (workspace_id, contact_id, fit, fit_grade, interest, quadrant, as_of)
      with profile as (
        select c.id as contact_id, coalesce(a.traits, '{}'::jsonb) || c.traits as t,
               coalesce(c.email, c.traits ->> 'email') as email
          from contacts c
          left join accounts a on a.workspace_id = c.workspace_id and a.id = c.account_id
         where c.workspace_id = ${ws} and c.merged_into_id is null
      ),
      words as (
        select contact_id, t, email,
               btrim(regexp_replace(lower(coalesce(t ->> 'title', '')), '[^a-z0-9]+', ' ', 'g')) as title_words,
               regexp_replace(lower(btrim(coalesce(t ->> 'title', ''))), '\\s+', ' ', 'g') as title_text,
               nullif(regexp_replace(lower(btrim(coalesce(t ->> 'seniority', ''))), '\\s+', ' ', 'g'), '') as seniority_trait,
               nullif(regexp_replace(lower(btrim(coalesce(t ->> 'department', ''))), '\\s+', ' ', 'g'), '') as department_trait,
               regexp_replace(lower(btrim(coalesce(t ->> 'industry', ''))), '\\s+', ' ', 'g') as industry,
               regexp_replace(lower(btrim(coalesce(t ->> 'buyingRole', ''))), '\\s+', ' ', 'g') as buying_role,
               case when jsonb_typeof(t -> 'employees') = 'number' then (t ->> 'employees')::float8
                    when jsonb_typeof(t -> 'employees') = 'string' and btrim(t ->> 'employees') ~ ${numericText}
                      then replace(btrim(t ->> 'employees'), ',', '')::float8 end as employees
          from profile
      ),
      traits as (
        select contact_id, t, email, title_text, industry, buying_role, employees,
               coalesce(seniority_trait in ('director', 'vp', 'c-level'),
                        title_words <> '' and title_words !~ ${seniorNotAssistant} and title_words ~ ${seniorPattern},
                        false) as senior,
               coalesce(department_trait,
                        case when title_words = '' then null
                             when title_words ~ ${revopsPattern} then 'revops'
                             when title_words ~ ${marketingPattern} then 'marketing'
                             when title_words ~ ${salesPattern} then 'sales'
                             else 'other' end) as department,
               case when jsonb_typeof(t -> 'emailType') = 'string' and btrim(t ->> 'emailType') <> ''
                      then lower(btrim(t ->> 'emailType'))
                    when lower(substring(email from '@([^@]*)$')) in (select jsonb_array_elements_text(${JSON.stringify(freeMail)}::jsonb))
                      then 'free' end as email_type
          from words
      ),
      fit as (
        select contact_id,
                 (case when employees between 50 and 999 then 25 else 0 end)
               + (case when employees >= 1000 then 30 else 0 end)
               + (case when industry in ('software', 'financial services', 'e-commerce') then 20 else 0 end)
               + (case when senior then 20 else 0 end)
               + (case when buying_role in ('decision-maker', 'budget-holder') then 15 else 0 end)
               + (case when title_text like '%revenue operations%' or title_text like '%revops%'
                         or (department in ('marketing', 'sales') and senior) then 10 else 0 end)
               + (case when email_type = 'free' then -20 else 0 end)
               + (case when title_text like '%student%' or title_text like '%intern%' then -50 else 0 end) as fit
          from traits
      ),
      last_fact as (
        select contact_id, max(occurred_at) as as_of
          from (select contact_id, occurred_at from activities where workspace_id = ${ws}
                union all
                select contact_id, occurred_at from touches where workspace_id = ${ws}) facts
         group by contact_id
      ),
      per_type as (
        select a.contact_id, a.activity_type,
               sum(power(0.5, (date_part('epoch', l.as_of) - date_part('epoch', a.occurred_at)) / 2592000.0)) as decayed,
               count(*) filter (where a.occurred_at >= l.as_of - interval '2592000 seconds') as recent
          from activities a join last_fact l on l.contact_id = a.contact_id
         where a.workspace_id = ${ws} and a.activity_type is not null
         group by a.contact_id, a.activity_type
      ),
      rules (activity_type, points, cap, grp) as (
        values ('demo-requested', 50, null::float8, null), ('pricing-viewed', 10, 30, 'website'),
               ('webinar-registered', 10, 20, 'events'), ('webinar-attended', 20, 40, 'events'),
               ('content-downloaded', 8, 24, null), ('form-submitted', 5, 15, null),
               ('email-clicked', 3, 15, null), ('page-viewed', 1, 10, 'website'),
               ('careers-viewed', -10, null, null), ('unsubscribed', -30, null, null)
      ),
      capped as (
        select p.contact_id, p.activity_type, p.recent, r.points, r.grp,
               case when r.cap is not null and p.decayed * r.points > r.cap then r.cap else p.decayed * r.points end as pts
          from per_type p join rules r on r.activity_type = p.activity_type
      ),
      interest as (
        select contact_id,
               greatest(0,
                 least(100,
                     coalesce(sum(pts) filter (where points > 0 and grp is null), 0)
                   + least(35, coalesce(sum(pts) filter (where points > 0 and grp = 'website'), 0))
                   + least(50, coalesce(sum(pts) filter (where points > 0 and grp = 'events'), 0))
                   + case when coalesce(max(recent) filter (where activity_type = 'page-viewed'), 0) >= 15 then 15 else 0 end)
                 + coalesce(sum(pts) filter (where points < 0), 0)) as interest
          from capped group by contact_id
      )
      select ${ws}::uuid, f.contact_id, f.fit,
             case when f.fit >= 70 then 'A' when f.fit >= 50 then 'B' when f.fit >= 25 then 'C' else 'D' end,
             round(coalesce(i.interest, 0)::numeric, 1)::float8,
             case when f.fit >= 50 and round(coalesce(i.interest, 0)::numeric, 1) >= 40 then 'hot'
                  when f.fit >= 50 then 'nurture'
                  when round(coalesce(i.interest, 0)::numeric, 1) >= 40 then 'fan' else 'drop' end,
             l.as_of
        from fit f
        left join interest i on i.contact_id = f.contact_id
        left join last_fact l on l.contact_id = f.contact_id`,
  );
}

export type ScoreComparison = {
  contacts: number;
  compared: number;
  missing: number;
  maxFitDifference: number;
  maxInterestDifference: number;
  mismatches: number;
  gradeMismatches: number;
  quadrantMismatches: number;
};

/** The engine's `scores` (after a replay) against the SQL's, contact by contact. */
export async function compareScores(db: Database, workspaceId: string): Promise<ScoreComparison> {
  const [row] = await queryRows<Record<string, string | number | null>>(
    db,
    sql`select count(*) as contacts,
               count(s.contact_id) filter (where q.contact_id is not null) as compared,
               count(*) filter (where s.contact_id is null or q.contact_id is null) as missing,
               coalesce(max(abs(s.fit - q.fit)), 0) as max_fit,
               coalesce(max(abs(s.interest - q.interest)), 0) as max_interest,
               count(*) filter (where abs(s.fit - q.fit) > 0.05 or abs(s.interest - q.interest) > 0.05) as mismatches,
               count(*) filter (where s.fit_grade <> q.fit_grade) as grade_mismatches,
               count(*) filter (where s.quadrant <> q.quadrant) as quadrant_mismatches
          from (select * from scores where workspace_id = ${workspaceId}) s
          full join (select * from bench_sql_scores where workspace_id = ${workspaceId}) q
            on q.contact_id = s.contact_id`,
  );
  const number = (key: string) => Number(row?.[key] ?? 0);
  return {
    contacts: number('contacts'),
    compared: number('compared'),
    missing: number('missing'),
    maxFitDifference: number('max_fit'),
    maxInterestDifference: number('max_interest'),
    mismatches: number('mismatches'),
    gradeMismatches: number('grade_mismatches'),
    quadrantMismatches: number('quadrant_mismatches'),
  };
}

/** A few disagreeing contacts, to say why when there are any. */
export async function sampleMismatches(db: Database, workspaceId: string, limit = 5) {
  return queryRows<Record<string, unknown>>(
    db,
    sql`select s.contact_id, s.fit, q.fit as sql_fit, s.interest, q.interest as sql_interest, s.quadrant,
               q.quadrant as sql_quadrant, s.computed_at, q.as_of
          from scores s join bench_sql_scores q on q.workspace_id = s.workspace_id and q.contact_id = s.contact_id
         where s.workspace_id = ${workspaceId}
           and (abs(s.fit - q.fit) > 0.05 or abs(s.interest - q.interest) > 0.05 or s.quadrant <> q.quadrant)
         limit ${limit}`,
  );
}

/** How the recomputed scores are spread, to show the data exercise every rule. */
export async function describeRecompute(db: Database, workspaceId: string) {
  const [row] = await queryRows<Record<string, string | number>>(
    db,
    sql`select count(*) filter (where quadrant = 'hot') as hot, count(*) filter (where quadrant = 'nurture') as nurture,
               count(*) filter (where quadrant = 'fan') as fan, count(*) filter (where quadrant = 'drop') as drop,
               count(*) filter (where interest = 100) as at_total_cap, count(*) filter (where interest = 0) as zero_interest,
               count(*) filter (where fit < 0) as negative_fit,
               count(distinct fit) as fit_values
          from bench_sql_scores where workspace_id = ${workspaceId}`,
  );
  return Object.fromEntries(Object.entries(row ?? {}).map(([key, value]) => [key, Number(value)]));
}
