CREATE TABLE "turn_regenerations" (
	"thread_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"superseded_turn_id" uuid NOT NULL,
	"turn_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "turn_regenerations_pk" PRIMARY KEY("thread_id","superseded_turn_id"),
	CONSTRAINT "turn_regenerations_thread_id_idempotency_key_unique" UNIQUE("thread_id","idempotency_key")
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "turn_id" uuid;--> statement-breakpoint
ALTER TABLE "turn_regenerations" ADD CONSTRAINT "turn_regenerations_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "turn_regenerations" ADD CONSTRAINT "turn_regenerations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;