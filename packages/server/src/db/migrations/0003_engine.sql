CREATE SEQUENCE "public"."fact_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "account_owners" (
	"workspace_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"rep_id" text NOT NULL,
	CONSTRAINT "account_owners_pk" PRIMARY KEY("workspace_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "assignments" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"rep_id" text,
	"team_id" text,
	"reason_kind" text NOT NULL,
	"reason" text NOT NULL,
	"assigned_at" timestamp with time zone NOT NULL,
	"agreement_version" integer NOT NULL,
	CONSTRAINT "assignments_pk" PRIMARY KEY("workspace_id","contact_id","id")
);
--> statement-breakpoint
CREATE TABLE "contact_changes" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"seq" bigint DEFAULT nextval('fact_seq') NOT NULL,
	"email" text,
	"account_id" uuid,
	"traits" jsonb NOT NULL,
	"merged_into_id" uuid,
	"changed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "contact_changes_pk" PRIMARY KEY("workspace_id","contact_id","seq")
);
--> statement-breakpoint
CREATE TABLE "contact_states" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"stage" text NOT NULL,
	"stage_since" timestamp with time zone NOT NULL,
	"furthest_stage" text NOT NULL,
	"detour" text,
	"owner_rep_id" text,
	"owner_team_id" text,
	"next_due_at" timestamp with time zone,
	"state" jsonb NOT NULL,
	"agreement_version" integer NOT NULL,
	"last_seq" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "contact_states_pk" PRIMARY KEY("workspace_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "engine_alerts" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"detail" jsonb NOT NULL,
	CONSTRAINT "engine_alerts_pk" PRIMARY KEY("workspace_id","contact_id","id")
);
--> statement-breakpoint
CREATE TABLE "engine_states" (
	"workspace_id" uuid PRIMARY KEY NOT NULL,
	"cursor" bigint NOT NULL,
	"routing" jsonb NOT NULL,
	"agreement_version" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engine_ticks" (
	"workspace_id" uuid NOT NULL,
	"seq" bigint DEFAULT nextval('fact_seq') NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "engine_ticks_pk" PRIMARY KEY("workspace_id","seq")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"contact_id" uuid,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "notifications_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "sla_clocks" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"rep_id" text,
	"team_id" text,
	"quadrant" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"deadline_at" timestamp with time zone NOT NULL,
	"business_hours" boolean NOT NULL,
	"status" text NOT NULL,
	"stopped_at" timestamp with time zone,
	"stop_cause" text,
	"breached_at" timestamp with time zone,
	"agreement_version" integer NOT NULL,
	CONSTRAINT "sla_clocks_pk" PRIMARY KEY("workspace_id","contact_id","id"),
	CONSTRAINT "sla_clocks_status_check" CHECK ("sla_clocks"."status" in ('open', 'worked', 'breached', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"webhook_id" uuid NOT NULL,
	"notification_id" uuid NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_status_code" integer,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "webhook_deliveries_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "webhook_deliveries_once" UNIQUE("workspace_id","webhook_id","notification_id"),
	CONSTRAINT "webhook_deliveries_status_check" CHECK ("webhook_deliveries"."status" in ('pending', 'delivered', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "webhooks" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"url" text NOT NULL,
	"format" text NOT NULL,
	"kinds" jsonb NOT NULL,
	"secret" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "webhooks_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "webhooks_format_check" CHECK ("webhooks"."format" in ('json', 'slack'))
);
--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "seq" bigint DEFAULT nextval('fact_seq') NOT NULL;--> statement-breakpoint
ALTER TABLE "deal_events" ADD COLUMN "seq" bigint DEFAULT nextval('fact_seq') NOT NULL;--> statement-breakpoint
ALTER TABLE "feedback" ADD COLUMN "seq" bigint DEFAULT nextval('fact_seq') NOT NULL;--> statement-breakpoint
ALTER TABLE "stage_transitions" ADD COLUMN "seq" bigint DEFAULT nextval('fact_seq') NOT NULL;--> statement-breakpoint
ALTER TABLE "touches" ADD COLUMN "seq" bigint DEFAULT nextval('fact_seq') NOT NULL;--> statement-breakpoint
ALTER TABLE "engine_states" ADD CONSTRAINT "engine_states_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engine_ticks" ADD CONSTRAINT "engine_ticks_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assignments_rep_idx" ON "assignments" USING btree ("workspace_id","rep_id","assigned_at");--> statement-breakpoint
CREATE INDEX "contact_changes_seq_idx" ON "contact_changes" USING btree ("workspace_id","seq");--> statement-breakpoint
CREATE INDEX "contact_states_next_due_idx" ON "contact_states" USING btree ("workspace_id","next_due_at");--> statement-breakpoint
CREATE INDEX "contact_states_owner_idx" ON "contact_states" USING btree ("workspace_id","owner_rep_id");--> statement-breakpoint
CREATE INDEX "contact_states_stage_idx" ON "contact_states" USING btree ("workspace_id","stage");--> statement-breakpoint
CREATE INDEX "engine_alerts_at_idx" ON "engine_alerts" USING btree ("workspace_id","at");--> statement-breakpoint
CREATE INDEX "notifications_created_idx" ON "notifications" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE INDEX "sla_clocks_deadline_idx" ON "sla_clocks" USING btree ("workspace_id","deadline_at");--> statement-breakpoint
CREATE INDEX "sla_clocks_rep_idx" ON "sla_clocks" USING btree ("workspace_id","rep_id","started_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "activities_seq_idx" ON "activities" USING btree ("workspace_id","seq");--> statement-breakpoint
CREATE INDEX "deal_events_seq_idx" ON "deal_events" USING btree ("workspace_id","seq");--> statement-breakpoint
CREATE INDEX "feedback_seq_idx" ON "feedback" USING btree ("workspace_id","seq");--> statement-breakpoint
CREATE INDEX "stage_transitions_seq_idx" ON "stage_transitions" USING btree ("workspace_id","seq");--> statement-breakpoint
CREATE INDEX "touches_seq_idx" ON "touches" USING btree ("workspace_id","seq");--> statement-breakpoint
-- Every version of a contact becomes a fact in the engine's order (see contact_changes in schema.ts).
CREATE FUNCTION "smarketing_record_contact_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.traits IS DISTINCT FROM OLD.traits OR NEW.email IS DISTINCT FROM OLD.email
     OR NEW.account_id IS DISTINCT FROM OLD.account_id OR NEW.merged_into_id IS DISTINCT FROM OLD.merged_into_id THEN
    INSERT INTO contact_changes (workspace_id, contact_id, email, account_id, traits, merged_into_id, changed_at)
    VALUES (NEW.workspace_id, NEW.id, NEW.email, NEW.account_id, NEW.traits, NEW.merged_into_id, NEW.updated_at);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "contacts_record_change" AFTER INSERT OR UPDATE ON "contacts"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_record_contact_change"();
--> statement-breakpoint
INSERT INTO contact_changes (workspace_id, contact_id, email, account_id, traits, merged_into_id, changed_at)
  SELECT workspace_id, id, email, account_id, traits, merged_into_id, updated_at FROM contacts ORDER BY created_at, id;
--> statement-breakpoint
CREATE TRIGGER "contact_changes_append_only" BEFORE UPDATE OR DELETE ON "contact_changes"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "contact_changes_append_only_truncate" BEFORE TRUNCATE ON "contact_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_reject_fact_change"();
