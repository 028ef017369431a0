CREATE TABLE "usage_reports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"stripe_customer_id" text NOT NULL,
	"tokens" bigint NOT NULL,
	"records" integer NOT NULL,
	"usage_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reported_at" timestamp with time zone,
	CONSTRAINT "usage_reports_status" CHECK ("usage_reports"."status" in ('pending', 'reported', 'rejected'))
);
--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "current_period_start" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "latest_invoice_status" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "latest_invoice_event_created_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "report_id" uuid;--> statement-breakpoint
ALTER TABLE "usage_reports" ADD CONSTRAINT "usage_reports_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_reports_pending_idx" ON "usage_reports" USING btree ("user_id") WHERE "usage_reports"."status" = 'pending';--> statement-breakpoint
ALTER TABLE "usage_records" ADD CONSTRAINT "usage_records_report_id_usage_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."usage_reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_records_unreported_idx" ON "usage_records" USING btree ("user_id") WHERE "usage_records"."report_id" is null;