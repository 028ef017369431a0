ALTER TABLE "outbox" ADD COLUMN "failure_reason" text;--> statement-breakpoint
-- Rows set aside before reasons were recorded were refused by Gitea.
UPDATE "outbox" SET "failure_reason" = 'rejected' WHERE "status" = 'failed';--> statement-breakpoint
-- Delivered memory writes keep no content (it is in git), only the hash an idempotent replay compares.
UPDATE "outbox" SET "payload" = ("payload" - 'content') || jsonb_build_object('contentSha256', encode(sha256(convert_to("payload"->>'content', 'UTF8')), 'hex')) WHERE "kind" = 'memory.write' AND "status" = 'done' AND "payload" ? 'content';--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_failure_reason_valid" CHECK (("outbox"."status" = 'failed') = ("outbox"."failure_reason" is not null) and ("outbox"."failure_reason" is null or "outbox"."failure_reason" in ('rejected', 'invalid_path', 'retries_exhausted')));
