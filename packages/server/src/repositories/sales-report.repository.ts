import type {
  CloseRateCounts,
  DealFacts,
  HandOverFacts,
  HandOverOutcome,
  OriginFacts,
  PersonSegments,
  SegmentFilters,
  SpendFacts,
  TouchFacts,
  TouchpointFacts,
  VerdictFacts,
  WonDealFacts,
} from '@smarketing/core';
import { type SQL, sql } from 'drizzle-orm';
import { type Db, runsSideBySide } from '../db/client.ts';
import { json, rows } from './contact-write.repository.ts';
import { aggregateRows, epochMs, inSegment, msBetween, pgTextArray, textArray } from './report.repository.ts';

/**
 * The reads behind the sales reports (follow-through, close rates, attribution, goal tree) and
 * the campaign spend they set revenue against. As in `report.repository.ts`, a person is a
 * surviving contact with the contacts merged into it (`coalesce(merged_into_id, id)`), and segment
 * filters are what is known of the person now. Counting is core's, except close rates, which the
 * database counts with core's definitions (`closeRateCounts`, checked equal to `countCloseRates`).
 */

const ms = (value: unknown) => (value instanceof Date ? value.getTime() : new Date(String(value)).getTime());
const msOrNull = (value: unknown) => (value === null || value === undefined ? null : ms(value));
const iso = (date: Date) => date.toISOString();

type Num = string | number | null;
const count = (value: Num | undefined) => (value === null || value === undefined ? 0 : Number(value));
const numberOrNull = (value: Num | undefined) =>
  value === null || value === undefined ? null : Number(value);

/**
 * The segment filters on the person `p.person_id`, with the surviving contact as `s`, its state as
 * `cs` and its scores as `sc` (the same meaning as the funnel's segments: text traits ignoring
 * case, the current owner and quadrant).
 */
function personFilter(workspaceId: string, filters: SegmentFilters): SQL {
  const conditions: SQL[] = [];
  const trait = (key: string, value: string) => sql`lower(s.traits ->> ${key}::text) = lower(${value}::text)`;
  if (filters.source !== undefined) conditions.push(trait('leadSource', filters.source));
  if (filters.country !== undefined) conditions.push(trait('country', filters.country));
  if (filters.industry !== undefined) conditions.push(trait('industry', filters.industry));
  for (const [key, value] of Object.entries(filters.traits ?? {})) conditions.push(trait(key, value));
  if (filters.team !== undefined) conditions.push(sql`cs.owner_team_id = ${filters.team}::text`);
  if (filters.rep !== undefined) conditions.push(sql`cs.owner_rep_id = ${filters.rep}::text`);
  if (filters.quadrant !== undefined) conditions.push(sql`sc.quadrant = ${filters.quadrant}::text`);
  if (conditions.length === 0) return sql`true`;
  return sql`exists (
      select 1 from contacts s
        left join contact_states cs on cs.workspace_id = s.workspace_id and cs.contact_id = s.id
        left join scores sc on sc.workspace_id = s.workspace_id and sc.contact_id = s.id
       where s.workspace_id = ${workspaceId}::uuid and s.id = p.person_id and ${sql.join(conditions, sql` and `)})`;
}

/** `members(person_id, contact_id)`: the people of `people(person_id)` and the contacts merged into them. */
function membersCte(workspaceId: string): SQL {
  return sql`members as (
      select p.person_id, p.person_id as contact_id from people p
      union all
      select p.person_id, c.id from people p
        join contacts c on c.workspace_id = ${workspaceId}::uuid and c.merged_into_id = p.person_id
    )`;
}

/**
 * The campaign and source an activity names: `context.campaign`, else the UTM parameters of its
 * page URL. The trigger that keeps the first touchpoints of `contact_segments` (migrations
 * `first-touchpoints`, `contact-segments`) computes the same two: change them together.
 */
const campaignOf = sql`coalesce(nullif(a.context -> 'campaign' ->> 'name', ''),
    substring(a.context -> 'page' ->> 'url' from '[?&]utm_campaign=([^&#]*)'))`;
const sourceOf = sql`coalesce(nullif(a.context -> 'campaign' ->> 'source', ''),
    substring(a.context -> 'page' ->> 'url' from '[?&]utm_source=([^&#]*)'))`;

/**
 * A cheap test that lets only activities that may name a campaign or source reach the two above.
 * Word for word the predicate of the partial index `activities_touchpoints_idx` (schema.ts), so the
 * planner reads those activities from it, and the `when` of the first-touchpoint trigger: change
 * them together.
 */
const mayNameCampaign = sql`(a.context ? 'campaign' or (a.context -> 'page' ->> 'url') like '%utm\\_%')`;

/** UTM values as written in URLs (`%20`, `+`); a malformed escape is kept as it is. */
function decodeUtm(value: string | null): string | null {
  if (value === null) return null;
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return value;
  }
}

type DealRow = {
  deal_id: string;
  person_id: string;
  account_id: string | null;
  amount: unknown;
  currency: string | null;
  status: DealFacts['status'];
  created_at: unknown;
  closed_at: unknown;
  /** With `attribution`: the account of the deal's person (a merged contact's survivor's). */
  person_account_id?: string | null;
};

/** The deals of people in the segment created or closed in [from, to), as of asOf: a statement. */
type DealsOptions = {
  from: Date;
  to: Date;
  asOf: Date;
  filters: SegmentFilters;
  timezone: string;
  wonOnly?: boolean;
  /** Attribution's read: only the deals closed in [from, to), with their person's account. */
  attribution?: boolean;
};

function dealsQuery(workspaceId: string, options: DealsOptions): SQL {
  return sql`with closing as (
        select d.id as deal_id, coalesce(c.merged_into_id, c.id) as person_id,
               coalesce(d.account_id, c.account_id) as account_id, d.amount, d.currency, d.status, d.created_at,
               case when d.status = 'open' then null else coalesce(
                 ev.at, d.close_date::timestamp at time zone ${options.timezone}::text, d.updated_at) end as closed_at
               ${
                 options.attribution
                   ? sql`, case when c.merged_into_id is null then c.account_id
                                else (select s.account_id from contacts s
                                       where s.workspace_id = c.workspace_id and s.id = c.merged_into_id) end as person_account_id`
                   : sql``
               }
          -- Every deal has its contact (a foreign key): joined on the left, so a statement that reads
          -- none of the contact's columns (counts without a segment) skips the join.
          from deals d
          left join contacts c on c.workspace_id = d.workspace_id and c.id = d.contact_id
          -- The closing event's instant, looked up once per closed deal (an open one has none): as a
          -- subquery in the closing instant's expression it ran once for each of the filter's tests
          -- of it too.
          cross join lateral (
            select max(e.occurred_at) as at from deal_events e
             where d.status <> 'open' and e.workspace_id = d.workspace_id and e.contact_id = d.contact_id
               and e.deal_id = d.id and e.kind = d.status) as ev
         where d.workspace_id = ${workspaceId}::uuid and d.created_at <= ${iso(options.asOf)}::timestamptz
           ${options.wonOnly ? sql`and d.status = 'won'` : sql``}
      )
      select p.* from closing p
       where (${
         options.attribution
           ? sql`false`
           : sql`(p.created_at >= ${iso(options.from)}::timestamptz and p.created_at < ${iso(options.to)}::timestamptz)`
       }
           or (p.closed_at >= ${iso(options.from)}::timestamptz and p.closed_at < ${iso(options.to)}::timestamptz))
         and ${personFilter(workspaceId, options.filters)}`;
}

/** What the follow-through reads are asked: the period, the instant and the segment. */
type FollowThroughSelection = { from: Date; to: Date; asOf: Date; filters: SegmentFilters };

/**
 * `merged`, `people` (the people in the segment handed over in [from, to), each since its earliest
 * such hand-over) and `members` (their contacts, merged ones too), as CTEs.
 */
function followThroughPeople(
  workspaceId: string,
  options: FollowThroughSelection,
  part: { index: number; of: number } = { index: 0, of: 1 },
): SQL {
  // Few contacts are merged: they are read once by the merged-into index and matched by hash,
  // instead of every clock's contact being looked up (or every contact scanned) for its person.
  const people = sql`merged as materialized (
      select c.id, c.merged_into_id from contacts c
       where c.workspace_id = ${workspaceId}::uuid and c.merged_into_id is not null
    ),
    people as (
      select coalesce(mg.merged_into_id, k.contact_id) as person_id, min(k.started_at) as since
        from sla_clocks k
        left join merged mg on mg.id = k.contact_id
       where k.workspace_id = ${workspaceId}::uuid
         and k.started_at >= ${iso(options.from)}::timestamptz and k.started_at < ${iso(options.to)}::timestamptz
         and k.started_at <= ${iso(options.asOf)}::timestamptz
       group by 1
    )`;
  // One part of the people, by their id's last byte (random in every id we make).
  const inPart =
    part.of === 1
      ? sql``
      : sql`and get_byte(uuid_send(p.person_id), 15) % ${part.of}::int = ${part.index}::int`;
  return sql`${people}, chosen as (select p.person_id, p.since from people p where ${personFilter(workspaceId, options.filters)} ${inPart}),
      members as (
        select p.person_id, p.person_id as contact_id, p.since from chosen p
        union all
        select p.person_id, mg.id, p.since from chosen p join merged mg on mg.merged_into_id = p.person_id
      )`;
}

export function createSalesReportRepository(db: Db) {
  /** Deals of people in the segment created or closed in [from, to), as of asOf. */
  async function listDeals(workspaceId: string, options: DealsOptions): Promise<DealRow[]> {
    return rows<DealRow>(db, dealsQuery(workspaceId, options));
  }

  return {
    /**
     * Every hand-over (SLA clock) up to asOf of the people in the segment who were handed over in
     * [from, to), with their touches and verdicts from the earliest of those hand-overs on: the
     * facts core's `buildFollowThrough` takes (the definition `followThroughOutcomes` is tested
     * against; the report itself uses `followThroughOutcomes`).
     */
    async listFollowThroughFacts(
      workspaceId: string,
      options: FollowThroughSelection,
    ): Promise<{ handOvers: HandOverFacts[]; touches: TouchFacts[]; verdicts: VerdictFacts[] }> {
      const selected = followThroughPeople(workspaceId, options);
      // One statement (the selection is worked out once): each row is a clock, a touch or a verdict.
      const found = await rows<{
        kind: 'clock' | 'touch' | 'verdict';
        person_id: string;
        team_id: string | null;
        rep_id: string | null;
        business_hours: boolean | null;
        status: string | null;
        detail: string | null;
        reason: string | null;
        at: unknown;
      }>(
        db,
        sql`with ${selected}
            select 'clock' as kind, m.person_id, k.team_id, k.rep_id, k.business_hours, k.status,
                   null::text as detail, null::text as reason, k.started_at as at
              from members m
              join sla_clocks k on k.workspace_id = ${workspaceId}::uuid and k.contact_id = m.contact_id
             where k.started_at <= ${iso(options.asOf)}::timestamptz
            union all
            select 'touch', m.person_id, null, null, null, null, t.kind, null, t.occurred_at
              from members m
              join touches t on t.workspace_id = ${workspaceId}::uuid and t.contact_id = m.contact_id
             where t.occurred_at >= m.since and t.occurred_at <= ${iso(options.asOf)}::timestamptz
            union all
            select 'verdict', m.person_id, null, null, null, null, f.verdict, f.reason, f.occurred_at
              from members m
              join feedback f on f.workspace_id = ${workspaceId}::uuid and f.contact_id = m.contact_id
             where f.occurred_at >= m.since and f.occurred_at <= ${iso(options.asOf)}::timestamptz`,
      );
      const clocks = found.filter((row) => row.kind === 'clock');
      const touches = found.filter((row) => row.kind === 'touch');
      const verdicts = found.filter((row) => row.kind === 'verdict');
      return {
        handOvers: clocks.map((row) => ({
          personId: row.person_id,
          teamId: row.team_id,
          repId: row.rep_id,
          startedAt: ms(row.at),
          businessHours: Boolean(row.business_hours),
          status: row.status as HandOverFacts['status'],
        })),
        touches: touches.map((row) => ({ personId: row.person_id, kind: row.detail ?? '', at: ms(row.at) })),
        verdicts: verdicts.map((row) => ({
          personId: row.person_id,
          verdict: row.detail as VerdictFacts['verdict'],
          reason: row.reason,
          at: ms(row.at),
        })),
      };
    },

    /**
     * The period's hand-overs with what followed each in its window (core `HandOverOutcome`, the
     * definitions of `handOverOutcomes`), in one statement: each window ends at the person's next
     * hand-over (cancelled ones left out) or after asOf; its first qualifying touch, its touches in
     * the first `attemptDays` and its first verdict are grouped per hand-over. The hand-overs'
     * instants are truncated to the millisecond, as core reads them (epoch ms): every bound is then
     * a whole millisecond, and a touch compares with it as its millisecond does. Nothing before the
     * period is read: a window ends at the next hand-over, so earlier ones bound none of the
     * period's, and its touches and verdicts come at or after its start.
     */
    async followThroughOutcomes(
      workspaceId: string,
      options: FollowThroughSelection & { attemptDays: number; qualifyingTouches: readonly string[] },
    ): Promise<HandOverOutcome[]> {
      const asOf = iso(options.asOf);
      const attemptDays = sql`${options.attemptDays * 86_400_000}::float8 * interval '1 millisecond'`;
      // One row per team and rep, each column a JSON array with one element per hand-over (every
      // aggregate of a group reads its rows in one order): the drivers parse JSON natively, where
      // 70,000 rows of eight columns each cost ~0.1 s to parse at 1M contacts.
      const outcomesOf = (part: { index: number; of: number }) =>
        aggregateRows<{
          team_id: string | null;
          rep_id: string | null;
          business_hours: (boolean | null)[];
          at: number[];
          first_touch: (number | null)[];
          attempts: (number | null)[];
          verdict: (VerdictFacts['verdict'] | null)[];
          reason: (string | null)[];
        }>(
          db,
          sql`with ${followThroughPeople(workspaceId, options, part)},
            clocks as (
              select m.person_id, k.team_id, k.rep_id, k.business_hours, date_trunc('milliseconds', k.started_at) as at
                from members m
                join sla_clocks k on k.workspace_id = ${workspaceId}::uuid and k.contact_id = m.contact_id
               where k.started_at >= ${iso(options.from)}::timestamptz and k.started_at <= ${asOf}::timestamptz
                 and k.status <> 'cancelled'
            ),
            handed as materialized (
              select row_number() over () as h, w.*
                from (select c.*, least(coalesce(lead(c.at) over (partition by c.person_id order by c.at), 'infinity'),
                                        ${asOf}::timestamptz + interval '1 millisecond') as end_at
                        from clocks c) w
               where w.at >= ${iso(options.from)}::timestamptz and w.at < ${iso(options.to)}::timestamptz
            ),
            touched as materialized (
              select m.person_id, t.kind, t.occurred_at as at
                from members m
                join touches t on t.workspace_id = ${workspaceId}::uuid and t.contact_id = m.contact_id
               where t.occurred_at >= ${iso(options.from)}::timestamptz and t.occurred_at >= m.since
                 and t.occurred_at <= ${asOf}::timestamptz
            ),
            judged as materialized (
              select m.person_id, f.verdict, f.reason, f.occurred_at as at
                from members m
                join feedback f on f.workspace_id = ${workspaceId}::uuid and f.contact_id = m.contact_id
               where f.occurred_at >= ${iso(options.from)}::timestamptz and f.occurred_at >= m.since
                 and f.occurred_at <= ${asOf}::timestamptz
            ),
            worked as (
              select h.h, min(t.at) filter (where t.kind = any(${pgTextArray(options.qualifyingTouches)})) as first_touch,
                     count(*) filter (where t.at < h.at + ${attemptDays}) as attempts
                from handed h
                join touched t on t.person_id = h.person_id and t.at >= h.at and t.at < h.end_at
               group by h.h
            ),
            verdicts as (
              select distinct on (h.h) h.h, v.verdict, v.reason
                from handed h
                join judged v on v.person_id = h.person_id and v.at >= h.at and v.at < h.end_at
               order by h.h, v.at
            )
            select h.team_id, h.rep_id, json_agg(h.business_hours) as business_hours,
                   json_agg(${epochMs(sql`h.at`)}) as at, json_agg(${epochMs(sql`w.first_touch`)}) as first_touch,
                   json_agg(case when h.at + ${attemptDays} <= ${asOf}::timestamptz then coalesce(w.attempts, 0) end) as attempts,
                   json_agg(v.verdict) as verdict, json_agg(v.reason) as reason
              from handed h
              left join worked w on w.h = h.h
              left join verdicts v on v.h = h.h
             group by h.team_id, h.rep_id`,
          { hashJoins: true, serial: true },
        );
      // On PostgreSQL, half the people each on two backends (one core each): every hand-over's
      // window lies within its person's facts. The two halves repeat only the tables' scans.
      const of = runsSideBySide(db) ? 2 : 1;
      const parts = await Promise.all(Array.from({ length: of }, (_, index) => outcomesOf({ index, of })));
      const outcomes: HandOverOutcome[] = [];
      for (const row of parts.flat()) {
        row.at.forEach((at, i) => {
          const attempts = row.attempts[i] ?? null;
          const verdict = row.verdict[i] ?? null;
          outcomes.push({
            teamId: row.team_id,
            repId: row.rep_id,
            startedAt: at,
            businessHours: Boolean(row.business_hours[i]),
            firstTouchAt: row.first_touch[i] ?? null,
            attempts: attempts === null ? null : Number(attempts),
            verdict: verdict === null ? null : { verdict, reason: row.reason[i] ?? null },
          });
        });
      }
      return outcomes;
    },

    /**
     * What close rates group people by: `traits.leadSource`, the campaign of the first touchpoint
     * (an activity naming a campaign or a source, up to asOf; null when it names no campaign), the
     * first persona of the current fit, and the current quadrant. Per person, for core's
     * `buildCloseRates` (the definition `closeRateCounts` is tested against).
     */
    async listPersonSegments(
      workspaceId: string,
      personIds: readonly string[],
      asOf: Date,
    ): Promise<Map<string, PersonSegments>> {
      if (personIds.length === 0) return new Map();
      const found = await rows<{
        person_id: string;
        source: string | null;
        persona: string | null;
        quadrant: string | null;
        campaign: string | null;
      }>(
        db,
        sql`with people as (select distinct value::uuid as person_id from jsonb_array_elements_text(${json(personIds)}::jsonb)),
            ${membersCte(workspaceId)},
            first_campaign as (
              select distinct on (m.person_id) m.person_id, ${campaignOf} as campaign
                from members m
                join activities a on a.workspace_id = ${workspaceId}::uuid and a.contact_id = m.contact_id
               where a.occurred_at <= ${iso(asOf)}::timestamptz and ${mayNameCampaign}
                 and (${campaignOf} is not null or ${sourceOf} is not null)
               order by m.person_id, a.occurred_at, a.id
            )
            select p.person_id, s.traits ->> 'leadSource' as source, sc.explanation -> 'personas' ->> 0 as persona,
                   sc.quadrant, f.campaign
              from people p
              join contacts s on s.workspace_id = ${workspaceId}::uuid and s.id = p.person_id
              left join scores sc on sc.workspace_id = ${workspaceId}::uuid and sc.contact_id = p.person_id
              left join first_campaign f on f.person_id = p.person_id`,
      );
      return new Map(
        found.map((row) => [
          row.person_id,
          {
            source: row.source,
            campaign: decodeUtm(row.campaign),
            persona: row.persona,
            quadrant: row.quadrant,
          },
        ]),
      );
    },

    /**
     * The close-rates counts (core `CloseRateCounts`, the definitions of `countCloseRates`) in three
     * statements over the people in the segment: the period's new leads per segment value, and the
     * velocity of each pair of consecutive main stages, from the rollup `person_timelines`; the
     * deals created or closed in the period, from `deals`.
     */
    async closeRateCounts(
      workspaceId: string,
      options: Omit<DealsOptions, 'wonOnly'> & {
        currency: string;
        /** The main stages in order; the last is the customer stage. */
        stages: readonly string[];
        leadStage: string;
      },
    ): Promise<CloseRateCounts> {
      const { stages } = options;
      const from = iso(options.from);
      const to = iso(options.to);
      const asOf = iso(options.asOf);
      const leadIndex = Math.max(stages.indexOf(options.leadStage), 0);
      // The stages at or past the lead stage, and those after the first (velocity's later ones).
      const past = textArray(stages.slice(leadIndex));
      const later = textArray(stages.slice(1));
      const all = textArray(stages);
      const entered = textArray([...new Set([...stages.slice(leadIndex), ...stages.slice(1)])]);
      const customerStage = stages.at(-1) ?? options.leadStage;
      // The period's entries into main stages (past the first, or the lead stage). A new lead's
      // entry is its first into a stage at or past the lead stage: it is one of them and none of
      // the stages before it (its path) is. Velocity: each person's first entry into a stage in the
      // period (none into it since the period began); the last entry into the stage before it
      // among its earlier entries is at the last position of that stage in its path (positions
      // count entries from 1; the entry itself is at the path's length plus one).
      // Whether an entry is a new lead's and where the stage before it was last entered depend on
      // the entry's stage and its path alone: worked out once per stored path and stage (a few
      // hundred) and joined to the entries (0.62 → 0.3 s for the entries at 1M contacts). The
      // entries are read from the rollup's entries index alone (its columns cover them).
      const marks = sql`marks as materialized (
              select p.id as path_id, s.stage,
                     s.stage = any(${past}) and not (p.stages && ${past}) as became,
                     case when s.stage = any(${later})
                          then coalesce((select max(x) from unnest(array_positions(p.stages,
                                 (${all})[array_position(${all}, s.stage) - 1])) x), 0) end as before_pos,
                     cardinality(p.stages) as path_length
                from person_timeline_paths p
                cross join unnest(${entered}) as s(stage)
               where p.workspace_id = ${workspaceId}::uuid
            )`;
      const inPeriod = sql`r.workspace_id = ${workspaceId}::uuid and r.stage = any(${entered})
                 and r.at >= ${from}::timestamptz and r.at < ${to}::timestamptz and r.at <= ${asOf}::timestamptz
                 and r.selects and r.pos is not null ${inSegment(workspaceId, options.filters)}`;
      // The three statements are independent: on PostgreSQL they run side by side.
      const cohort = aggregateRows<{
        kind: string;
        key: string | null;
        leads: Num;
        customers: Num;
      }>(
        db,
        // The new leads grouped by their segments, read from the rollup `contact_segments` (one
        // row per contact: source, persona, quadrant, first touchpoint): the rollup is scanned
        // once and matched with the new leads by hash (a person becomes a new lead once), instead
        // of each lead being looked up in three wide tables. A customer entered the customer stage
        // by asOf (never before becoming a lead: that stage is past the lead stage). The first
        // touchpoint of a person is the earliest of its contacts' (an activity naming a campaign
        // or a source, up to asOf); the rollup keeps each contact's first ever, and the first up to
        // asOf is that one when it is not later, else there is none. Few contacts are merged:
        // those merged into a new lead are found by the merged-into index and looked up by key.
        // Whether a new lead became a customer is tested after the match, against a hash of the
        // customer stage's entries: `offset 0` keeps the planner from testing each of the rollup's
        // million rows in its scan (0.9 → 0.78 s of the statement at 1M contacts).
        sql`with ${marks},
            people as materialized (
              select r.person_id from person_timelines r
                join marks k on k.path_id = r.path_id and k.stage = r.stage and k.became
               where ${inPeriod}
            ),
            merged_touch as (
              select distinct on (m.merged_into_id) m.merged_into_id as person_id, g.first_touch_at,
                     g.first_touch_activity_id, g.campaign
                from contacts m
                cross join lateral (
                  select g.first_touch_at, g.first_touch_activity_id, g.campaign from contact_segments g
                   where g.workspace_id = m.workspace_id and g.contact_id = m.id offset 0) as g
               where m.workspace_id = ${workspaceId}::uuid and m.merged_into_id is not null
                 and m.merged_into_id in (select person_id from people)
                 and g.first_touch_at <= ${asOf}::timestamptz
               order by m.merged_into_id, g.first_touch_at, g.first_touch_activity_id
            ),
            joined as (
              select g.contact_id, g.source, g.persona, g.quadrant,
                     case when mt.person_id is not null
                               and (g.first_touch_at is null or g.first_touch_at > ${asOf}::timestamptz
                                    or (mt.first_touch_at, mt.first_touch_activity_id)
                                       < (g.first_touch_at, g.first_touch_activity_id)) then mt.campaign
                          when g.first_touch_at <= ${asOf}::timestamptz then g.campaign end as campaign
                from contact_segments g
                left join merged_touch mt on mt.person_id = g.contact_id
               where g.workspace_id = ${workspaceId}::uuid and g.contact_id in (select person_id from people)
              offset 0
            ),
            segmented as (
              select j.contact_id in (
                       select k.person_id from person_timelines k
                        where k.workspace_id = ${workspaceId}::uuid and k.stage = ${customerStage}::text
                          and k.at <= ${asOf}::timestamptz and k.selects and k.pos is not null) as customer,
                     j.source, j.persona, j.quadrant, j.campaign
                from joined j
            )
            select case when grouping(source) = 0 then 'source' when grouping(campaign) = 0 then 'campaign'
                        when grouping(persona) = 0 then 'persona' when grouping(quadrant) = 0 then 'quadrant'
                        else 'total' end as kind,
                   coalesce(source, campaign, persona, quadrant) as key,
                   count(*) as leads, count(*) filter (where customer) as customers
              from segmented
             group by grouping sets ((source), (campaign), (persona), (quadrant), ())`,
        { hashJoins: true, noNestedLoops: true },
      );
      const velocity = aggregateRows<{
        stage: string;
        moved: Num;
        skipped: Num;
        median_ms: Num;
        p90_ms: Num;
      }>(
        db,
        // The earlier stage's last entry is most often the entry just before (the last of the
        // path: its instant is `previous_at`); otherwise it is looked up among the person's rows
        // by its position (each position is one entry's). The two kinds are apart, so only the
        // few lookups go through the lateral join.
        sql`with ${marks},
            entries as materialized (
              select r.person_id, r.at, r.stage, r.previous_at, k.path_length,
                     case when r.previous_same_at is null or r.previous_same_at < ${from}::timestamptz
                          then k.before_pos end as before_pos
                from person_timelines r
                join marks k on k.path_id = r.path_id and k.stage = r.stage
               where ${inPeriod}
            ),
            durations as (
              select f.stage, f.before_pos, ${msBetween(sql`f.at`, sql`f.previous_at`)} as ms
                from entries f where f.before_pos = f.path_length and f.before_pos > 0
              union all
              select f.stage, f.before_pos, ${msBetween(sql`f.at`, sql`b.at`)}
                from entries f
                left join lateral (
                  select e.at from person_timelines e
                   where e.workspace_id = ${workspaceId}::uuid and e.person_id = f.person_id and e.pos = f.before_pos
                   limit 1
                ) b on true
               where f.before_pos between 1 and f.path_length - 1
              union all
              select f.stage, 0, null from entries f where f.before_pos = 0
            )
            select stage, count(*) filter (where before_pos > 0) as moved, count(*) filter (where before_pos = 0) as skipped,
                   percentile_cont(0.5) within group (order by ms) as median_ms,
                   percentile_cont(0.9) within group (order by ms) as p90_ms
              from durations group by stage`,
        { hashJoins: true },
      );
      const dealCounts = aggregateRows<Record<string, Num>>(
        db,
        sql`with chosen as (${dealsQuery(workspaceId, options)}),
            marked as (
              select d.*, d.status <> 'open' and d.closed_at >= ${from}::timestamptz
                          and d.closed_at < ${to}::timestamptz and d.closed_at <= ${asOf}::timestamptz as closed
                from chosen d
            )
            select count(*) filter (where closed) as closed,
                   count(*) filter (where closed and status = 'won') as won,
                   sum(amount * 100) filter (where closed and status = 'won' and amount is not null
                                               and coalesce(currency, ${options.currency}::text) = ${options.currency}::text) as won_cents,
                   percentile_cont(0.5) within group (order by ${msBetween(sql`closed_at`, sql`created_at`)})
                     filter (where closed and status = 'won') as cycle_median_ms,
                   percentile_cont(0.9) within group (order by ${msBetween(sql`closed_at`, sql`created_at`)})
                     filter (where closed and status = 'won') as cycle_p90_ms,
                   count(*) filter (where created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz
                                      and created_at <= ${asOf}::timestamptz
                                      and (status = 'open' or closed_at > ${asOf}::timestamptz)) as open_created
              from marked`,
        { lookups: true },
      );
      const [found, durations, [deals]] = await Promise.all([cohort, velocity, dealCounts]);
      const counts: CloseRateCounts = {
        leads: 0,
        customers: 0,
        groups: { source: [], campaign: [], persona: [], quadrant: [] },
        deals: {
          closed: count(deals?.closed),
          won: count(deals?.won),
          wonCents: count(deals?.won_cents),
          cycleMedianMs: numberOrNull(deals?.cycle_median_ms),
          cycleP90Ms: numberOrNull(deals?.cycle_p90_ms),
          openCreated: count(deals?.open_created),
        },
        velocity: {},
      };
      for (const row of found) {
        const group = { key: row.key, leads: count(row.leads), customers: count(row.customers) };
        if (row.kind === 'total') {
          counts.leads = group.leads;
          counts.customers = group.customers;
        } else if (row.kind === 'campaign')
          counts.groups.campaign.push({ ...group, key: decodeUtm(row.key) });
        else if (row.kind === 'source' || row.kind === 'persona' || row.kind === 'quadrant')
          counts.groups[row.kind].push(group);
      }
      for (const row of durations) {
        counts.velocity[row.stage] = {
          moved: count(row.moved),
          skipped: count(row.skipped),
          medianMs: numberOrNull(row.median_ms),
          p90Ms: numberOrNull(row.p90_ms),
        };
      }
      return counts;
    },

    /** Deals of people in the segment created or closed in [from, to) (`wonOnly`: the won ones). */
    async listDeals(workspaceId: string, options: DealsOptions): Promise<DealFacts[]> {
      return (await listDeals(workspaceId, options)).map((row) => ({
        personId: row.person_id,
        amount: row.amount === null ? null : Number(row.amount),
        currency: row.currency,
        status: row.status,
        createdAt: ms(row.created_at),
        closedAt: msOrNull(row.closed_at),
      }));
    },

    /**
     * What attribution reads: the deals won in [from, to) of people in the segment; the
     * touchpoints (activities naming a campaign or UTM parameters) of their people and of every
     * contact of their accounts, up to the last deal's creation; each person's origin
     * (`traits.leadSource`, first transition) and when it became a lead (first entry into one of
     * `leadStages`).
     */
    async listAttributionFacts(
      workspaceId: string,
      options: {
        from: Date;
        to: Date;
        asOf: Date;
        filters: SegmentFilters;
        timezone: string;
        leadStages: readonly string[];
      },
    ): Promise<{
      deals: WonDealFacts[];
      touchpoints: TouchpointFacts[];
      origins: Map<string, OriginFacts>;
      leadAt: Map<string, number>;
    }> {
      // One row of JSON arrays, one element per deal (as the touchpoints' read below).
      const [won] = await rows<{
        deal_id: string[] | null;
        person_id: string[];
        account_id: (string | null)[];
        person_account_id: (string | null)[];
        amount: (number | null)[];
        currency: (string | null)[];
        created_at: number[];
        closed_at: (number | null)[];
      }>(
        db,
        sql`select json_agg(d.deal_id) as deal_id, json_agg(d.person_id) as person_id,
                   json_agg(d.account_id) as account_id, json_agg(d.person_account_id) as person_account_id,
                   json_agg(d.amount) as amount, json_agg(d.currency) as currency,
                   json_agg(${epochMs(sql`d.created_at`)}) as created_at, json_agg(${epochMs(sql`d.closed_at`)}) as closed_at
              from (${dealsQuery(workspaceId, { ...options, wonOnly: true, attribution: true })}) as d`,
      );
      const deals: WonDealFacts[] = [];
      const personAccount = new Map<string, string | null>();
      (won?.deal_id ?? []).forEach((dealId, i) => {
        const wonAt = won?.closed_at[i] ?? null;
        if (wonAt === null || wonAt < options.from.getTime() || wonAt >= options.to.getTime()) return;
        const personId = won?.person_id[i] ?? '';
        const amount = won?.amount[i] ?? null;
        deals.push({
          dealId,
          personId,
          accountId: won?.account_id[i] ?? null,
          amount: amount === null ? null : Number(amount),
          currency: won?.currency[i] ?? null,
          createdAt: won?.created_at[i] ?? 0,
          wonAt,
        });
        if (!personAccount.has(personId)) personAccount.set(personId, won?.person_account_id[i] ?? null);
      });
      if (deals.length === 0) return { deals, touchpoints: [], origins: new Map(), leadAt: new Map() };
      const personIds = [...personAccount.keys()];
      // Each deal person with its account (the touchpoints carry it), known from the deals' read.
      const dealPeople = [...personAccount.entries()].map(([person, account]) => ({ person, account }));
      const accountIds = [
        ...new Set(deals.flatMap((deal) => (deal.accountId === null ? [] : [deal.accountId]))),
      ];
      const until = new Date(Math.max(...deals.map((deal) => deal.createdAt)));
      // The touchpoints and the people's origins are independent reads: on PostgreSQL they run side
      // by side.
      // Each read answers one row of JSON arrays, one element per touchpoint or person: the drivers
      // parse JSON natively, where PGlite's protocol copies every cell of 12,000 rows of five
      // columns (and node-postgres parses each).
      const [[points], [origins]] = await Promise.all([
        rows<{
          person_id: string[] | null;
          account_id: (string | null)[];
          at: number[];
          source: (string | null)[];
          campaign: (string | null)[];
        }>(
          db,
          // The people: the deals' (with the account the deals' read found) and those whose contact
          // is on a deal's account (a merged contact's survivor's account looked up; few are merged).
          sql`with people as (
              select x.person as person_id, x.account as account_id
                from jsonb_to_recordset(${json(dealPeople)}::jsonb) as x(person uuid, account uuid)
              union
              select coalesce(c.merged_into_id, c.id),
                     case when c.merged_into_id is null then c.account_id
                          else (select s.account_id from contacts s
                                 where s.workspace_id = c.workspace_id and s.id = c.merged_into_id) end
                from contacts c
               where c.workspace_id = ${workspaceId}::uuid
                 and c.account_id in (select value::uuid from jsonb_array_elements_text(${json(accountIds)}::jsonb))
            ),
            ${membersCte(workspaceId)}
            select json_agg(t.person_id) as person_id, json_agg(t.account_id) as account_id,
                   json_agg(t.at) as at, json_agg(t.source) as source, json_agg(t.campaign) as campaign
              from (
                select m.person_id, p.account_id, ${epochMs(sql`a.occurred_at`)} as at,
                       ${sourceOf} as source, ${campaignOf} as campaign
                  from members m
                  join people p on p.person_id = m.person_id
                  join activities a on a.workspace_id = ${workspaceId}::uuid and a.contact_id = m.contact_id
                 where a.occurred_at <= ${iso(until)}::timestamptz and ${mayNameCampaign}
                   and (${campaignOf} is not null or ${sourceOf} is not null)
                 -- A person's touchpoints at one millisecond keep one order from run to run (core
                 -- orders them by time and person, stably); the arrays keep it.
                 order by m.person_id, a.occurred_at, a.contact_id, a.id
              ) t`,
        ),
        rows<{
          person_id: string[] | null;
          source: (string | null)[];
          campaign: (string | null)[];
          started_at: number[];
          lead_at: (number | null)[];
        }>(
          db,
          sql`with people as (select distinct value::uuid as person_id from jsonb_array_elements_text(${json(personIds)}::jsonb)),
            ${membersCte(workspaceId)},
            -- Per person, grouped once (a subquery per person scanned every member: quadratic).
            firsts as (
              select m.person_id, min(t.occurred_at) as started_at,
                     -- When the person became a lead, as of asOf (a later move is not known then).
                     min(t.occurred_at) filter (
                       where t.to_stage in (select jsonb_array_elements_text(${json(options.leadStages)}::jsonb))
                         and t.occurred_at <= ${iso(options.asOf)}::timestamptz) as lead_at
                from members m
                join stage_transitions t on t.workspace_id = ${workspaceId}::uuid and t.contact_id = m.contact_id
               group by m.person_id
            )
            select json_agg(p.person_id) as person_id, json_agg(s.traits ->> 'leadSource') as source,
                   json_agg(s.traits ->> 'campaign') as campaign,
                   json_agg(${epochMs(sql`coalesce(f.started_at, s.created_at)`)}) as started_at,
                   json_agg(${epochMs(sql`f.lead_at`)}) as lead_at
              from people p
              join contacts s on s.workspace_id = ${workspaceId}::uuid and s.id = p.person_id
              left join firsts f on f.person_id = p.person_id`,
        ),
      ]);
      const touchpoints: TouchpointFacts[] = (points?.person_id ?? []).map((personId, i) => ({
        personId,
        accountId: points?.account_id[i] ?? null,
        at: points?.at[i] ?? 0,
        source: decodeUtm(points?.source[i] ?? null),
        campaign: decodeUtm(points?.campaign[i] ?? null),
      }));
      const originOf = new Map<string, OriginFacts>();
      const leadAt = new Map<string, number>();
      (origins?.person_id ?? []).forEach((personId, i) => {
        originOf.set(personId, {
          source: origins?.source[i] ?? null,
          campaign: origins?.campaign[i] ?? null,
          at: origins?.started_at[i] ?? 0,
        });
        const lead = origins?.lead_at[i] ?? null;
        if (lead !== null) leadAt.set(personId, lead);
      });
      return { deals, touchpoints, origins: originOf, leadAt };
    },

    /** Spend rows whose days overlap the local dates [fromDay, toDay]. */
    async listSpend(workspaceId: string, fromDay: string, toDay: string): Promise<SpendFacts[]> {
      const found = await rows<{
        campaign: string;
        source: string;
        period_start: unknown;
        period_end: unknown;
        amount: unknown;
        currency: string;
      }>(
        db,
        sql`select campaign, source, period_start::text as period_start, period_end::text as period_end, amount, currency
              from campaign_spend
             where workspace_id = ${workspaceId}::uuid
               and period_end >= ${fromDay}::date and period_start <= ${toDay}::date
             order by campaign, source, period_start`,
      );
      return found.map((row) => ({
        campaign: row.campaign,
        source: row.source,
        periodStart: String(row.period_start),
        periodEnd: String(row.period_end),
        amount: Number(row.amount),
        currency: row.currency,
      }));
    },

    /**
     * Stores spend rows, replacing the row of the same campaign, source and first day; answers how
     * many were new and how many replaced one.
     */
    async upsertSpend(
      workspaceId: string,
      spend: readonly SpendFacts[],
      imported: { at: Date; by: string },
    ): Promise<{ inserted: number; updated: number }> {
      if (spend.length === 0) return { inserted: 0, updated: 0 };
      const found = await rows<{ inserted: boolean }>(
        db,
        sql`insert into campaign_spend (workspace_id, campaign, source, period_start, period_end, amount, currency,
              imported_at, imported_by)
            select ${workspaceId}::uuid, x.campaign, x.source, x."periodStart", x."periodEnd", x.amount, x.currency,
                   ${iso(imported.at)}::timestamptz, ${imported.by}::text
              from jsonb_to_recordset(${json(spend)}::jsonb) as x(campaign text, source text, "periodStart" date,
                   "periodEnd" date, amount numeric, currency text)
            on conflict (workspace_id, campaign, source, period_start) do update set
              period_end = excluded.period_end, amount = excluded.amount, currency = excluded.currency,
              imported_at = excluded.imported_at, imported_by = excluded.imported_by
            returning (xmax = 0) as inserted`,
      );
      const inserted = found.filter((row) => row.inserted === true || String(row.inserted) === 'true').length;
      return { inserted, updated: found.length - inserted };
    },
  };
}
