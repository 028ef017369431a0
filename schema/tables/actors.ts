import {
  check,
  doublePrecision,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, idColumn, oneOf, updatedAt } from "./columns";
import { threads } from "./threads";
import { users } from "./users";

export const actorTypes = ["growAgent", "subAgent"] as const;
export const actorStatuses = ["creating", "active", "sleeping", "destroyed"] as const;

/** Mirror of RivetKit actor lifecycle, so actors can be listed without waking their Durable Objects. */
export const actors = pgTable(
  "actors",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    actorType: text("actor_type", { enum: actorTypes }).notNull(),
    actorKey: text("actor_key").notNull(),
    rivetActorId: text("rivet_actor_id").unique(),
    status: text("status", { enum: actorStatuses }).notNull().default("creating"),
    generation: integer("generation").notNull().default(0),
    createdAt: createdAt(),
    lastActiveAt: timestamp("last_active_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("actors_type_key_unique").on(t.actorType, t.actorKey),
    index("actors_user_id_type_idx").on(t.userId, t.actorType),
    check("actors_type_valid", oneOf(t.actorType, actorTypes)),
    check("actors_status_valid", oneOf(t.status, actorStatuses)),
  ],
);

export const opencodeSessionStatuses = [
  "starting",
  "running",
  "idle",
  "completed",
  "failed",
  "cancelled",
] as const;

/** One unit of delegated work: a sub-agent bound to a session on the user's OpenCode server. */
export const opencodeSessions = pgTable(
  "opencode_sessions",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    actorId: uuid("actor_id").references(() => actors.id, { onDelete: "set null" }),
    threadId: uuid("thread_id").references(() => threads.id, { onDelete: "set null" }),
    opencodeSessionId: text("opencode_session_id"),
    task: text("task").notNull(),
    status: text("status", { enum: opencodeSessionStatuses }).notNull().default("starting"),
    lastError: text("last_error"),
    /** The sub-agent's final answer, as handed back to the Grow Agent (truncated). */
    result: text("result"),
    /** Model cost OpenCode reported for the session, in USD. */
    costUsd: doublePrecision("cost_usd").notNull().default(0),
    startedAt: timestamp("started_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    unique("opencode_sessions_user_session_unique").on(t.userId, t.opencodeSessionId),
    index("opencode_sessions_user_id_id_idx").on(t.userId, t.id.desc()),
    index("opencode_sessions_thread_id_idx").on(t.threadId),
    check("opencode_sessions_status_valid", oneOf(t.status, opencodeSessionStatuses)),
  ],
);
