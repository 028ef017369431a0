import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, idColumn, oneOf, updatedAt } from "./columns";
import { threads } from "./threads";
import { users } from "./users";

/** L2 session memory: small keyed notes, per thread or (thread null) for the whole user. */
export const memoryEntries = pgTable(
  "memory_entries",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    threadId: uuid("thread_id").references(() => threads.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    content: text("content").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // NULLS NOT DISTINCT: a user-wide key (thread null) also exists at most once.
    unique("memory_entries_user_thread_key_unique").on(t.userId, t.threadId, t.key).nullsNotDistinct(),
    check("memory_entries_key_len", sql`char_length(${t.key}) between 1 and 200`),
  ],
);

export const outboxStatuses = ["pending", "processing", "done", "failed"] as const;
/**
 * Why a row ended `failed`: the target refused it for good (`rejected`, e.g. Gitea's 422), its path can never be
 * written (`invalid_path`, a row stored before today's path rules), or transient failures went on too long
 * (`retries_exhausted`). `last_error` keeps the detail.
 */
export const outboxFailureReasons = ["rejected", "invalid_path", "retries_exhausted"] as const;

/**
 * Durable outbox for writes to external systems (Gitea commits, …). A row is written in the same transaction
 * as the change that caused it and retried (with backoff, a bounded number of times) until delivered or set aside
 * as `failed` with its reason; the idempotency key keeps a retry from applying twice. A delivered row keeps only
 * what an idempotent replay needs (no content).
 */
export const outbox = pgTable(
  "outbox",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    payload: jsonb("payload").notNull(),
    status: text("status", { enum: outboxStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    failureReason: text("failure_reason", { enum: outboxFailureReasons }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    index("outbox_due_idx").on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'processing')`),
    index("outbox_user_id_idx").on(t.userId),
    check("outbox_status_valid", oneOf(t.status, outboxStatuses)),
    check("outbox_attempts_non_negative", sql`${t.attempts} >= 0`),
    check(
      "outbox_failure_reason_valid",
      sql`(${t.status} = 'failed') = (${t.failureReason} is not null) and (${t.failureReason} is null or ${oneOf(t.failureReason, outboxFailureReasons)})`,
    ),
  ],
);

/**
 * Every version of a memory file committed through GrowQR, written in the same statement that marks its outbox
 * row delivered. Two jobs: L2 answers reads and listings from the newest version of each path without waking the
 * user's Gitea machine, and it is the durable copy that rebuilds their repository (files and commits in order) on a
 * new Gitea machine after the old one and its volume are lost (worker/src/git/restore-user-repo.ts).
 */
export const memoryVersions = pgTable(
  "memory_versions",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    path: text("path").notNull(),
    content: text("content").notNull(),
    message: text("message").notNull(),
    /** The commit in the repository it was written to; a restore writes it again under a new SHA. */
    commitSha: text("commit_sha").notNull(),
    /** The outbox row it came from: one version per delivered write, whatever retries did. */
    writeId: uuid("write_id").notNull().unique(),
    committedAt: timestamp("committed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("memory_versions_user_path_idx").on(t.userId, t.path, t.id)],
);
