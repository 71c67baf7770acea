ALTER TABLE "contact_segments" ADD COLUMN "fit" double precision;--> statement-breakpoint
ALTER TABLE "contact_segments" ADD COLUMN "fit_grade" text;--> statement-breakpoint
-- `contact_segments` also carries each contact's fit and fit grade (from its score, as its persona
-- and quadrant), so lead flow's MQLs and its value basis read them from this narrow table instead of
-- hashing a million scores.
--
-- Scores written: persona, quadrant, fit and grade of the rows whose values changed (as in 0023).
CREATE OR REPLACE FUNCTION "smarketing_segments_scores"() RETURNS trigger
LANGUAGE plpgsql SET random_page_cost = 1.1 AS $$
BEGIN
  UPDATE contact_segments g SET persona = n.persona, quadrant = n.quadrant, fit = n.fit, fit_grade = n.fit_grade
    FROM (SELECT s.workspace_id, s.contact_id, s.explanation -> 'personas' ->> 0 AS persona, s.quadrant, s.fit, s.fit_grade
            FROM new_scores s ORDER BY s.workspace_id, s.contact_id) AS n
   WHERE g.workspace_id = n.workspace_id AND g.contact_id = n.contact_id
     AND (g.persona, g.quadrant, g.fit, g.fit_grade) IS DISTINCT FROM (n.persona, n.quadrant, n.fit, n.fit_grade);
  INSERT INTO contact_segments (workspace_id, contact_id, persona, quadrant, fit, fit_grade)
  SELECT s.workspace_id, s.contact_id, s.explanation -> 'personas' ->> 0, s.quadrant, s.fit, s.fit_grade FROM new_scores s
   WHERE NOT EXISTS (SELECT 1 FROM contact_segments g WHERE g.workspace_id = s.workspace_id AND g.contact_id = s.contact_id)
   ORDER BY s.workspace_id, s.contact_id
  ON CONFLICT (workspace_id, contact_id) DO UPDATE
    SET persona = excluded.persona, quadrant = excluded.quadrant, fit = excluded.fit, fit_grade = excluded.fit_grade;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "smarketing_segments_scores_deleted"() RETURNS trigger
LANGUAGE plpgsql SET random_page_cost = 1.1 AS $$
BEGIN
  UPDATE contact_segments g SET persona = NULL, quadrant = NULL, fit = NULL, fit_grade = NULL
    FROM (SELECT s.workspace_id, s.contact_id FROM old_scores s ORDER BY s.workspace_id, s.contact_id) AS o
   WHERE g.workspace_id = o.workspace_id AND g.contact_id = o.contact_id
     AND (g.persona IS NOT NULL OR g.quadrant IS NOT NULL OR g.fit IS NOT NULL OR g.fit_grade IS NOT NULL);
  RETURN NULL;
END $$;
--> statement-breakpoint
-- The rows stored so far.
UPDATE contact_segments g SET fit = s.fit, fit_grade = s.fit_grade
  FROM scores s WHERE s.workspace_id = g.workspace_id AND s.contact_id = g.contact_id;
