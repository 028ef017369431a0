CREATE TABLE "schedule_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"schedule_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"slot_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'started' NOT NULL,
	"thread_id" uuid,
	"message_id" uuid,
	"error_code" text,
	"error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "schedule_runs_schedule_id_slot_at_unique" UNIQUE("schedule_id","slot_at"),
	CONSTRAINT "schedule_runs_status_valid" CHECK ("schedule_runs"."status" in ('started', 'sent', 'failed', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "schedules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"title" text DEFAULT '' NOT NULL,
	"prompt" text NOT NULL,
	"kind" text NOT NULL,
	"cron" text,
	"run_at" timestamp with time zone,
	"time_zone" text NOT NULL,
	"thread_id" uuid,
	"missed_policy" text DEFAULT 'run_once' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"next_run_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedules_kind_valid" CHECK ("schedules"."kind" in ('cron', 'once')),
	CONSTRAINT "schedules_status_valid" CHECK ("schedules"."status" in ('active', 'paused', 'done')),
	CONSTRAINT "schedules_missed_policy_valid" CHECK ("schedules"."missed_policy" in ('run_once', 'skip')),
	CONSTRAINT "schedules_prompt_len" CHECK (char_length("schedules"."prompt") between 1 and 8000),
	CONSTRAINT "schedules_title_len" CHECK (char_length("schedules"."title") <= 200),
	CONSTRAINT "schedules_timing" CHECK (("schedules"."kind" = 'cron' and "schedules"."cron" is not null) or ("schedules"."kind" = 'once' and "schedules"."run_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "schedule_runs" ADD CONSTRAINT "schedule_runs_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule_runs" ADD CONSTRAINT "schedule_runs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedule_runs" ADD CONSTRAINT "schedule_runs_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "schedule_runs_user_id_started_at_idx" ON "schedule_runs" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "schedules_user_id_next_run_at_idx" ON "schedules" USING btree ("user_id","next_run_at");