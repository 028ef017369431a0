ALTER TABLE "opencode_sessions" ADD COLUMN "result" text;--> statement-breakpoint
ALTER TABLE "opencode_sessions" ADD COLUMN "cost_usd" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "opencode_sessions" ADD COLUMN "started_at" timestamp with time zone;