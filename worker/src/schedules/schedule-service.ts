import { ApiError } from "../../../platform/api-error";
import type { Database } from "../../../schema/db";
import { entitlements } from "../billing/entitlements";
import { planOf } from "../billing/plans";
import { findThread } from "../threads/threads.repository";
import {
  checkTiming,
  type MissedPolicy,
  nextSlot,
  type ScheduleTiming,
  slotsWithin,
  upcomingSlots,
} from "./schedule-plan";
import { timingOf } from "./schedule-timing";
import {
  createSchedule,
  findSchedule,
  type ScheduleInsert,
  type ScheduleRow,
  updateSchedule,
} from "./schedules.repository";

/** What a user (REST, the SPA) or the Grow Agent (schedule_task) asks for; the limits are the callers' schemas'. */
export interface ScheduleInput {
  title?: string;
  prompt: string;
  /** Exactly one of `cron` and `runAt`. */
  cron?: string;
  runAt?: Date;
  timeZone: string;
  /** A thread of the user's; null or absent: a new thread for each run. */
  threadId?: string | null;
  missedPolicy?: MissedPolicy;
  /** `paused` for a schedule the Grow Agent proposed: it runs once the user turns it on. */
  status?: "active" | "paused";
}

const DAY_MS = 24 * 3_600_000;

export interface SchedulePatch {
  title?: string;
  prompt?: string;
  status?: "active" | "paused";
  missedPolicy?: MissedPolicy;
}

export const scheduleNotFound = () => new ApiError("schedule_not_found", "No such schedule");
const threadNotFound = () => new ApiError("thread_not_found", "No such thread");

function timingFrom(input: Pick<ScheduleInput, "cron" | "runAt" | "timeZone">): ScheduleTiming {
  if ((input.cron === undefined) === (input.runAt === undefined)) {
    throw new ApiError(
      "invalid_schedule",
      "Give either a cron expression or a one-off time (runAt), not both",
    );
  }
  return input.cron !== undefined
    ? { kind: "cron", cron: input.cron.trim(), timeZone: input.timeZone }
    : { kind: "once", runAt: input.runAt ?? new Date(Number.NaN), timeZone: input.timeZone };
}

/** Validates against the clock and the plan, checks the target thread is the user's, and stores the schedule. */
export async function createScheduleFor(
  db: Database,
  userId: string,
  input: ScheduleInput,
  now: Date,
): Promise<ScheduleRow> {
  const timing = timingFrom(input);
  const problem = checkTiming(timing, now);
  if (problem) throw new ApiError("invalid_schedule", `${problem.field}: ${problem.message}`);
  if (input.threadId && !(await findThread(db, userId, input.threadId))) throw threadNotFound();
  const plan = planOf((await entitlements(db, userId)).plan);
  // A cron firing more often than the plan runs in a day would only pile up refused runs (rows, wakes).
  if (
    timing.kind === "cron" &&
    slotsWithin(timing, now, DAY_MS, plan.scheduleRunsPerDay + 1) > plan.scheduleRunsPerDay
  ) {
    throw new ApiError(
      "invalid_schedule",
      `cron: fires more than ${plan.scheduleRunsPerDay} times a day, the most the ${plan.name} plan runs`,
    );
  }
  const values: ScheduleInsert = {
    title: input.title ?? "",
    prompt: input.prompt,
    kind: timing.kind,
    cron: timing.kind === "cron" ? timing.cron : null,
    runAt: timing.kind === "once" ? timing.runAt : null,
    timeZone: timing.timeZone,
    threadId: input.threadId ?? null,
    missedPolicy: input.missedPolicy ?? "run_once",
    nextRunAt: nextSlot(timing, now),
    status: input.status ?? "active",
  };
  const row = await createSchedule(db, userId, values, plan.maxSchedules);
  if (!row) {
    throw new ApiError(
      "too_many_schedules",
      `The ${plan.name} plan keeps at most ${plan.maxSchedules} schedules; delete one or upgrade at /billing.`,
    );
  }
  return row;
}

/**
 * Pause keeps the pending slot for display but the alarm ignores it; resume starts again from the next slot
 * after now (slots that fell while paused are not run). A one-off resumed after its time is done.
 */
export async function patchScheduleFor(
  db: Database,
  userId: string,
  id: string,
  patch: SchedulePatch,
  now: Date,
): Promise<ScheduleRow> {
  const current = await findSchedule(db, userId, id);
  if (!current) throw scheduleNotFound();
  const values: Partial<ScheduleInsert> = {
    ...(patch.title !== undefined && { title: patch.title }),
    ...(patch.prompt !== undefined && { prompt: patch.prompt }),
    ...(patch.missedPolicy !== undefined && { missedPolicy: patch.missedPolicy }),
  };
  if (patch.status === "paused" && current.status === "active") values.status = "paused";
  if (patch.status === "active" && current.status === "paused") {
    const next = nextSlot(timingOf(current), now);
    values.status = next ? "active" : "done";
    values.nextRunAt = next;
  }
  if (Object.keys(values).length === 0) return current;
  const row = await updateSchedule(db, userId, id, values);
  if (!row) throw scheduleNotFound();
  return row;
}

const UPCOMING = 5;

/** A schedule as the API shows it: times in UTC (ISO 8601); the SPA renders them in the schedule's zone. */
export function scheduleJson(row: ScheduleRow, now: Date) {
  const upcoming =
    row.status === "active" && row.nextRunAt
      ? [row.nextRunAt, ...upcomingSlots(timingOf(row), row.nextRunAt, UPCOMING - 1)]
      : [];
  return {
    id: row.id,
    title: row.title,
    prompt: row.prompt,
    kind: row.kind,
    cron: row.cron,
    runAt: row.runAt?.toISOString() ?? null,
    timeZone: row.timeZone,
    threadId: row.threadId,
    missedPolicy: row.missedPolicy,
    status: row.status,
    nextRunAt: row.status === "active" ? (row.nextRunAt?.toISOString() ?? null) : null,
    upcoming: upcoming.filter((slot) => slot.getTime() >= now.getTime() - 60_000).map((d) => d.toISOString()),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
