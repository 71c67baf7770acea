CREATE TABLE "sla_settlements" (
	"workspace_id" uuid NOT NULL,
	"period" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"agreement_version" integer NOT NULL,
	"report" jsonb NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	"closed_by" text NOT NULL,
	CONSTRAINT "sla_settlements_pk" PRIMARY KEY("workspace_id","period"),
	CONSTRAINT "sla_settlements_period_check" CHECK ("sla_settlements"."period_start" < "sla_settlements"."period_end")
);
--> statement-breakpoint
ALTER TABLE "sla_settlements" ADD CONSTRAINT "sla_settlements_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE TRIGGER "sla_settlements_append_only" BEFORE UPDATE OR DELETE ON "sla_settlements"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "sla_settlements_append_only_truncate" BEFORE TRUNCATE ON "sla_settlements"
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_reject_fact_change"();
