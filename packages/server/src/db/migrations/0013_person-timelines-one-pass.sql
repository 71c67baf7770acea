-- The refresh derives a person's entries in one pass of window functions over their moves, where
-- it used to derive them in a second query and join it back, and reads each person's moves by a
-- lateral index scan. The result is the same row for row; the plans were not: with statistics
-- that predate a workspace's rows (a new workspace, or a new database before autovacuum's first
-- analysis) the planner took the workspace for one row, ran the window functions once per move
-- (300 ms for a batch of 300 people) and joined the members to a scan of every transition of the
-- workspace (minutes).
CREATE OR REPLACE FUNCTION "smarketing_refresh_person_timelines"(ws uuid, persons uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
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
  DELETE FROM person_timelines WHERE workspace_id = ws AND person_id = ANY(persons);
  INSERT INTO person_timelines (workspace_id, person_id, n, stage, at, selects, pos, previous_stage, next_at,
                                entered_before, path_before, previous_same_at)
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
         WHERE t.workspace_id = ws AND t.contact_id = m.contact_id ORDER BY t.occurred_at) AS t
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
             OVER (PARTITION BY person_id, to_stage ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_same_at
      FROM steps
    WINDOW w AS (PARTITION BY person_id ORDER BY n)
  )
  SELECT ws, person_id, n, to_stage, occurred_at, selects,
         CASE WHEN is_entry THEN pos END,
         CASE WHEN is_entry THEN path_before[cardinality(path_before)] END,
         CASE WHEN is_entry THEN next_at END,
         CASE WHEN is_entry THEN array_position(coalesce(path_before, '{}'), to_stage) IS NOT NULL END,
         CASE WHEN is_entry THEN coalesce(path_before, '{}') END,
         CASE WHEN is_entry THEN previous_same_at END
    FROM entries;
END;
$$;
