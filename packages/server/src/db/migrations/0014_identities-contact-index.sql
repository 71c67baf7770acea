DROP INDEX "contact_identities_contact_idx";--> statement-breakpoint
CREATE INDEX "contact_identities_contact_idx" ON "contact_identities" USING btree ("contact_id");--> statement-breakpoint
-- Which workspace holds how many rows is kept with a small sample (3,000 rows a table), so the
-- ingest writer can refresh just that, often and cheaply (0.3 s for these tables at 700k rows,
-- against 5 s for every column): the other columns keep the default target.
ALTER TABLE "contacts" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "contact_identities" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "accounts" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "activities" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "ingested_messages" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "touches" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "deals" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "deal_events" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "feedback" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "stage_transitions" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "person_timelines" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "contact_states" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "scores" ALTER COLUMN "workspace_id" SET STATISTICS 10;--> statement-breakpoint
ALTER TABLE "sla_clocks" ALTER COLUMN "workspace_id" SET STATISTICS 10;
