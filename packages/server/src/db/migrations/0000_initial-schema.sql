CREATE TABLE "accounts" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"domain" text,
	"name" text NOT NULL,
	"traits" jsonb NOT NULL,
	"owner_id" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "accounts_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "accounts_workspace_domain_unique" UNIQUE("workspace_id","domain")
);
--> statement-breakpoint
CREATE TABLE "activities" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"message_id" text,
	"kind" text NOT NULL,
	"event" text,
	"activity_type" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"properties" jsonb NOT NULL,
	"context" jsonb NOT NULL,
	CONSTRAINT "activities_pk" PRIMARY KEY("workspace_id","contact_id","id"),
	CONSTRAINT "activities_kind_check" CHECK ("activities"."kind" in ('track', 'page', 'screen', 'identify', 'group', 'alias'))
);
--> statement-breakpoint
CREATE TABLE "agreement_versions" (
	"workspace_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"document" text NOT NULL,
	"parsed" jsonb NOT NULL,
	"checksum" text NOT NULL,
	"applied_by" text NOT NULL,
	"applied_at" timestamp with time zone NOT NULL,
	"note" text,
	CONSTRAINT "agreement_versions_pk" PRIMARY KEY("workspace_id","version"),
	CONSTRAINT "agreement_versions_version_check" CHECK ("agreement_versions"."version" > 0)
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"workspace_id" uuid NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "api_keys_prefix_unique" UNIQUE("prefix"),
	CONSTRAINT "api_keys_hash_check" CHECK ("api_keys"."hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "contact_identities" (
	"workspace_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"contact_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "contact_identities_pk" PRIMARY KEY("workspace_id","kind","value"),
	CONSTRAINT "contact_identities_kind_check" CHECK ("contact_identities"."kind" in ('email', 'user_id', 'anonymous_id'))
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"account_id" uuid,
	"email" text,
	"traits" jsonb NOT NULL,
	"merged_into_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "contacts_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "deal_events" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"deal_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text,
	"account_id" uuid,
	"stage" text,
	"amount" numeric(18, 2),
	"currency" text,
	"close_date" date,
	"reason" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "deal_events_pk" PRIMARY KEY("workspace_id","contact_id","deal_id","id"),
	CONSTRAINT "deal_events_kind_check" CHECK ("deal_events"."kind" in ('created', 'stage-changed', 'amount-changed', 'won', 'lost')),
	CONSTRAINT "deal_events_amount_check" CHECK ("deal_events"."amount" >= 0),
	CONSTRAINT "deal_events_currency_check" CHECK ("deal_events"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "deals" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"account_id" uuid,
	"name" text NOT NULL,
	"amount" numeric(18, 2),
	"currency" text,
	"stage" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"close_date" date,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "deals_pk" PRIMARY KEY("workspace_id","contact_id","id"),
	CONSTRAINT "deals_status_check" CHECK ("deals"."status" in ('open', 'won', 'lost')),
	CONSTRAINT "deals_amount_check" CHECK ("deals"."amount" >= 0),
	CONSTRAINT "deals_currency_check" CHECK ("deals"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "feedback" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"rep_id" text NOT NULL,
	"verdict" text NOT NULL,
	"reason" text,
	"rating" smallint,
	"comment" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "feedback_pk" PRIMARY KEY("workspace_id","contact_id","id"),
	CONSTRAINT "feedback_verdict_check" CHECK ("feedback"."verdict" in ('accept', 'reject', 'recycle')),
	CONSTRAINT "feedback_rating_check" CHECK ("feedback"."rating" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "ingested_messages" (
	"workspace_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ingested_messages_pk" PRIMARY KEY("workspace_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "scores" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"fit" double precision NOT NULL,
	"interest" double precision NOT NULL,
	"quadrant" text NOT NULL,
	"fit_grade" text NOT NULL,
	"explanation" jsonb NOT NULL,
	"agreement_version" integer NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "scores_pk" PRIMARY KEY("workspace_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "stage_transitions" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"from_stage" text,
	"to_stage" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"cause" text NOT NULL,
	"actor" text,
	"rule_id" text,
	"reason" text,
	"agreement_version" integer NOT NULL,
	CONSTRAINT "stage_transitions_pk" PRIMARY KEY("workspace_id","contact_id","id"),
	CONSTRAINT "stage_transitions_cause_check" CHECK ("stage_transitions"."cause" in ('rule', 'person', 'import', 'system')),
	CONSTRAINT "stage_transitions_rule_check" CHECK ("stage_transitions"."cause" <> 'rule' or "stage_transitions"."rule_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "touches" (
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"rep_id" text NOT NULL,
	"kind" text NOT NULL,
	"outcome" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"external_id" text,
	CONSTRAINT "touches_pk" PRIMARY KEY("workspace_id","contact_id","id"),
	CONSTRAINT "touches_external_unique" UNIQUE("workspace_id","contact_id","source","external_id"),
	CONSTRAINT "touches_kind_check" CHECK ("touches"."kind" in ('call', 'email', 'meeting'))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "users_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "users_workspace_email_unique" UNIQUE("workspace_id","email")
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "workspaces_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_contact_fk" FOREIGN KEY ("workspace_id","contact_id") REFERENCES "public"."contacts"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_versions" ADD CONSTRAINT "agreement_versions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_identities" ADD CONSTRAINT "contact_identities_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deal_events" ADD CONSTRAINT "deal_events_contact_fk" FOREIGN KEY ("workspace_id","contact_id") REFERENCES "public"."contacts"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deals" ADD CONSTRAINT "deals_contact_fk" FOREIGN KEY ("workspace_id","contact_id") REFERENCES "public"."contacts"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_contact_fk" FOREIGN KEY ("workspace_id","contact_id") REFERENCES "public"."contacts"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingested_messages" ADD CONSTRAINT "ingested_messages_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scores" ADD CONSTRAINT "scores_contact_fk" FOREIGN KEY ("workspace_id","contact_id") REFERENCES "public"."contacts"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_transitions" ADD CONSTRAINT "stage_transitions_contact_fk" FOREIGN KEY ("workspace_id","contact_id") REFERENCES "public"."contacts"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "touches" ADD CONSTRAINT "touches_contact_fk" FOREIGN KEY ("workspace_id","contact_id") REFERENCES "public"."contacts"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activities_contact_occurred_idx" ON "activities" USING btree ("workspace_id","contact_id","occurred_at");--> statement-breakpoint
CREATE INDEX "activities_type_occurred_idx" ON "activities" USING btree ("workspace_id","activity_type","occurred_at");--> statement-breakpoint
CREATE INDEX "contact_identities_contact_idx" ON "contact_identities" USING btree ("workspace_id","contact_id");--> statement-breakpoint
CREATE INDEX "contacts_account_idx" ON "contacts" USING btree ("workspace_id","account_id");--> statement-breakpoint
CREATE INDEX "deal_events_occurred_idx" ON "deal_events" USING btree ("workspace_id","occurred_at");--> statement-breakpoint
CREATE INDEX "deals_status_close_idx" ON "deals" USING btree ("workspace_id","status","close_date");--> statement-breakpoint
CREATE INDEX "feedback_occurred_idx" ON "feedback" USING btree ("workspace_id","occurred_at");--> statement-breakpoint
CREATE INDEX "ingested_messages_received_at_idx" ON "ingested_messages" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "scores_quadrant_interest_idx" ON "scores" USING btree ("workspace_id","quadrant","interest");--> statement-breakpoint
CREATE INDEX "stage_transitions_contact_occurred_idx" ON "stage_transitions" USING btree ("workspace_id","contact_id","occurred_at");--> statement-breakpoint
CREATE INDEX "stage_transitions_to_stage_occurred_idx" ON "stage_transitions" USING btree ("workspace_id","to_stage","occurred_at");--> statement-breakpoint
CREATE INDEX "touches_rep_occurred_idx" ON "touches" USING btree ("workspace_id","rep_id","occurred_at");