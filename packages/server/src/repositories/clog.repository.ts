import {
  type ClogGroup,
  type ClogLeadQuery,
  type ClogLeadSample,
  type ClogPerson,
  type ClogWindows,
  censoredSampleOf,
  type SegmentFilters,
} from '@smarketing/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { json, rows } from './contact-write.repository.ts';
import { isUuid } from './query-helpers.ts';
import { aggregateRows, epochMs, inSegment, msBetween, textArray } from './report.repository.ts';

/** Segment keys read from somewhere other than the contact's traits. */
const stateKeys = new Set(['team', 'rep', 'quadrant', 'persona']);
/** Named segment keys that are traits under another name. */
const traitNames: Record<string, string> = { source: 'leadSource' };

/** What the clog statements are asked: the main stages in order, the windows, the instant, the segment. */
export type ClogSelection = {
  stages: readonly string[];
  windows: ClogWindows;
  asOf: Date;
  /** The end of the period: the people selected moved in [windows.earliest, to). */
  to: Date;
  filters: SegmentFilters;
};

type Num = string | number | null;

/** The four windows of the samples: conversion (decided) and time (entered), current and baseline. */
type ClogKind = 'dc' | 'db' | 'ec' | 'eb';

/**
 * The stays that meet `condition`, each as its 8 bytes of `float8send` (a big-endian double), in one
 * `bytea`; null for none. About a million at 1M contacts: as JSON text they cost the server ~50 ms
 * more to write, and the driver as much again to parse.
 */
const packed = (condition: SQL) => sql`string_agg(float8send(x.stay), ''::bytea) filter (where ${condition})`;

/** The doubles of a `packed` value. */
function packedTimes(bytes: Uint8Array | null): Float64Array {
  if (bytes === null) return new Float64Array(0);
  if (bytes.byteLength % 8 !== 0)
    throw new Error(`packed times: ${bytes.byteLength} bytes is not a whole number of doubles`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const times = new Float64Array(bytes.byteLength / 8);
  for (let index = 0; index < times.length; index++) times[index] = view.getFloat64(index * 8);
  return times;
}

/**
 * The samples of core `clogSamplesFromTimelines`, read from the rollup `person_timelines`: per main
 * stage but the last and window, each person's first entry in it (`previous_same_at` before the
 * window's start), with its time in stage (to the next entry, or censored at asOf) and, for the
 * conversion windows (shifted back by the horizon), whether a later main stage was entered within
 * the horizon. One row per entry, flagged with the windows asked for (`kinds`): `dc`/`db`
 * conversion current/baseline, `ec`/`eb` time current/baseline. Only what is asked is worked out:
 * the conversion (a lookup for some) for conversion windows, the time in stage for time windows or
 * `times`; `stillIn` keeps the entries still in the stage at asOf.
 */
function clogSamples(
  workspaceId: string,
  selection: ClogSelection,
  stages: readonly string[],
  options: { kinds: readonly ClogKind[]; times?: boolean; stillIn?: boolean; reused?: boolean },
): SQL {
  const { windows } = selection;
  const asOf = selection.asOf.toISOString();
  const instant = (ms: number) => new Date(ms).toISOString();
  const h = windows.horizonMs;
  const asked = (
    [
      { kind: 'dc', from: windows.current.from - h, to: windows.current.to - h },
      { kind: 'db', from: windows.baseline.from - h, to: windows.baseline.to - h },
      { kind: 'ec', from: windows.current.from, to: windows.current.to },
      { kind: 'eb', from: windows.baseline.from, to: windows.baseline.to },
    ] as const
  ).filter((w) => options.kinds.includes(w.kind));
  const decided = asked.some((w) => w.kind === 'dc' || w.kind === 'db');
  const times = options.times === true || asked.some((w) => w.kind === 'ec' || w.kind === 'eb');
  const lowest = Math.min(...asked.map((w) => w.from));
  const highest = Math.max(...asked.map((w) => w.to));
  // One flag per window asked: the row is the person's first entry into the stage in it.
  const flags = sql.join(
    asked.map(
      (w) =>
        sql`r.at >= ${instant(w.from)}::timestamptz and r.at < ${instant(w.to)}::timestamptz
            and (r.previous_same_at is null or r.previous_same_at < ${instant(w.from)}::timestamptz) as ${sql.raw(w.kind)}`,
    ),
    sql`, `,
  );
  const within = sql`make_interval(secs => ${h / 1000}::float8)`;
  const mainStages = textArray(selection.stages);
  // A later entry comes no sooner than the next one: only a decided entry whose next one falls
  // within the horizon can have converted. When the next one is into a later stage, it has (most
  // do); otherwise its later entries are looked up.
  const converted = decided
    ? sql`, case when not (${sql.raw(
        asked
          .filter((w) => w.kind === 'dc' || w.kind === 'db')
          .map((w) => `f.${w.kind}`)
          .join(' or '),
      )}) or f.next_at is null or f.next_at > f.at + ${within} then false
             when f.next_at <= ${asOf}::timestamptz
              and array_position(${mainStages}, f.next_stage) > array_position(${mainStages}, f.stage) then true
             else exists (
               select 1 from person_timelines k
                where k.workspace_id = ${workspaceId}::uuid and k.person_id = f.person_id and k.n > f.n
                  and k.pos is not null and k.at <= ${asOf}::timestamptz and k.at <= f.at + ${within}
                  and array_position(${mainStages}, k.stage) > array_position(${mainStages}, f.stage)) end as converted`
    : sql``;
  // The time in stage to the next entry, or so far (censored). `least` skips a null next entry.
  const stay = times
    ? sql`, r.next_at is null or r.next_at > ${asOf}::timestamptz as censored,
           ${msBetween(sql`least(r.next_at, ${asOf}::timestamptz)`, sql`r.at`)} as stay`
    : sql``;
  // One range scan of the rollup for the windows asked (they overlap: conversion's are the time
  // windows shifted back by the horizon), each row flagged with the windows it falls in. Whether a
  // decided entry converted is worked out once per row (`offset 0` keeps the planner from
  // repeating the lookup in every aggregate that reads it); a rollup read twice (segments) is
  // materialised instead.
  return sql`samples as ${options.reused === true ? sql`materialized` : sql`not materialized`} (
      select * from (
        select f.* ${converted}
          from (
            select r.person_id, r.n, r.stage, r.at, r.next_at, r.next_stage, ${flags} ${stay}
              from person_timelines r
             where r.workspace_id = ${workspaceId}::uuid
               and r.stage = any(${textArray(stages)})
               and r.at >= ${instant(lowest)}::timestamptz and r.at < ${instant(highest)}::timestamptz
               and r.at <= ${asOf}::timestamptz and r.selects and r.pos is not null
               ${options.stillIn === true ? sql`and (r.next_at is null or r.next_at > ${asOf}::timestamptz)` : sql``}
               ${inSegment(workspaceId, selection.filters)}
          ) as f
         where ${sql.raw(asked.map((w) => `f.${w.kind}`).join(' or '))}
        offset 0
      ) as x
    )`;
}

/**
 * A person's values of the segment keys asked for, as rows (key, value), the way `listPeople`
 * reads them: owner team and rep, quadrant, the fit's personas, or a trait (lower case; numbers
 * without trailing zeros; objects and empty values left out).
 */
function segmentValues(workspaceId: string, keys: readonly string[], person: SQL): SQL {
  const parts = keys.map((key) => {
    if (key === 'team') return sql`select ${key}::text, cs.owner_team_id`;
    if (key === 'rep') return sql`select ${key}::text, cs.owner_rep_id`;
    if (key === 'quadrant') return sql`select ${key}::text, sc.quadrant`;
    if (key === 'persona')
      return sql`select distinct ${key}::text, p.value
                   from jsonb_array_elements(case when jsonb_typeof(cs.state #> '{fit,personas}') = 'array'
                                                           then cs.state #> '{fit,personas}' else '[]' end) as e(v)
                   cross join lateral (select case jsonb_typeof(e.v) when 'string' then e.v #>> '{}'
                                                when 'number' then trim_scale((e.v #>> '{}')::numeric)::text
                                                when 'boolean' then e.v #>> '{}' end as value) as p`;
    const trait = traitNames[key] ?? (key.startsWith('trait.') ? key.slice('trait.'.length) : key);
    return sql`select ${key}::text, lower(case jsonb_typeof(s.traits -> ${trait}::text)
                                            when 'string' then s.traits ->> ${trait}::text
                                            when 'number' then trim_scale((s.traits ->> ${trait}::text)::numeric)::text
                                            when 'boolean' then s.traits ->> ${trait}::text end)`;
  });
  return sql`cross join lateral (
      select k.key, k.value from contacts s
        left join contact_states cs on cs.workspace_id = s.workspace_id and cs.contact_id = s.id
        left join scores sc on sc.workspace_id = s.workspace_id and sc.contact_id = s.id
        cross join lateral (${sql.join(parts, sql` union all `)}) as k(key, value)
       where s.workspace_id = ${workspaceId}::uuid and s.id = ${person} and k.value is not null and k.value <> ''
    ) as g`;
}

/**
 * What the clog report needs of each person (a surviving contact): a name and e-mail to list the
 * leads concerned, and the values of the segment keys asked for — `team`, `rep` (current owner),
 * `quadrant` (current scores), `persona` (the engine's latest fit, possibly several), `source`
 * (`traits.leadSource`) and any other trait (`country`, `industry`, `trait.<key>` or a bare key).
 */
export function createClogRepository(db: Db) {
  return {
    /**
     * Every stage × segment group's conversion counts and times in stage (core `ClogGroup`), in
     * one statement over the rollup; segments only for the keys asked for.
     */
    async clogGroups(
      workspaceId: string,
      selection: ClogSelection & { segmentBy: readonly string[] },
    ): Promise<ClogGroup[]> {
      const tested = selection.stages.slice(0, -1);
      if (tested.length === 0) return [];
      // Everyone's group, and each sample once more per segment value of its person (the values
      // read once per person, not once per sample).
      const segmented =
        selection.segmentBy.length === 0
          ? sql``
          : sql`union all
                select x.*, g.key, g.value from samples x join (
                  select p.person_id, g.key, g.value from (select distinct person_id from samples) p
                    ${segmentValues(workspaceId, selection.segmentBy, sql`p.person_id`)}
                ) g on g.person_id = x.person_id`;
      const reused = selection.segmentBy.length > 0;
      const groupedBy = sql`from (select x.*, null::text as key, null::text as value from samples x ${segmented}) as x
             group by x.stage, x.key, x.value`;
      // By segment, the statements join every sampled person (~450,000 at 1M contacts) to their
      // values, and group twice as many rows as there are samples: hashed, not looked up one by one
      // nor sorted (the planner, guessing 200 people, would do both, the sort spilling to disk).
      // Serial: the two statements run side by side, one core each; the conversion's parallel scan
      // took the other's core (1M contacts: report 1.07–1.13 s with it, 0.91–0.93 s without).
      const settings = { serial: true, ...(reused ? { noNestedLoops: true, hashAggregates: true } : {}) };
      // Conversion and time side by side, each over the windows it needs (on PostgreSQL two
      // backends; the conversion's key lookups are most of its time, the times' JSON of theirs).
      const [conversions, times] = await Promise.all([
        aggregateRows<
          { stage: string; key: string | null; segment_value: string | null } & Record<string, Num>
        >(
          db,
          sql`with ${clogSamples(workspaceId, selection, tested, { kinds: ['dc', 'db'], reused })}
              select x.stage, x.key, x.value as segment_value,
                     count(*) filter (where x.dc) as dc,
                     count(*) filter (where x.dc and x.converted) as dc_converted,
                     count(*) filter (where x.db) as db,
                     count(*) filter (where x.db and x.converted) as db_converted
                ${groupedBy}`,
          settings,
        ),
        aggregateRows<{
          stage: string;
          key: string | null;
          segment_value: string | null;
          // Packed times (`packedTimes`). Times still in the stage and times that ended, apart: no
          // flag per time.
          ec_ended: Uint8Array | null;
          ec_open: Uint8Array | null;
          eb_ended: Uint8Array | null;
          eb_open: Uint8Array | null;
        }>(
          db,
          sql`with ${clogSamples(workspaceId, selection, tested, { kinds: ['ec', 'eb'], reused })}
              select x.stage, x.key, x.value as segment_value,
                     ${packed(sql`x.ec and not x.censored`)} as ec_ended,
                     ${packed(sql`x.ec and x.censored`)} as ec_open,
                     ${packed(sql`x.eb and not x.censored`)} as eb_ended,
                     ${packed(sql`x.eb and x.censored`)} as eb_open
                ${groupedBy}`,
          settings,
        ),
      ]);
      const name = (row: { stage: string; key: string | null; segment_value: string | null }) =>
        `${row.stage}\u0000${row.key ?? ''}\u0000${row.segment_value ?? ''}`;
      const sample = (ended: Uint8Array | null, open: Uint8Array | null) =>
        censoredSampleOf(packedTimes(ended), packedTimes(open));
      const groups = new Map<string, ClogGroup>();
      const group = (row: { stage: string; key: string | null; segment_value: string | null }) => {
        const found = groups.get(name(row));
        if (found) return found;
        const created: ClogGroup = {
          stage: row.stage,
          segment: row.key === null ? null : { key: row.key, value: row.segment_value as string },
          conversion: { current: { entries: 0, converted: 0 }, baseline: { entries: 0, converted: 0 } },
          time: { current: censoredSampleOf([], []), baseline: censoredSampleOf([], []) },
        };
        groups.set(name(row), created);
        return created;
      };
      for (const row of conversions) {
        group(row).conversion = {
          current: { entries: Number(row.dc ?? 0), converted: Number(row.dc_converted ?? 0) },
          baseline: { entries: Number(row.db ?? 0), converted: Number(row.db_converted ?? 0) },
        };
      }
      for (const row of times) {
        group(row).time = {
          current: sample(row.ec_ended, row.ec_open),
          baseline: sample(row.eb_ended, row.eb_open),
        };
      }
      return [...groups.values()];
    },

    /**
     * A clog's leads concerned (core `clogSamplesFromTimelines().leads`): the period's decided
     * entries that did not convert, or its entries still in the stage; longest first, at most `limit`.
     */
    async clogLeads(
      workspaceId: string,
      selection: ClogSelection,
      query: ClogLeadQuery,
      limit: number,
    ): Promise<ClogLeadSample[]> {
      const kind = query.metric === 'conversion' ? ('dc' as const) : ('ec' as const);
      const concerned = query.metric === 'conversion' ? sql`not x.converted` : sql`x.censored`;
      const segment =
        query.segment === null
          ? { join: sql``, where: sql`` }
          : {
              join: segmentValues(workspaceId, [query.segment.key], sql`x.person_id`),
              where: sql`and g.key = ${query.segment.key}::text and g.value = ${query.segment.value}::text`,
            };
      const found = await aggregateRows<{
        person_id: string;
        entered_ms: Num;
        stay: Num;
        censored: boolean;
      }>(
        db,
        sql`with ${clogSamples(workspaceId, selection, [query.stage], { kinds: [kind], times: true, stillIn: query.metric === 'time-in-stage' })}
            select x.person_id, ${epochMs(sql`x.at`)} as entered_ms, x.stay, x.censored
              from samples x ${segment.join}
             where ${concerned} ${segment.where}
             order by x.stay desc, x.person_id
             limit ${limit}`,
      );
      return found.map((row) => ({
        personId: row.person_id,
        enteredAt: Number(row.entered_ms),
        time: { value: Number(row.stay), censored: Boolean(row.censored) },
      }));
    },

    /**
     * Per stage asked: the share of the selected people (moved in [earliest, to), in the segment)
     * who entered it before `before` and, after that first such entry, entered the last stage by
     * asOf (core's downstream rate). One statement for all the stages.
     */
    async downstreamRates(
      workspaceId: string,
      selection: ClogSelection,
      stagesAsked: readonly string[],
    ): Promise<Map<string, number | null>> {
      const rates = new Map<string, number | null>(stagesAsked.map((stage) => [stage, null]));
      if (stagesAsked.length === 0) return rates;
      const last = selection.stages.at(-1) ?? '';
      const asOf = selection.asOf.toISOString();
      const before = new Date(selection.windows.current.from).toISOString();
      // A stage's first entry is its entry with no earlier one (`previous_same_at` null): no sort
      // to find it. Its person is selected when they moved in [earliest, to): a person's rows are in
      // time order and all `selects` or none, so a first entry at or after `earliest` (and before
      // `before`, so before `to`) selects its person by itself; only an older one needs a look at
      // the person's later rows. (Hashing every person who moved, ~1M rows at 1M contacts, to
      // match a stage's few ten thousand first entries cost 0.3 s.)
      const earliest = new Date(selection.windows.earliest).toISOString();
      const statement = sql`with firsts as (
              select r.stage, r.person_id, r.n
                from person_timelines r
               where r.workspace_id = ${workspaceId}::uuid
                 and r.stage = any(${textArray(stagesAsked)}) and r.previous_same_at is null
                 and r.at < ${before}::timestamptz and r.at <= ${asOf}::timestamptz and r.pos is not null
                 and r.selects
                 and (r.at >= ${earliest}::timestamptz or exists (
                   select 1 from person_timelines s
                    where s.workspace_id = ${workspaceId}::uuid and s.person_id = r.person_id and s.n > r.n
                      and s.at >= ${earliest}::timestamptz and s.at < ${selection.to.toISOString()}::timestamptz))
                 ${inSegment(workspaceId, selection.filters)}
            )
            -- Reaching the last stage after a first entry: the person's latest entry into it is later.
            -- (The last stage's few entries hashed, instead of a key lookup per first entry.)
            select f.stage, count(*) as reached,
                   count(*) filter (where f.stage = ${last}::text or k.last_n > f.n) as closed
              from firsts f
              left join (
                select k.person_id, max(k.n) as last_n from person_timelines k
                 where k.workspace_id = ${workspaceId}::uuid and k.stage = ${last}::text
                   and k.pos is not null and k.at <= ${asOf}::timestamptz
                 group by k.person_id
              ) as k on k.person_id = f.person_id
             group by f.stage`;
      const found = await aggregateRows<{ stage: string; reached: Num; closed: Num }>(db, statement);
      for (const row of found) {
        const reached = Number(row.reached ?? 0);
        rates.set(row.stage, reached === 0 ? null : Number(row.closed ?? 0) / reached);
      }
      return rates;
    },

    async listPeople(
      workspaceId: string,
      personIds: readonly string[],
      segmentKeys: readonly string[],
    ): Promise<Map<string, ClogPerson>> {
      const people = new Map<string, ClogPerson>();
      if (!isUuid(workspaceId) || personIds.length === 0) return people;
      const traitKeys = segmentKeys
        .filter((key) => !stateKeys.has(key))
        .map((key) => traitNames[key] ?? (key.startsWith('trait.') ? key.slice('trait.'.length) : key));
      const found = await rows<{
        person_id: string;
        email: string | null;
        traits: Record<string, unknown> | null;
        team: string | null;
        rep: string | null;
        quadrant: string | null;
        personas: unknown;
      }>(
        db,
        sql`select s.id as person_id, s.email,
                   (select jsonb_object_agg(k, s.traits -> k)
                      from jsonb_array_elements_text(${json([...traitKeys, 'name', 'firstName', 'lastName'])}::jsonb) as k
                     where s.traits ? k) as traits,
                   cs.owner_team_id as team, cs.owner_rep_id as rep, sc.quadrant,
                   cs.state -> 'fit' -> 'personas' as personas
              from jsonb_array_elements_text(${json(personIds)}::jsonb) as p(id)
              join contacts s on s.workspace_id = ${workspaceId}::uuid and s.id = p.id::uuid
              left join contact_states cs on cs.workspace_id = s.workspace_id and cs.contact_id = s.id
              left join scores sc on sc.workspace_id = s.workspace_id and sc.contact_id = s.id`,
      );
      for (const row of found) {
        const traits = row.traits ?? {};
        const text = (value: unknown) =>
          value === null || value === undefined || typeof value === 'object' ? null : String(value);
        const segments: Record<string, string[]> = {};
        for (const key of segmentKeys) {
          let values: (string | null)[];
          if (key === 'team') values = [row.team];
          else if (key === 'rep') values = [row.rep];
          else if (key === 'quadrant') values = [row.quadrant];
          else if (key === 'persona') values = Array.isArray(row.personas) ? row.personas.map(text) : [];
          else {
            const trait = traitNames[key] ?? (key.startsWith('trait.') ? key.slice('trait.'.length) : key);
            values = [text(traits[trait])?.toLowerCase() ?? null];
          }
          segments[key] = values.filter((value): value is string => value !== null && value !== '');
        }
        const name =
          text(traits.name) ??
          ([text(traits.firstName), text(traits.lastName)].filter((part) => part !== null).join(' ') || null);
        people.set(row.person_id, { name, email: row.email, segments });
      }
      return people;
    },
  };
}
