CREATE TABLE "ingest_drops" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"reason" text NOT NULL,
	"detail" text NOT NULL,
	"message_id" text,
	"excerpt" text,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ingest_drops_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "ingest_spool_positions" (
	"spool_id" text PRIMARY KEY NOT NULL,
	"segment" integer NOT NULL,
	"byte_offset" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contact_identities" DROP CONSTRAINT "contact_identities_kind_check";--> statement-breakpoint
ALTER TABLE "touches" DROP CONSTRAINT "touches_kind_check";--> statement-breakpoint
ALTER TABLE "activities" DROP CONSTRAINT "activities_contact_fk";
--> statement-breakpoint
DROP INDEX "activities_contact_occurred_idx";--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "deal_events" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "deals" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "feedback" ADD COLUMN "source" text DEFAULT 'api' NOT NULL;--> statement-breakpoint
ALTER TABLE "feedback" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "stage_transitions" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "ingest_drops" ADD CONSTRAINT "ingest_drops_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ingest_drops_received_idx" ON "ingest_drops" USING btree ("workspace_id","received_at");--> statement-breakpoint
CREATE INDEX "contacts_merged_into_idx" ON "contacts" USING btree ("workspace_id","merged_into_id");--> statement-breakpoint
CREATE INDEX "deals_external_idx" ON "deals" USING btree ("workspace_id","external_id");--> statement-breakpoint
ALTER TABLE "activities" DROP CONSTRAINT "activities_pk";
--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_pk" PRIMARY KEY("workspace_id","contact_id","occurred_at","id");--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_workspace_external_unique" UNIQUE("workspace_id","external_id");--> statement-breakpoint
ALTER TABLE "deal_events" ADD CONSTRAINT "deal_events_external_unique" UNIQUE("workspace_id","contact_id","source","external_id");--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_external_unique" UNIQUE("workspace_id","contact_id","source","external_id");--> statement-breakpoint
ALTER TABLE "stage_transitions" ADD CONSTRAINT "stage_transitions_external_unique" UNIQUE("workspace_id","contact_id","external_id");--> statement-breakpoint
ALTER TABLE "contact_identities" ADD CONSTRAINT "contact_identities_kind_check" CHECK ("contact_identities"."kind" in ('email', 'user_id', 'anonymous_id', 'crm_id'));--> statement-breakpoint
ALTER TABLE "touches" ADD CONSTRAINT "touches_kind_check" CHECK ("touches"."kind" in ('call', 'email', 'meeting', 'sms', 'social'));