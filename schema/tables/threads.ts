import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, idColumn, oneOf, updatedAt } from "./columns";
import { users } from "./users";

/** A conversation (session) between a user and their Grow Agent. */
export const threads = pgTable(
  "threads",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull().default(""),
    // Allocating the next event seq with `UPDATE … SET last_seq = last_seq + 1 RETURNING` serialises writers
    // per thread, which is what keeps seq gapless.
    lastSeq: bigint("last_seq", { mode: "number" }).notNull().default(0),
    // Same scheme for messages: a reader paging by seq never misses a message that commits late.
    lastMessageSeq: bigint("last_message_seq", { mode: "number" }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("threads_user_id_id_idx").on(t.userId, t.id.desc()),
    check("threads_title_len", sql`char_length(${t.title}) <= 200`),
  ],
);

export const messageRoles = ["user", "assistant"] as const;
export const messageStatuses = ["complete", "partial", "error"] as const;

export const messages = pgTable(
  "messages",
  {
    id: idColumn(),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    // Denormalised owner so ownership checks and per-user queries need no join.
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    seq: bigint("seq", { mode: "number" }).notNull(),
    role: text("role", { enum: messageRoles }).notNull(),
    // Anthropic content blocks (text, tool_use, tool_result) exactly as sent to / received from the model.
    content: jsonb("content").notNull(),
    status: text("status", { enum: messageStatuses }).notNull().default("complete"),
    usage: jsonb("usage"),
    // Set by a client on a user message so that a resent request stores it once (NULLs never clash).
    idempotencyKey: text("idempotency_key"),
    // The turn that wrote this message (assistant replies, tool results, partial text); null for what users send.
    // A turn replaced by a regenerated reply (turn_regenerations) keeps its messages, never sent to the model again.
    turnId: uuid("turn_id"),
    createdAt: createdAt(),
  },
  (t) => [
    unique("messages_thread_id_seq_unique").on(t.threadId, t.seq),
    unique("messages_thread_id_idempotency_key_unique").on(t.threadId, t.idempotencyKey),
    check("messages_role_valid", oneOf(t.role, messageRoles)),
    check("messages_status_valid", oneOf(t.status, messageStatuses)),
  ],
);

/** Everything that happened in a thread, in order; clients resume with `after=seq`. */
export const events = pgTable(
  "events",
  {
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    seq: bigint("seq", { mode: "number" }).notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    data: jsonb("data").notNull().default({}),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The primary key is the unique (thread_id, seq): a second event with the same seq is rejected.
    primaryKey({ name: "events_thread_id_seq_pk", columns: [t.threadId, t.seq] }),
    check("events_seq_positive", sql`${t.seq} > 0`),
    index("events_user_id_at_idx").on(t.userId, t.at),
  ],
);

/**
 * A reply regenerated: turn `turnId` answers `messageId` again in place of `supersededTurnId`. One row per replaced
 * turn (the key: a turn is replaced once) and per idempotency key (a retried regenerate starts no second turn).
 */
export const turnRegenerations = pgTable(
  "turn_regenerations",
  {
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    supersededTurnId: uuid("superseded_turn_id").notNull(),
    turnId: uuid("turn_id").notNull(),
    messageId: uuid("message_id").notNull(),
    idempotencyKey: text("idempotency_key"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "turn_regenerations_pk", columns: [t.threadId, t.supersededTurnId] }),
    unique("turn_regenerations_thread_id_idempotency_key_unique").on(t.threadId, t.idempotencyKey),
  ],
);
