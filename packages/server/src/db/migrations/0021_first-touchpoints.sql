CREATE TABLE "contact_first_touchpoints" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"activity_id" uuid NOT NULL,
	"campaign" text,
	CONSTRAINT "contact_first_touchpoints_pk" PRIMARY KEY("workspace_id","contact_id")
);
--> statement-breakpoint
-- A contact's first touchpoint: the earliest activity (by time, then id) naming a campaign or a
-- source, as the reports read them (`campaignOf`, `sourceOf` in sales-report.repository.ts: change
-- them together). Activities arrive out of time order: an earlier one replaces the row. Every
-- writer of activities holds the workspace's ingest lock, so two transactions never upsert the same
-- contacts' rows at once (in different orders they could deadlock).
CREATE FUNCTION "smarketing_first_touchpoint"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  campaign text;
BEGIN
  -- Most touchpoints come after the contact's first: one key lookup, no upsert (on PostgreSQL 15,
  -- ~6 µs a touchpoint instead of ~9; a contact's first costs ~14–20 µs).
  IF EXISTS (SELECT 1 FROM contact_first_touchpoints f
              WHERE f.workspace_id = NEW.workspace_id AND f.contact_id = NEW.contact_id
                AND (f.occurred_at, f.activity_id) <= (NEW.occurred_at, NEW.id)) THEN
    RETURN NULL;
  END IF;
  campaign := coalesce(nullif(NEW.context -> 'campaign' ->> 'name', ''),
                       substring(NEW.context -> 'page' ->> 'url' from '[?&]utm_campaign=([^&#]*)'));
  IF campaign IS NULL AND coalesce(nullif(NEW.context -> 'campaign' ->> 'source', ''),
                                   substring(NEW.context -> 'page' ->> 'url' from '[?&]utm_source=([^&#]*)')) IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO contact_first_touchpoints AS f (workspace_id, contact_id, occurred_at, activity_id, campaign)
  VALUES (NEW.workspace_id, NEW.contact_id, NEW.occurred_at, NEW.id, campaign)
  ON CONFLICT (workspace_id, contact_id) DO UPDATE
    SET occurred_at = excluded.occurred_at, activity_id = excluded.activity_id, campaign = excluded.campaign
    WHERE (excluded.occurred_at, excluded.activity_id) < (f.occurred_at, f.activity_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Fires only for the activities that may name a campaign (the touchpoints index's predicate, word
-- for word): other events pay nothing.
CREATE TRIGGER "activities_first_touchpoint" AFTER INSERT ON "activities" FOR EACH ROW
  WHEN (NEW.context ? 'campaign' or (NEW.context -> 'page' ->> 'url') like '%utm\_%')
  EXECUTE FUNCTION "smarketing_first_touchpoint"();
--> statement-breakpoint
INSERT INTO contact_first_touchpoints (workspace_id, contact_id, occurred_at, activity_id, campaign)
SELECT DISTINCT ON (a.workspace_id, a.contact_id) a.workspace_id, a.contact_id, a.occurred_at, a.id,
       coalesce(nullif(a.context -> 'campaign' ->> 'name', ''),
                substring(a.context -> 'page' ->> 'url' from '[?&]utm_campaign=([^&#]*)'))
  FROM activities a
 WHERE (a.context ? 'campaign' or (a.context -> 'page' ->> 'url') like '%utm\_%')
   AND coalesce(nullif(a.context -> 'campaign' ->> 'name', ''),
                substring(a.context -> 'page' ->> 'url' from '[?&]utm_campaign=([^&#]*)'),
                nullif(a.context -> 'campaign' ->> 'source', ''),
                substring(a.context -> 'page' ->> 'url' from '[?&]utm_source=([^&#]*)')) IS NOT NULL
 ORDER BY a.workspace_id, a.contact_id, a.occurred_at, a.id;
