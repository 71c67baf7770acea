CREATE TABLE "announcements" (
	"workspace_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"link" text,
	"effective_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"withdrawn_at" timestamp with time zone,
	CONSTRAINT "announcements_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "announcements_kind_check" CHECK ("announcements"."kind" in ('product', 'campaign', 'promotion', 'event', 'other'))
);
--> statement-breakpoint
CREATE TABLE "campaign_spend" (
	"workspace_id" uuid NOT NULL,
	"campaign" text NOT NULL,
	"source" text DEFAULT '' NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"currency" text NOT NULL,
	"imported_at" timestamp with time zone NOT NULL,
	"imported_by" text NOT NULL,
	CONSTRAINT "campaign_spend_pk" PRIMARY KEY("workspace_id","campaign","source","period_start"),
	CONSTRAINT "campaign_spend_period_check" CHECK ("campaign_spend"."period_start" <= "campaign_spend"."period_end"),
	CONSTRAINT "campaign_spend_amount_check" CHECK ("campaign_spend"."amount" >= 0)
);
--> statement-breakpoint
ALTER TABLE "announcements" ADD CONSTRAINT "announcements_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_spend" ADD CONSTRAINT "campaign_spend_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "announcements_effective_idx" ON "announcements" USING btree ("workspace_id","effective_at");