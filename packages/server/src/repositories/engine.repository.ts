import type {
  Assignment,
  ContactState,
  EngineAlert,
  EngineStep,
  EngineTransition,
  RoutingState,
  SlaClock,
  Traits,
} from '@smarketing/core';
import { emptyRoutingState } from '@smarketing/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

/**
 * Storage of the engine: reading the facts in the engine's order (`seq`) and writing what the
 * engine derives from them. Rows go in and out as one JSON parameter (`jsonb_to_recordset`), so
 * a batch of any size is a handful of statements on both drivers.
 */
type Row = Record<string, unknown>;

async function rows<T extends Row>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

const json = (value: unknown) => JSON.stringify(value);
const iso = (at: number | undefined | null) =>
  at === undefined || at === null ? null : new Date(at).toISOString();

export type EngineCursor = { cursor: number; routing: RoutingState; agreementVersion: number };

/** A contact's derived state as stored, with the columns reports and queues read. */
type StoredContactState = {
  state: ContactState;
  nextDueAt: number | undefined;
  agreementVersion: number;
  /** The interest score's explanation as of the state's `now`. */
  interestExplanation: unknown;
};

export type EngineWrite = {
  states: StoredContactState[];
  transitions: EngineTransition[];
  assignments: Assignment[];
  clocks: (SlaClock & { contactId: string })[];
  alerts: EngineAlert[];
  accountOwners: { accountId: string; repId: string }[];
  agreementVersion: number;
};

/**
 * The facts of the engine's order after `after` and up to `upTo`, the first `limit` of them, in
 * one statement: each table's next `limit` rows (by its `(workspace_id, seq)` index) in a common
 * shape — `kind`, `seq`, `contact_id`, `at`, then the kind's own fields as `a`–`d` (text) and
 * `e`–`f` (JSON) — merged by seq. One round trip, so a replay can fold a chunk while the next
 * one is read.
 */
const stepsQuery = (workspaceId: string, after: number, upTo: number, limit: number) =>
  sql`select * from (
        (select 'contact' as kind, cc.seq, cc.contact_id, c.created_at as at, cc.email as a,
                cc.account_id::text as b, cc.merged_into_id::text as c, null::text as d, cc.traits as e,
                cc.account_traits as f
           from contact_changes cc
           join contacts c on c.workspace_id = cc.workspace_id and c.id = cc.contact_id
          where cc.workspace_id = ${workspaceId} and cc.seq > ${after} and cc.seq <= ${upTo}
          order by cc.seq limit ${limit})
        union all
        (select 'activity', seq, contact_id, occurred_at, activity_type, null, null, null, null, null
           from activities
          where workspace_id = ${workspaceId} and seq > ${after} and seq <= ${upTo} order by seq limit ${limit})
        union all
        (select 'touch', seq, contact_id, occurred_at, rep_id, kind, null, null, null, null from touches
          where workspace_id = ${workspaceId} and seq > ${after} and seq <= ${upTo} order by seq limit ${limit})
        union all
        (select 'feedback', seq, contact_id, occurred_at, rep_id, verdict, reason, null, null, null from feedback
          where workspace_id = ${workspaceId} and seq > ${after} and seq <= ${upTo} order by seq limit ${limit})
        union all
        (select 'deal', seq, contact_id, occurred_at, kind, reason, null, null, null, null from deal_events
          where workspace_id = ${workspaceId} and seq > ${after} and seq <= ${upTo} order by seq limit ${limit})
        union all
        (select 'stage', seq, contact_id, occurred_at, to_stage, cause, actor, reason, null, null
           from stage_transitions
          where workspace_id = ${workspaceId} and seq > ${after} and seq <= ${upTo}
            and cause in ('import', 'person') and coalesce(external_id, '') not like 'engine:%'
          order by seq limit ${limit})
        union all
        (select 'reassign', seq, contact_id, occurred_at, to_rep_id, actor, reason, null, null, null
           from reassignments
          where workspace_id = ${workspaceId} and seq > ${after} and seq <= ${upTo} order by seq limit ${limit})
        union all
        (select 'tick', seq, null, at, null, null, null, null, null, null from engine_ticks
          where workspace_id = ${workspaceId} and seq > ${after} and seq <= ${upTo} order by seq limit ${limit})
      ) facts order by seq limit ${limit}`;

/**
 * `stepsQuery` as JSON arrays of arrays (`[kind, seq, contact_id, at, a, …, f]`, `at` in epoch
 * milliseconds, rounded down as the drivers read a timestamp into a Date), one value per
 * `stepsPerValue` steps in seq order: a replay reads 20,000 rows a chunk, and a few JSON values
 * parse in a fraction of the time the drivers take to parse as many rows (1.15M steps: 3.7 -> 2.2 s
 * of Node's time). Bounded so that no value nears PostgreSQL's 1 GB or V8's string limit, whatever
 * the size of contacts' traits.
 */
const stepsPerValue = 256;
const stepsJsonQuery = (workspaceId: string, after: number, upTo: number, limit: number) =>
  sql`select json_agg(json_build_array(kind, seq, contact_id, floor(extract(epoch from at) * 1000),
                                       a, b, c, d, e, f) order by seq) as steps
        from (select *, (row_number() over (order by seq) - 1) / ${stepsPerValue} as part
                from (${stepsQuery(workspaceId, after, upTo, limit)}) facts) steps
       group by part order by part`;

type StepKind = EngineStep['kind'];

type StepRow = [StepKind, number, string | null, number, ...unknown[]];

function toStep([kind, seq, contact, at, a, b, c, d, e, f]: StepRow): EngineStep {
  const row = { a, b, c, d, e, f };
  const contactId = String(contact);
  const text = (value: unknown) => (value as string | null) ?? null;
  switch (kind) {
    case 'contact':
      return {
        kind,
        seq,
        at,
        contactId,
        email: text(row.a),
        accountId: text(row.b),
        traits: (row.e ?? {}) as Traits,
        ...(row.f ? { accountTraits: row.f as Traits } : {}),
        mergedIntoId: text(row.c),
      };
    case 'activity':
      return { kind, seq, at, contactId, activityType: text(row.a) };
    case 'touch':
      return { kind, seq, at, contactId, repId: String(row.a), touchKind: row.b as never };
    case 'feedback':
      return { kind, seq, at, contactId, repId: String(row.a), verdict: row.b as never, reason: text(row.c) };
    case 'deal':
      return { kind, seq, at, contactId, event: row.a as never, reason: text(row.b) };
    case 'stage':
      return {
        kind,
        seq,
        at,
        contactId,
        to: String(row.a),
        cause: row.b as 'import' | 'person',
        actor: text(row.c),
        reason: text(row.d),
      };
    case 'reassign':
      return { kind, seq, at, contactId, repId: String(row.a), actor: String(row.b), reason: text(row.c) };
    case 'tick':
      return { kind, seq, at };
  }
}

/** Saves the cursor; answers the row's new version (`xmin`, see `findCursor`). */
const saveCursorQuery = (workspaceId: string, cursor: EngineCursor, at: Date) =>
  sql`insert into engine_states (workspace_id, cursor, routing, agreement_version, updated_at)
      values (${workspaceId}, ${cursor.cursor}, ${json(cursor.routing)}::jsonb, ${cursor.agreementVersion}, ${at.toISOString()})
      on conflict (workspace_id) do update set cursor = excluded.cursor, routing = excluded.routing,
        agreement_version = excluded.agreement_version, updated_at = excluded.updated_at
      returning xmin::text as version`;

/**
 * What one batch (or a chunk of a replay) derived, as one statement (an insert per table, as
 * data-modifying `with` queries), or undefined when there is nothing to write. With a cursor,
 * the statement saves it too and answers the cursor row's new version. The rows are
 * serialised when this is called, so the caller may go on changing the states meanwhile.
 */
function buildEngineWrite(
  workspaceId: string,
  write: EngineWrite,
  cursor: { cursor: EngineCursor; at: Date },
): SQL;
function buildEngineWrite(workspaceId: string, write: EngineWrite): SQL | undefined;
function buildEngineWrite(
  workspaceId: string,
  write: EngineWrite,
  cursor?: { cursor: EngineCursor; at: Date },
): SQL | undefined {
  const version = write.agreementVersion;
  const parts: SQL[] = [];
  // The states' rows are parsed once (a materialised source) for both their own table and scores.
  const sources: SQL[] = [];
  if (write.states.length > 0) {
    const stateRows = write.states.map(({ state, nextDueAt, agreementVersion, interestExplanation }) => ({
      contactId: state.contactId,
      stage: state.position.stage,
      stageSince: iso(state.position.since),
      furthestStage: state.position.furthest,
      detour: state.position.detour?.id ?? null,
      ownerRepId: state.owner?.repId ?? null,
      ownerTeamId: state.owner?.teamId ?? null,
      nextDueAt: iso(nextDueAt),
      state,
      // Only a contact not merged into another has a score of its own (a replay writes none).
      interestExplanation: state.mergedIntoId === undefined ? interestExplanation : null,
      agreementVersion,
      lastSeq: 0,
      updatedAt: iso(state.now),
    }));
    sources.push(
      sql`state_rows as materialized (
            select * from jsonb_to_recordset(${json(stateRows)}::jsonb) as x("contactId" uuid, stage text,
                 "stageSince" timestamptz, "furthestStage" text, detour text, "ownerRepId" text,
                 "ownerTeamId" text, "nextDueAt" timestamptz, state jsonb, "interestExplanation" jsonb,
                 "agreementVersion" int, "lastSeq" bigint, "updatedAt" timestamptz))`,
    );
    parts.push(
      sql`insert into contact_states (workspace_id, contact_id, stage, stage_since, furthest_stage, detour,
            owner_rep_id, owner_team_id, next_due_at, state, agreement_version, last_seq, updated_at)
          select ${workspaceId}::uuid, x."contactId", x.stage, x."stageSince", x."furthestStage", x.detour,
                 x."ownerRepId", x."ownerTeamId", x."nextDueAt", x.state, x."agreementVersion", x."lastSeq", x."updatedAt"
            from state_rows x
          on conflict (workspace_id, contact_id) do update set stage = excluded.stage,
            stage_since = excluded.stage_since, furthest_stage = excluded.furthest_stage, detour = excluded.detour,
            owner_rep_id = excluded.owner_rep_id, owner_team_id = excluded.owner_team_id,
            next_due_at = excluded.next_due_at, state = excluded.state,
            agreement_version = excluded.agreement_version, updated_at = excluded.updated_at`,
    );
    // A contact merged into another has no score of its own any more.
    if (write.states.some(({ state }) => state.mergedIntoId !== undefined)) {
      parts.push(
        sql`delete from scores where workspace_id = ${workspaceId}
              and contact_id in (select x."contactId" from state_rows x where x."interestExplanation" is null)`,
      );
    }
    // The scores' row is read from the state itself (fit, grade and personas, interest, quadrant),
    // with the interest's explanation as of the state's instant: nothing of the state is sent twice.
    parts.push(
      sql`insert into scores (workspace_id, contact_id, fit, interest, quadrant, fit_grade, explanation,
            agreement_version, computed_at)
          select ${workspaceId}::uuid, x."contactId", (x.state #>> '{fit,score}')::float8,
                 (x.state ->> 'interestScore')::float8, x.state ->> 'quadrant', x.state #>> '{fit,grade}',
                 jsonb_build_object('fit', x.state #> '{fit,contributions}', 'interest', x."interestExplanation",
                                    'personas', x.state #> '{fit,personas}'),
                 x."agreementVersion", x."updatedAt"
            from state_rows x where x."interestExplanation" is not null
          on conflict (workspace_id, contact_id) do update set fit = excluded.fit, interest = excluded.interest,
            quadrant = excluded.quadrant, fit_grade = excluded.fit_grade, explanation = excluded.explanation,
            agreement_version = excluded.agreement_version, computed_at = excluded.computed_at`,
    );
  }
  if (write.transitions.length > 0) {
    const transitionRows = write.transitions.map((move) => ({
      contactId: move.contactId,
      id: move.id,
      fromStage: move.from,
      toStage: move.to,
      occurredAt: iso(move.at),
      cause: move.cause,
      actor: move.actor ?? null,
      ruleId: move.ruleId ?? null,
      reason: move.reason ?? null,
    }));
    parts.push(
      // seq 0: the engine's own rows are outputs, not facts for it to read again.
      sql`insert into stage_transitions (workspace_id, contact_id, id, seq, from_stage, to_stage, occurred_at,
            recorded_at, cause, actor, rule_id, reason, agreement_version, external_id)
          select ${workspaceId}::uuid, x."contactId", x.id, 0, x."fromStage", x."toStage", x."occurredAt",
                 x."occurredAt", x.cause, x.actor, x."ruleId", x.reason, ${version}, 'engine:' || x.id
            from jsonb_to_recordset(${json(transitionRows)}::jsonb) as x("contactId" uuid, id uuid, "fromStage" text,
                 "toStage" text, "occurredAt" timestamptz, cause text, actor text, "ruleId" text, reason text)`,
    );
  }
  if (write.assignments.length > 0) {
    parts.push(
      sql`insert into assignments (workspace_id, contact_id, id, rep_id, team_id, reason_kind, reason, assigned_at,
            agreement_version)
          select ${workspaceId}::uuid, x."contactId", x.id, x."repId", x."teamId", x."reasonKind", x.reason,
                 to_timestamp(x.at / 1000.0), ${version}
            from jsonb_to_recordset(${json(write.assignments)}::jsonb) as x("contactId" uuid, id uuid, "repId" text,
                 "teamId" text, "reasonKind" text, reason text, at float8)`,
    );
  }
  if (write.clocks.length > 0) {
    const clockRows = write.clocks.map((clock) => ({
      ...clock,
      startedAt: iso(clock.startedAt),
      deadlineAt: iso(clock.deadlineAt),
      stoppedAt: iso(clock.stoppedAt),
      breachedAt: iso(clock.breachedAt),
      stopCause: clock.stopCause ?? null,
    }));
    parts.push(
      sql`insert into sla_clocks (workspace_id, contact_id, id, rep_id, team_id, quadrant, started_at, deadline_at,
            business_hours, status, stopped_at, stop_cause, breached_at, agreement_version)
          select ${workspaceId}::uuid, x."contactId", x.id, x."repId", x."teamId", x.quadrant, x."startedAt",
                 x."deadlineAt", x."businessHours", x.status, x."stoppedAt", x."stopCause", x."breachedAt", ${version}
            from jsonb_to_recordset(${json(clockRows)}::jsonb) as x("contactId" uuid, id uuid, "repId" text,
                 "teamId" text, quadrant text, "startedAt" timestamptz, "deadlineAt" timestamptz,
                 "businessHours" boolean, status text, "stoppedAt" timestamptz, "stopCause" text,
                 "breachedAt" timestamptz)
          on conflict (workspace_id, contact_id, id) do update set status = excluded.status,
            stopped_at = excluded.stopped_at, stop_cause = excluded.stop_cause, breached_at = excluded.breached_at`,
    );
  }
  if (write.alerts.length > 0) {
    parts.push(
      sql`insert into engine_alerts (workspace_id, contact_id, id, kind, at, detail)
          select ${workspaceId}::uuid, x."contactId", x.id, x.kind, to_timestamp(x.at / 1000.0), x.detail
            from jsonb_to_recordset(${json(write.alerts)}::jsonb) as x("contactId" uuid, id uuid, kind text,
                 at float8, detail jsonb)`,
    );
  }
  if (write.accountOwners.length > 0) {
    parts.push(
      sql`insert into account_owners (workspace_id, account_id, rep_id)
          select ${workspaceId}::uuid, x."accountId", x."repId"
            from jsonb_to_recordset(${json(write.accountOwners)}::jsonb) as x("accountId" uuid, "repId" text)
          on conflict (workspace_id, account_id) do update set rep_id = excluded.rep_id`,
    );
  }
  if (cursor !== undefined) parts.push(saveCursorQuery(workspaceId, cursor.cursor, cursor.at));
  const last = parts.at(-1);
  if (last === undefined) return undefined;
  const first = [
    ...sources,
    ...parts.slice(0, -1).map((part, index) => sql`${sql.raw(`w${index}`)} as (${part})`),
  ];
  return first.length === 0 ? last : sql`with ${sql.join(first, sql`, `)} ${last}`;
}

export function createEngineRepository(db: Db) {
  return {
    /** Serialises the engine of one workspace across processes, until the transaction ends. */
    async lockEngine(workspaceId: string): Promise<void> {
      await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`engine:${workspaceId}`}))`);
    },

    /**
     * The highest `seq` below which every fact of the workspace is committed. Writers take the
     * workspace's ingest lock before they number rows, so taking it here waits out the writer in
     * progress, and whatever seq was handed out by then belongs to committed rows or to other
     * workspaces. One statement: run outside a transaction, it holds the lock only while it runs
     * (the sequence is read after the lock is taken: the subquery runs per row of `locked`), so
     * an engine busy elsewhere never keeps the ingest writer waiting.
     */
    async readHorizon(workspaceId: string): Promise<number> {
      const [row] = await rows<{ horizon: string | number | null }>(
        db,
        sql`select (select case when is_called then last_value else last_value - 1 end from fact_seq) as horizon
              from (select pg_advisory_xact_lock(hashtext(${`ingest:${workspaceId}`}))) as locked`,
      );
      return Number(row?.horizon ?? 0);
    },

    /**
     * The workspace's cursor, with the version of its row (`xmin`: it changes whenever anything
     * writes the row, so a round prepared on this cursor can tell at commit that it still holds).
     */
    async findCursor(workspaceId: string): Promise<(EngineCursor & { version: string }) | undefined> {
      const [row] = await rows<{
        cursor: string | number;
        routing: RoutingState;
        agreement_version: number;
        version: string;
      }>(
        db,
        sql`select cursor, routing, agreement_version, xmin::text as version from engine_states
             where workspace_id = ${workspaceId}`,
      );
      return row === undefined
        ? undefined
        : {
            cursor: Number(row.cursor),
            routing: row.routing,
            agreementVersion: row.agreement_version,
            version: row.version,
          };
    },

    /**
     * The version of the cursor row (see `findCursor`; null when there is none) and the latest
     * agreement version, in one round trip. After `lockEngine`, in a statement of its own: its
     * snapshot must be taken once the lock is held.
     */
    async readBase(
      workspaceId: string,
    ): Promise<{ version: string | null; agreementVersion: number | null }> {
      const [row] = await rows<{ version: string | null; agreement_version: number | null }>(
        db,
        sql`select (select xmin::text from engine_states where workspace_id = ${workspaceId}) as version,
                   (select max(version) from agreement_versions where workspace_id = ${workspaceId}) as agreement_version`,
      );
      return { version: row?.version ?? null, agreementVersion: row?.agreement_version ?? null };
    },

    /** Saves the cursor and answers its row's new version. */
    async saveCursor(workspaceId: string, cursor: EngineCursor, at: Date): Promise<string> {
      const [row] = await rows<{ version: string }>(db, saveCursorQuery(workspaceId, cursor, at));
      return row?.version ?? '';
    },

    /**
     * Marks the engine's derived rows of the workspace as changed outside a round (an erasure):
     * rounds prepared before this are refused at commit and prepared again.
     */
    async touchCursor(workspaceId: string): Promise<void> {
      // A workspace the engine has not committed a round for yet gets the row such a round
      // starts from (cursor 0, empty routing), so a first round prepared before is refused too.
      await db.execute(
        sql`insert into engine_states (workspace_id, cursor, routing, agreement_version, updated_at)
            values (${workspaceId}, 0, ${json(emptyRoutingState())}::jsonb,
                    coalesce((select max(version) from agreement_versions where workspace_id = ${workspaceId}), 0), now())
            on conflict (workspace_id) do update set updated_at = engine_states.updated_at`,
      );
    },

    /**
     * The next facts after `after` (and up to `upTo`) in the engine's order, at most `limit`.
     * Answers the steps and the seq they run to: the last step's when `limit` were read (no fact
     * after `after` and before it is left out), else `upTo`.
     */
    async readSteps(
      workspaceId: string,
      after: number,
      upTo: number,
      limit: number,
    ): Promise<{ steps: EngineStep[]; through: number }> {
      const parts = await rows<{ steps: StepRow[] | string }>(
        db,
        stepsJsonQuery(workspaceId, after, upTo, limit),
      );
      const list = parts.flatMap((part) =>
        typeof part.steps === 'string' ? (JSON.parse(part.steps) as StepRow[]) : part.steps,
      );
      const steps = list.map(toStep);
      const last = steps.at(-1);
      return { steps, through: steps.length === limit && last !== undefined ? last.seq : upTo };
    },

    /**
     * For each contact, the seq of its last fact up to `upTo` (a merge counts as a fact of the
     * contact merged into), in the order of that seq; and the seq of the last tick. What a replay
     * needs to tell that a state is final: no fact of its contact comes later, and no tick could
     * fire a timer of it.
     */
    async readLastFacts(
      workspaceId: string,
      upTo: number,
    ): Promise<{ contacts: { contactId: string; seq: number }[]; lastTick: number }> {
      const found = await rows<{ contact_id: string; seq: string | number }>(
        db,
        sql`select contact_id::text as contact_id, max(seq) as seq from (
              select contact_id, seq from contact_changes where workspace_id = ${workspaceId} and seq <= ${upTo}
              union all
              select merged_into_id, seq from contact_changes
               where workspace_id = ${workspaceId} and seq <= ${upTo} and merged_into_id is not null
              union all
              select contact_id, seq from activities where workspace_id = ${workspaceId} and seq <= ${upTo}
              union all
              select contact_id, seq from touches where workspace_id = ${workspaceId} and seq <= ${upTo}
              union all
              select contact_id, seq from feedback where workspace_id = ${workspaceId} and seq <= ${upTo}
              union all
              select contact_id, seq from deal_events where workspace_id = ${workspaceId} and seq <= ${upTo}
              union all
              select contact_id, seq from stage_transitions
               where workspace_id = ${workspaceId} and seq > 0 and seq <= ${upTo}
                 and cause in ('import', 'person') and coalesce(external_id, '') not like 'engine:%'
              union all
              select contact_id, seq from reassignments where workspace_id = ${workspaceId} and seq <= ${upTo}
            ) facts group by contact_id order by 2`,
      );
      const [tick] = await rows<{ seq: string | number | null }>(
        db,
        sql`select max(seq) as seq from engine_ticks where workspace_id = ${workspaceId} and seq <= ${upTo}`,
      );
      return {
        contacts: found.map((row) => ({ contactId: row.contact_id, seq: Number(row.seq) })),
        lastTick: Number(tick?.seq ?? 0),
      };
    },

    async loadStates(workspaceId: string, contactIds: readonly string[]): Promise<ContactState[]> {
      if (contactIds.length === 0) return [];
      // States stored by earlier versions may hold a cache (`rescore`) the state no longer keeps.
      const found = await rows<{ state: ContactState }>(
        db,
        sql`select state - 'rescore' as state from contact_states
             where workspace_id = ${workspaceId} and contact_id in (select value::uuid from jsonb_array_elements_text(${json(contactIds)}::jsonb))`,
      );
      return found.map((row) => row.state);
    },

    async findDueContactIds(workspaceId: string, at: Date): Promise<string[]> {
      const found = await rows<{ contact_id: string }>(
        db,
        sql`select contact_id from contact_states
             where workspace_id = ${workspaceId} and next_due_at <= ${at.toISOString()}`,
      );
      return found.map((row) => row.contact_id);
    },

    async findState(
      workspaceId: string,
      contactId: string,
    ): Promise<{ state: ContactState; agreementVersion: number } | undefined> {
      const [row] = await rows<{ state: ContactState; agreement_version: number }>(
        db,
        sql`select state, agreement_version from contact_states
             where workspace_id = ${workspaceId} and contact_id = ${contactId}`,
      );
      return row === undefined ? undefined : { state: row.state, agreementVersion: row.agreement_version };
    },

    /** The engine states of an account's contacts (at most `limit`), for the account's roll-up. */
    async loadAccountStates(workspaceId: string, accountId: string, limit: number): Promise<ContactState[]> {
      const found = await rows<{ state: ContactState }>(
        db,
        sql`select s.state from contact_states s
              join contacts c on c.workspace_id = s.workspace_id and c.id = s.contact_id
             where s.workspace_id = ${workspaceId} and c.account_id = ${accountId} and c.merged_into_id is null
             order by s.contact_id limit ${limit}`,
      );
      return found.map((row) => row.state);
    },

    /** A contact's assignments, SLA clocks and alerts, oldest first. */
    async listContactHistory(workspaceId: string, contactIds: readonly string[]) {
      const ids = json(contactIds);
      const assignments = await rows<Row>(
        db,
        sql`select id, rep_id, team_id, reason_kind, reason, assigned_at from assignments
             where workspace_id = ${workspaceId} and contact_id in (select value::uuid from jsonb_array_elements_text(${ids}::jsonb))
             order by assigned_at, id`,
      );
      const clocks = await rows<Row>(
        db,
        sql`select id, rep_id, team_id, quadrant, started_at, deadline_at, business_hours, status, stopped_at,
                   stop_cause, breached_at from sla_clocks
             where workspace_id = ${workspaceId} and contact_id in (select value::uuid from jsonb_array_elements_text(${ids}::jsonb))
             order by started_at, id`,
      );
      const alerts = await rows<Row>(
        db,
        sql`select id, kind, at, detail from engine_alerts
             where workspace_id = ${workspaceId} and contact_id in (select value::uuid from jsonb_array_elements_text(${ids}::jsonb))
             order by at, id`,
      );
      return { assignments, clocks, alerts };
    },

    /** The workspace's alerts, newest first, optionally of some kinds and since an instant. */
    async listAlerts(workspaceId: string, options: { since?: Date; kinds?: string[]; limit: number }) {
      return rows<Row>(
        db,
        sql`select contact_id, id, kind, at, detail from engine_alerts
             where workspace_id = ${workspaceId}
               and (${options.since?.toISOString() ?? null}::timestamptz is null or at >= ${options.since?.toISOString() ?? null}::timestamptz)
               and (${options.kinds === undefined ? null : json(options.kinds)}::jsonb is null
                    or kind in (select jsonb_array_elements_text(${options.kinds === undefined ? null : json(options.kinds)}::jsonb)))
             order by at desc, id limit ${options.limit}`,
      );
    },

    /** How far behind the engine is: facts stored but not processed yet. */
    async describeProgress(workspaceId: string) {
      const [row] = await rows<{
        cursor: string | number | null;
        updated_at: Date | string | null;
        contacts: string | number;
      }>(
        db,
        sql`select (select cursor from engine_states where workspace_id = ${workspaceId}) as cursor,
                   (select updated_at from engine_states where workspace_id = ${workspaceId}) as updated_at,
                   (select count(*) from contact_states where workspace_id = ${workspaceId}) as contacts`,
      );
      return {
        cursor: row?.cursor === null || row?.cursor === undefined ? 0 : Number(row.cursor),
        updatedAt: row?.updated_at ? new Date(row.updated_at) : null,
        contacts: Number(row?.contacts ?? 0),
      };
    },

    /** Facts of the workspace after `cursor`: what the engine still has to process. */
    async countPending(workspaceId: string, cursor: number): Promise<number> {
      const [row] = await rows<{ pending: string | number }>(
        db,
        sql`select (select count(*) from contact_changes where workspace_id = ${workspaceId} and seq > ${cursor})
                 + (select count(*) from activities where workspace_id = ${workspaceId} and seq > ${cursor})
                 + (select count(*) from touches where workspace_id = ${workspaceId} and seq > ${cursor})
                 + (select count(*) from feedback where workspace_id = ${workspaceId} and seq > ${cursor})
                 + (select count(*) from deal_events where workspace_id = ${workspaceId} and seq > ${cursor})
                 + (select count(*) from reassignments where workspace_id = ${workspaceId} and seq > ${cursor})
                 + (select count(*) from engine_ticks where workspace_id = ${workspaceId} and seq > ${cursor}) as pending`,
      );
      return Number(row?.pending ?? 0);
    },

    /** Workspaces with a timer due by `at`, for the scheduler. */
    async findWorkspacesWithDueTimers(at: Date): Promise<string[]> {
      const found = await rows<{ workspace_id: string }>(
        db,
        sql`select distinct workspace_id from contact_states where next_due_at <= ${at.toISOString()}`,
      );
      return found.map((row) => row.workspace_id);
    },

    /** Workspaces whose facts the engine has not read yet. */
    async findWorkspacesBehind(): Promise<string[]> {
      const found = await rows<{ id: string }>(
        db,
        sql`select w.id from workspaces w
             where exists (select 1 from agreement_versions v where v.workspace_id = w.id)
               and coalesce((select cursor from engine_states e where e.workspace_id = w.id), 0)
                   < (select last_value from fact_seq)`,
      );
      return found.map((row) => row.id);
    },

    async appendTick(workspaceId: string, at: Date): Promise<void> {
      await db.execute(
        sql`insert into engine_ticks (workspace_id, at) values (${workspaceId}, ${at.toISOString()})`,
      );
    },

    async findAccountOwners(
      workspaceId: string,
      accountIds: readonly string[],
    ): Promise<Map<string, string>> {
      if (accountIds.length === 0) return new Map();
      const found = await rows<{ account_id: string; rep_id: string }>(
        db,
        sql`select account_id, rep_id from account_owners
             where workspace_id = ${workspaceId} and account_id in (select value::uuid from jsonb_array_elements_text(${json(accountIds)}::jsonb))`,
      );
      return new Map(found.map((row) => [row.account_id, row.rep_id]));
    },

    buildWrite: buildEngineWrite,

    /** Runs a statement from `buildWrite`; with a cursor, answers the cursor row's new version. */
    async runWrite(statement: SQL): Promise<string | undefined> {
      const [row] = await rows<{ version?: string }>(db, statement);
      return row?.version;
    },

    /**
     * Erases everything the engine derived for the workspace, in the caller's transaction, so a
     * replay can write it again. The engine's own transitions (external id `engine:<id>`) are the
     * only facts it erases; imported and manual ones stay. Answers the contacts whose transitions
     * it erased.
     */
    async eraseDerived(workspaceId: string): Promise<string[]> {
      await db.execute(sql`set local smarketing.allow_erase = 'on'`);
      const erased = await rows<{ contact_id: string }>(
        db,
        sql`with erased as (delete from stage_transitions
                             where workspace_id = ${workspaceId} and external_id like 'engine:%'
                             returning contact_id)
            select distinct contact_id::text as contact_id from erased`,
      );
      await db.execute(sql`set local smarketing.allow_erase = 'off'`);
      for (const table of [
        'contact_states',
        'scores',
        'assignments',
        'sla_clocks',
        'engine_alerts',
        'account_owners',
      ]) {
        await db.execute(sql`delete from ${sql.identifier(table)} where workspace_id = ${workspaceId}`);
      }
      await db.execute(sql`delete from engine_states where workspace_id = ${workspaceId}`);
      return erased.map((row) => row.contact_id);
    },

    /**
     * Until the transaction ends, writes to stage_transitions leave the person timelines alone
     * (migration 0018): the transaction must `refreshTimelines` every contact whose transitions
     * it changed before it commits.
     */
    async deferTimelines(): Promise<void> {
      await db.execute(sql`set local smarketing.defer_timelines = 'on'`);
    },

    /** Derives again the timelines of the persons these contacts belong to (themselves, or the contact they were merged into). */
    async refreshTimelines(workspaceId: string, contactIds: readonly string[]): Promise<void> {
      if (contactIds.length === 0) return;
      await db.execute(
        sql`select smarketing_refresh_person_timelines(${workspaceId}::uuid, array(
              select distinct p.id from contacts c cross join lateral (values (c.id), (c.merged_into_id)) as p(id)
               where c.workspace_id = ${workspaceId} and p.id is not null
                 and c.id in (select value::uuid from jsonb_array_elements_text(${json(contactIds)}::jsonb))))`,
      );
    },
  };
}
