DROP INDEX "ingested_messages_received_at_idx";--> statement-breakpoint
CREATE INDEX "ingested_messages_received_at_idx" ON "ingested_messages" USING brin ("received_at");--> statement-breakpoint
-- A new contact's first logged version is written once per INSERT statement for all the rows it
-- inserted (in the order they were inserted: a plain scan of the transition table), instead of
-- by a trigger call and an INSERT per row. Updates still log a version per changed row.
CREATE FUNCTION "smarketing_record_contact_inserts"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO contact_changes (workspace_id, contact_id, email, account_id, traits, account_traits, merged_into_id, changed_at)
  SELECT n.workspace_id, n.id, n.email, n.account_id, n.traits,
         (SELECT a.traits FROM accounts a WHERE a.workspace_id = n.workspace_id AND a.id = n.account_id),
         n.merged_into_id, n.updated_at
    FROM inserted_rows n;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER "contacts_record_change" ON "contacts";
--> statement-breakpoint
CREATE TRIGGER "contacts_record_change" AFTER UPDATE ON "contacts"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_record_contact_change"();
--> statement-breakpoint
CREATE TRIGGER "contacts_record_insert" AFTER INSERT ON "contacts"
  REFERENCING NEW TABLE AS inserted_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "smarketing_record_contact_inserts"();
