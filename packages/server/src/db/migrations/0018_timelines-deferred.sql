-- A transaction that rewrites many transitions (a replay) can take the person timelines' upkeep
-- on itself: with `smarketing.defer_timelines` set to 'on' (`SET LOCAL`), writes to
-- stage_transitions leave the rollup alone, and the transaction refreshes the persons it changed
-- (`smarketing_refresh_person_timelines`) before it commits, each person once, instead of once
-- per statement that touched it. Every other writer keeps the trigger's upkeep.
CREATE OR REPLACE FUNCTION "smarketing_person_timelines_on_transitions"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changed record;
BEGIN
  IF coalesce(current_setting('smarketing.defer_timelines', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
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
