CREATE TABLE "person_timelines" (
	"workspace_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"n" integer NOT NULL,
	"stage" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"selects" boolean NOT NULL,
	"pos" integer,
	"previous_stage" text,
	"next_at" timestamp with time zone,
	"entered_before" boolean,
	"path_before" text[],
	CONSTRAINT "person_timelines_pk" PRIMARY KEY("workspace_id","person_id","n")
);
--> statement-breakpoint
CREATE INDEX "person_timelines_at_idx" ON "person_timelines" USING btree ("workspace_id","at");--> statement-breakpoint
-- Re-derives the timelines of `persons` (contact ids) in one workspace from the facts, with the
-- rules of core's `buildTimelines` (the reports' definitions): a person's transitions are its own
-- and those of the contacts merged into it, in time order (ties by seq, then id); a merged
-- contact's start after the person started (n > 1 without from_stage) and a move to the stage the
-- person is in are not entries.
CREATE FUNCTION "smarketing_refresh_person_timelines"(ws uuid, persons uuid[]) RETURNS void
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
                                entered_before, path_before)
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
           row_number() OVER w AS pos, lag(to_stage) OVER w AS previous_stage, lead(occurred_at) OVER w AS next_at,
           coalesce(array_agg(to_stage) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), '{}') AS path_before
      FROM steps WHERE stage_before IS DISTINCT FROM to_stage
    WINDOW w AS (PARTITION BY person_id ORDER BY occurred_at, seq, id)
  )
  SELECT ws, m.person_id, m.n, m.to_stage, m.occurred_at, m.selects, e.pos, e.previous_stage, e.next_at,
         CASE WHEN e.pos IS NOT NULL THEN array_position(e.path_before, e.to_stage) IS NOT NULL END,
         e.path_before
    FROM moves m LEFT JOIN entries e ON e.person_id = m.person_id AND e.n = m.n;
END;
$$;
--> statement-breakpoint
-- The persons whose timelines a change of transitions touches: the contacts and their survivors.
CREATE FUNCTION "smarketing_person_timelines_on_transitions"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changed record;
BEGIN
  FOR changed IN
    WITH touched AS (
      SELECT workspace_id, contact_id FROM changed_rows
    )
    SELECT t.workspace_id, array_agg(DISTINCT p.id) AS persons
      FROM (SELECT DISTINCT workspace_id, contact_id FROM touched) t
      JOIN contacts c ON c.workspace_id = t.workspace_id AND c.id = t.contact_id
      CROSS JOIN LATERAL (VALUES (c.id), (c.merged_into_id)) AS p(id)
     WHERE p.id IS NOT NULL
     GROUP BY t.workspace_id
  LOOP
    PERFORM smarketing_refresh_person_timelines(changed.workspace_id, changed.persons);
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "stage_transitions_person_timelines_insert" AFTER INSERT ON "stage_transitions"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_person_timelines_on_transitions"();
--> statement-breakpoint
CREATE TRIGGER "stage_transitions_person_timelines_delete" AFTER DELETE ON "stage_transitions"
  REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_person_timelines_on_transitions"();
--> statement-breakpoint
CREATE TRIGGER "stage_transitions_person_timelines_update" AFTER UPDATE ON "stage_transitions"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_person_timelines_on_transitions"();
--> statement-breakpoint
-- A merge (or its undoing) moves a contact's transitions from one person to another.
CREATE FUNCTION "smarketing_person_timelines_on_merge"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changed record;
BEGIN
  FOR changed IN
    SELECT n.workspace_id, array_agg(DISTINCT p.id) AS persons
      FROM new_rows n
      JOIN old_rows o ON o.workspace_id = n.workspace_id AND o.id = n.id
      CROSS JOIN LATERAL (VALUES (n.id), (n.merged_into_id), (o.merged_into_id)) AS p(id)
     WHERE n.merged_into_id IS DISTINCT FROM o.merged_into_id AND p.id IS NOT NULL
     GROUP BY n.workspace_id
  LOOP
    PERFORM smarketing_refresh_person_timelines(changed.workspace_id, changed.persons);
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "contacts_person_timelines_merge" AFTER UPDATE ON "contacts"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_person_timelines_on_merge"();
--> statement-breakpoint
-- The timelines of the facts already stored.
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
