import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, idColumn, oneOf, updatedAt } from "./columns";
import { threads } from "./threads";
import { users } from "./users";

export const scheduleKinds = ["cron", "once"] as const;
export const scheduleStatuses = ["active", "paused", "done"] as const;
export const missedPolicies = ["run_once", "skip"] as const;

/** Work the user's Grow Agent does on its own, at a cron's slots or once (worker/src/schedules/). */
export const schedules = pgTable(
  "schedules",
  {
    id: idColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull().default(""),
    prompt: text("prompt").notNull(),
    kind: text("kind", { enum: scheduleKinds }).notNull(),
    cron: text("cron"),
    runAt: timestamp("run_at", { withTimezone: true }),
    timeZone: text("time_zone").notNull(),
    // Null: a new thread for every run. A deleted thread takes its schedules with it.
    threadId: uuid("thread_id").references(() => threads.id, { onDelete: "cascade" }),
    missedPolicy: text("missed_policy", { enum: missedPolicies }).notNull().default("run_once"),
    status: text("status", { enum: scheduleStatuses }).notNull().default("active"),
    // The pending slot; the growAgent's alarm is armed for the earliest of its user's active schedules.
    nextRunAt: timestamp("next_run_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("schedules_user_id_next_run_at_idx").on(t.userId, t.nextRunAt),
    check("schedules_kind_valid", oneOf(t.kind, scheduleKinds)),
    check("schedules_status_valid", oneOf(t.status, scheduleStatuses)),
    check("schedules_missed_policy_valid", oneOf(t.missedPolicy, missedPolicies)),
    check("schedules_prompt_len", sql`char_length(${t.prompt}) between 1 and 8000`),
    check("schedules_title_len", sql`char_length(${t.title}) <= 200`),
    check(
      "schedules_timing",
      sql`(${t.kind} = 'cron' and ${t.cron} is not null) or (${t.kind} = 'once' and ${t.runAt} is not null)`,
    ),
  ],
);

export const scheduleRunStatuses = ["started", "sent", "failed", "skipped"] as const;

/**
 * One row per slot of a schedule: the unique `(schedule_id, slot_at)` is the slot's idempotency key, so a slot is
 * claimed once however often the alarm fires or the actor restarts. How a sent run's turn ended and the tokens it
 * used are read from the thread's events (schedule-runs.repository.ts), which the Grow Agent writes anyway.
 */
export const scheduleRuns = pgTable(
  "schedule_runs",
  {
    id: idColumn(),
    scheduleId: uuid("schedule_id")
      .notNull()
      .references(() => schedules.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    slotAt: timestamp("slot_at", { withTimezone: true }).notNull(),
    status: text("status", { enum: scheduleRunStatuses }).notNull().default("started"),
    // Set before the message is sent (a new thread per run is created once, then reused by a retried run).
    threadId: uuid("thread_id").references(() => threads.id, { onDelete: "set null" }),
    messageId: uuid("message_id"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    startedAt: createdAt(),
    // Failed or skipped runs only: a sent run's end is its turn's end event.
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    unique("schedule_runs_schedule_id_slot_at_unique").on(t.scheduleId, t.slotAt),
    index("schedule_runs_user_id_started_at_idx").on(t.userId, t.startedAt),
    check("schedule_runs_status_valid", oneOf(t.status, scheduleRunStatuses)),
  ],
);
