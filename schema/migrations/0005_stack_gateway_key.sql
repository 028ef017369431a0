ALTER TABLE "user_stacks" ADD COLUMN "gateway_key_hash" text;--> statement-breakpoint
ALTER TABLE "user_stacks" ADD CONSTRAINT "user_stacks_gateway_key_hash_unique" UNIQUE("gateway_key_hash");