-- The entries index also holds each entry's previous instant (migration 0022), so the close rates'
-- velocity reads its period's entries from the index alone, as the other reports do.
DROP INDEX "person_timelines_entries_idx";--> statement-breakpoint
CREATE INDEX "person_timelines_entries_idx" ON "person_timelines" USING btree ("workspace_id","at","stage","person_id","previous_same_at","next_at","path_id","entered_before","previous_stage","previous_at") WHERE "person_timelines"."selects" and "person_timelines"."pos" is not null;