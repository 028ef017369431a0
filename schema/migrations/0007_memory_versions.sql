CREATE TABLE "memory_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"path" text NOT NULL,
	"content" text NOT NULL,
	"message" text NOT NULL,
	"commit_sha" text NOT NULL,
	"write_id" uuid NOT NULL,
	"committed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memory_versions_write_id_unique" UNIQUE("write_id")
);
--> statement-breakpoint
ALTER TABLE "repos" ADD COLUMN "restore_cursor" text;--> statement-breakpoint
ALTER TABLE "memory_versions" ADD CONSTRAINT "memory_versions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "memory_versions_user_path_idx" ON "memory_versions" USING btree ("user_id","path","id");