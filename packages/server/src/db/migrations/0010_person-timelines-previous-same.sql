ALTER TABLE "person_timelines" ADD COLUMN "previous_same_at" timestamp with time zone;--> statement-breakpoint
-- Each entry also carries the instant the person last entered the same stage before it, so a
-- report finds a stage's first entry in a period row by row (no entry into it since before the
-- period) instead of grouping every person's entries.
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
  moves AS (
    SELECT m.person_id, m.selects, t.from_stage, t.to_stage, t.occurred_at, t.seq, t.id,
           row_number() OVER (PARTITION BY m.person_id ORDER BY t.occurred_at, t.seq, t.id) AS n
      FROM members m
      JOIN stage_transitions t ON t.workspace_id = ws AND t.contact_id = m.contact_id
  ),
  steps AS (
    SELECT person_id, n, to_stage, occurred_at, seq, id,
           lag(to_stage) OVER (PARTITION BY person_id ORDER BY occurred_at, seq, id) AS stage_before
      FROM moves WHERE n = 1 OR from_stage IS NOT NULL
  ),
  entries AS (
    SELECT person_id, n, to_stage,
           lag(occurred_at) OVER (PARTITION BY person_id, to_stage ORDER BY occurred_at, seq, id) AS previous_same_at,
           row_number() OVER w AS pos, lag(to_stage) OVER w AS previous_stage, lead(occurred_at) OVER w AS next_at,
           coalesce(array_agg(to_stage) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), '{}') AS path_before
      FROM steps WHERE stage_before IS DISTINCT FROM to_stage
    WINDOW w AS (PARTITION BY person_id ORDER BY occurred_at, seq, id)
  )
  SELECT ws, m.person_id, m.n, m.to_stage, m.occurred_at, m.selects, e.pos, e.previous_stage, e.next_at,
         CASE WHEN e.pos IS NOT NULL THEN array_position(e.path_before, e.to_stage) IS NOT NULL END,
         e.path_before, e.previous_same_at
    FROM moves m LEFT JOIN entries e ON e.person_id = m.person_id AND e.n = m.n;
END;
$$;
--> statement-breakpoint
-- The timelines already stored get the new column.
DO $$
DECLARE
  ws record;
BEGIN
  FOR ws IN SELECT DISTINCT workspace_id FROM stage_transitions LOOP
    PERFORM smarketing_refresh_person_timelines(ws.workspace_id,
      array(SELECT id FROM contacts WHERE workspace_id = ws.workspace_id));
  END LOOP;
END;
$$;
