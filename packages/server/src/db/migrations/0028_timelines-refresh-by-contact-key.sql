-- The timelines' refresh looks each person's rows up by the key that leads with the person (or
-- contact), whatever the statistics know of the workspace. Its lateral lookups compared `workspace_id`
-- with the workspace as a constant: for a workspace the statistics have not seen yet (a new one whose
-- first rows are being written: an import, the import bench's COPY of the facts), the planner
-- estimates one row for it, every index that starts with `workspace_id` then costs the same, and it
-- took the smallest, one level shallower: `stage_transitions_to_stage_occurred_idx`, with the contact
-- as a filter. Each person's lookup then read every row of the workspace: 41,188 persons ×
-- 41,188 transitions, 190–210 s of CPU for one statement instead of ~1 s (bank-marketing's facts
-- COPYed into a fresh workspace; `person_timelines_stage_at_idx` beside the primary key is the same
-- trap for the delete). The workspace is now an init plan (`(SELECT ws)`): the planner estimates
-- it as an average workspace instead of an absent one, and the key that names the contact is the
-- only cheap path. Everything else is as in 0022, sequential scans still off (0025).
CREATE OR REPLACE FUNCTION "smarketing_refresh_person_timelines"(ws uuid, persons uuid[]) RETURNS void
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  unresolved bigint;
BEGIN
  -- Writers of one person wait for each other until commit (the engine and fact writers hold
  -- different locks), so each re-derives from the other's committed rows: the statements below
  -- take a new snapshot after the lock. Large sets (a fill, a replay) lock the whole workspace.
  -- Persons are locked through 256 buckets per workspace, taken in order: a transaction holds at
  -- most 257 of these locks however many statements it runs (a replay writes thousands), so the
  -- server's shared lock table (max_locks_per_transaction) is never exhausted.
  IF cardinality(persons) > 1000 THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('person_timelines:' || ws::text, 0));
  ELSE
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('person_timelines:' || ws::text, 0));
    PERFORM pg_advisory_xact_lock(k)
       FROM (SELECT DISTINCT hashtextextended(ws::text || ':' || (hashtext(p::text) & 255)::text, 0) AS k
               FROM unnest(persons) AS p ORDER BY 1) AS keys;
  END IF;
  -- Each person's rows found by the primary key whatever the statistics say. With statistics from
  -- when the table was empty (a replay fills it in one transaction), the planner read the whole
  -- workspace's rows and tested each against every person (`person_id = ANY(persons)` as a
  -- filter): 7-9 s a call for 20,000 persons at 10M facts, growing with the rows refreshed. The
  -- lookup is a lateral subquery per person; its `ORDER BY n` makes the key the one index that
  -- serves it (without it, a one-row estimate let any index on workspace_id do, with the person as
  -- a filter) and keeps it from being joined the other way round.
  DELETE FROM person_timelines t
   WHERE t.ctid = ANY (ARRAY(
     SELECT r.ctid FROM unnest(persons) AS p(id)
      CROSS JOIN LATERAL (SELECT ctid FROM person_timelines
                           WHERE workspace_id = (SELECT ws) AND person_id = p.id ORDER BY n) AS r));
  WITH members AS (
    SELECT c.id AS person_id, c.id AS contact_id, c.merged_into_id IS NULL AS selects
      FROM contacts c WHERE c.workspace_id = ws AND c.id = ANY(persons)
    UNION ALL
    SELECT c.merged_into_id, c.id, true
      FROM contacts c WHERE c.workspace_id = ws AND c.merged_into_id = ANY(persons)
  ),
  -- Every move of the person and its contacts, numbered in time order.
  moves AS (
    SELECT m.person_id, m.selects, t.from_stage, t.to_stage, t.occurred_at, t.seq, t.id,
           row_number() OVER (PARTITION BY m.person_id ORDER BY t.occurred_at, t.seq, t.id) AS n
      FROM members m
      -- A lateral scan per member, in time order: the plan reads each member's moves by their
      -- index whatever the statistics say (a join let stale ones scan the workspace instead).
      CROSS JOIN LATERAL (
        SELECT t.from_stage, t.to_stage, t.occurred_at, t.seq, t.id FROM stage_transitions t
         WHERE t.workspace_id = (SELECT ws) AND t.contact_id = m.contact_id ORDER BY t.occurred_at) AS t
  ),
  -- A step is the first move or a move from a stage; a step is an entry when it goes somewhere
  -- else than the step before it.
  steps AS (
    SELECT *, (n = 1 OR from_stage IS NOT NULL) AND to_stage IS DISTINCT FROM steps_before[cardinality(steps_before)] AS is_entry
      FROM (SELECT *, array_agg(to_stage) FILTER (WHERE n = 1 OR from_stage IS NOT NULL)
                        OVER (PARTITION BY person_id ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS steps_before
              FROM moves) AS with_steps
  ),
  entries AS (
    SELECT person_id, n, to_stage, occurred_at, selects, is_entry,
           count(*) FILTER (WHERE is_entry) OVER w AS pos,
           array_agg(to_stage) FILTER (WHERE is_entry) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS path_before,
           min(occurred_at) FILTER (WHERE is_entry) OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_at,
           max(occurred_at) FILTER (WHERE is_entry)
             OVER (PARTITION BY person_id, to_stage ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_same_at,
           -- The entries' neighbours: each entry's previous and next among the person's entries.
           lag(occurred_at) OVER e AS previous_at,
           lead(to_stage) OVER e AS next_stage
      FROM steps
    WINDOW w AS (PARTITION BY person_id ORDER BY n),
           e AS (PARTITION BY person_id, is_entry ORDER BY n)
  ),
  rows_ AS MATERIALIZED (
    SELECT person_id, n, to_stage, occurred_at, selects,
           CASE WHEN is_entry THEN pos END AS pos,
           CASE WHEN is_entry THEN path_before[cardinality(path_before)] END AS previous_stage,
           CASE WHEN is_entry THEN next_at END AS next_at,
           CASE WHEN is_entry THEN array_position(coalesce(path_before, '{}'), to_stage) IS NOT NULL END AS entered_before,
           CASE WHEN is_entry THEN coalesce(path_before, '{}') END AS path_before,
           CASE WHEN is_entry THEN previous_same_at END AS previous_same_at,
           CASE WHEN is_entry THEN previous_at END AS previous_at,
           CASE WHEN is_entry THEN next_stage END AS next_stage
      FROM entries
  ),
  -- The paths not stored yet. One stored by a transaction that committed after this statement
  -- began is neither added here nor seen by the join below: its rows are derived again.
  added AS (
    INSERT INTO person_timeline_paths (workspace_id, stages)
    SELECT DISTINCT ws, r.path_before FROM rows_ r
     WHERE r.path_before IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM person_timeline_paths p WHERE p.workspace_id = ws AND p.stages = r.path_before)
    ON CONFLICT DO NOTHING
    RETURNING id, stages
  ),
  paths AS (
    SELECT id, stages FROM added
    UNION ALL
    SELECT p.id, p.stages FROM person_timeline_paths p
     WHERE p.workspace_id = ws AND p.stages IN (SELECT DISTINCT path_before FROM rows_)
  ),
  inserted AS (
    INSERT INTO person_timelines (workspace_id, person_id, n, stage, at, selects, pos, previous_stage, next_at,
                                  entered_before, path_id, previous_same_at, previous_at, next_stage)
    SELECT ws, r.person_id, r.n, r.to_stage, r.occurred_at, r.selects, r.pos, r.previous_stage, r.next_at,
           r.entered_before, p.id, r.previous_same_at, r.previous_at, r.next_stage
      FROM rows_ r LEFT JOIN paths p ON p.stages = r.path_before
    RETURNING pos, path_id
  )
  SELECT count(*) INTO unresolved FROM inserted WHERE pos IS NOT NULL AND path_id IS NULL;
  IF unresolved > 0 THEN
    PERFORM smarketing_refresh_person_timelines(ws, persons);
  END IF;
END;
$$;
