CREATE TABLE "reassignments" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"to_rep_id" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"seq" bigint DEFAULT nextval('fact_seq') NOT NULL,
	"external_id" text,
	CONSTRAINT "reassignments_pk" PRIMARY KEY("workspace_id","contact_id","id"),
	CONSTRAINT "reassignments_external_unique" UNIQUE("workspace_id","contact_id","external_id")
);
--> statement-breakpoint
ALTER TABLE "reassignments" ADD CONSTRAINT "reassignments_contact_fk" FOREIGN KEY ("workspace_id","contact_id") REFERENCES "public"."contacts"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reassignments_seq_idx" ON "reassignments" USING btree ("workspace_id","seq");--> statement-breakpoint
-- A reassignment is a fact like a touch: append-only, erased only with smarketing.allow_erase.
CREATE TRIGGER "reassignments_append_only" BEFORE UPDATE OR DELETE ON "reassignments"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_reject_fact_change"();
--> statement-breakpoint
CREATE TRIGGER "reassignments_append_only_truncate" BEFORE TRUNCATE ON "reassignments"
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_reject_fact_change"();
