ALTER TABLE "contact_changes" ADD COLUMN "account_traits" jsonb;--> statement-breakpoint
-- Each logged version of a contact carries its account's traits as they were, and a change of an
-- account's traits logs a new version of each of its contacts, so the engine reads accounts in
-- order too and a replay scores every fact with the traits known at that point.
CREATE OR REPLACE FUNCTION "smarketing_record_contact_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.traits IS DISTINCT FROM OLD.traits OR NEW.email IS DISTINCT FROM OLD.email
     OR NEW.account_id IS DISTINCT FROM OLD.account_id OR NEW.merged_into_id IS DISTINCT FROM OLD.merged_into_id THEN
    INSERT INTO contact_changes (workspace_id, contact_id, email, account_id, traits, account_traits, merged_into_id, changed_at)
    VALUES (NEW.workspace_id, NEW.id, NEW.email, NEW.account_id, NEW.traits,
            (SELECT a.traits FROM accounts a WHERE a.workspace_id = NEW.workspace_id AND a.id = NEW.account_id),
            NEW.merged_into_id, NEW.updated_at);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION "smarketing_record_account_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.traits IS DISTINCT FROM OLD.traits THEN
    INSERT INTO contact_changes (workspace_id, contact_id, email, account_id, traits, account_traits, merged_into_id, changed_at)
    SELECT c.workspace_id, c.id, c.email, c.account_id, c.traits, NEW.traits, c.merged_into_id, c.updated_at
      FROM contacts c
     WHERE c.workspace_id = NEW.workspace_id AND c.account_id = NEW.id AND c.merged_into_id IS NULL
     ORDER BY c.id;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "accounts_record_change" AFTER UPDATE ON "accounts"
  FOR EACH ROW EXECUTE FUNCTION "smarketing_record_account_change"();
--> statement-breakpoint
-- Versions logged before this migration take their account's current traits (the best known).
SET LOCAL smarketing.allow_erase = 'on';
--> statement-breakpoint
UPDATE contact_changes SET account_traits = a.traits FROM accounts a
 WHERE a.workspace_id = contact_changes.workspace_id AND a.id = contact_changes.account_id AND contact_changes.account_traits IS NULL;
--> statement-breakpoint
SET LOCAL smarketing.allow_erase = 'off';
