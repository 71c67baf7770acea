-- Facts are append-only: UPDATE, DELETE and TRUNCATE of the fact tables fail with SQLSTATE SM001
-- ('<table> is append-only'). An erasure (GDPR) runs in a transaction that first does
-- SET LOCAL smarketing.allow_erase = 'on'; the setting ends with that transaction.
CREATE FUNCTION "smarketing_reject_fact_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('smarketing.allow_erase', true), '') = 'on' THEN
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
    USING ERRCODE = 'SM001',
          HINT = 'Facts are never changed; to erase data, SET LOCAL smarketing.allow_erase = ''on'' in the erasing transaction.';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "activities_append_only" BEFORE UPDATE OR DELETE ON "activities"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "activities_append_only_truncate" BEFORE TRUNCATE ON "activities"
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "touches_append_only" BEFORE UPDATE OR DELETE ON "touches"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "touches_append_only_truncate" BEFORE TRUNCATE ON "touches"
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "deal_events_append_only" BEFORE UPDATE OR DELETE ON "deal_events"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "deal_events_append_only_truncate" BEFORE TRUNCATE ON "deal_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "stage_transitions_append_only" BEFORE UPDATE OR DELETE ON "stage_transitions"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "stage_transitions_append_only_truncate" BEFORE TRUNCATE ON "stage_transitions"
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "feedback_append_only" BEFORE UPDATE OR DELETE ON "feedback"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "feedback_append_only_truncate" BEFORE TRUNCATE ON "feedback"
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "agreement_versions_append_only" BEFORE UPDATE OR DELETE ON "agreement_versions"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "agreement_versions_append_only_truncate" BEFORE TRUNCATE ON "agreement_versions"
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_reject_fact_change"();
