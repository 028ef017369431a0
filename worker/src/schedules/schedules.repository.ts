import { and, asc, count, eq, gte, inArray, isNotNull, lte, min, sql } from "drizzle-orm";
import { scheduleRuns, schedules } from "../../../schema";
import type { Database } from "../../../schema/db";

export type ScheduleRow = typeof schedules.$inferSelect;
export type ScheduleInsert = Omit<typeof schedules.$inferInsert, "id" | "userId" | "createdAt" | "updatedAt">;
export type RunRow = typeof scheduleRuns.$inferSelect;

/** Every query is scoped by the owner: another user's schedule is indistinguishable from a missing one. */
const owned = (userId: string, id: string) => and(eq(schedules.id, id), eq(schedules.userId, userId));

/**
 * Stores a schedule unless the user has `max` already (undefined then). Counted under a per-user advisory lock
 * held to the end of the transaction, so a burst of creates (REST or parallel tool calls) cannot pass the limit.
 */
export async function createSchedule(
  db: Database,
  userId: string,
  values: ScheduleInsert,
  max: number,
): Promise<ScheduleRow | undefined> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`schedules:${userId}`}))`);
    const [counted] = await tx.select({ n: count() }).from(schedules).where(eq(schedules.userId, userId));
    if ((counted?.n ?? 0) >= max) return undefined;
    const [row] = await tx
      .insert(schedules)
      .values({ ...values, userId })
      .returning();
    if (!row) throw new Error("schedule insert returned no row");
    return row;
  });
}

/** All of them (a plan allows at most a hundred), oldest first. */
export function listSchedules(db: Database, userId: string): Promise<ScheduleRow[]> {
  return db
    .select()
    .from(schedules)
    .where(eq(schedules.userId, userId))
    .orderBy(asc(schedules.id))
    .limit(500);
}

export async function findSchedule(
  db: Database,
  userId: string,
  id: string,
): Promise<ScheduleRow | undefined> {
  const [row] = await db.select().from(schedules).where(owned(userId, id));
  return row;
}

export async function updateSchedule(
  db: Database,
  userId: string,
  id: string,
  values: Partial<ScheduleInsert>,
): Promise<ScheduleRow | undefined> {
  const [row] = await db.update(schedules).set(values).where(owned(userId, id)).returning();
  return row;
}

export async function deleteSchedule(db: Database, userId: string, id: string): Promise<boolean> {
  const deleted = await db.delete(schedules).where(owned(userId, id)).returning({ id: schedules.id });
  return deleted.length > 0;
}

/** Active schedules whose pending slot has come. */
export function dueSchedules(db: Database, userId: string, now: Date): Promise<ScheduleRow[]> {
  return db
    .select()
    .from(schedules)
    .where(and(eq(schedules.userId, userId), eq(schedules.status, "active"), lte(schedules.nextRunAt, now)))
    .orderBy(asc(schedules.nextRunAt))
    .limit(50);
}

/** When the alarm must next fire: the earliest pending slot of the user's active schedules. */
export async function earliestSlot(db: Database, userId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: min(schedules.nextRunAt) })
    .from(schedules)
    .where(and(eq(schedules.userId, userId), eq(schedules.status, "active"), isNotNull(schedules.nextRunAt)));
  return row?.at ? new Date(row.at) : null;
}

/**
 * Moves a schedule past the slot it just handled, only if that slot is still its pending one: a PATCH (pause,
 * a new cron) that landed meanwhile wins.
 */
export async function advanceSchedule(
  db: Database,
  schedule: { id: string; nextRunAt: Date | null },
  next: Date | null,
): Promise<void> {
  if (!schedule.nextRunAt) return;
  await db
    .update(schedules)
    .set(next ? { nextRunAt: next } : { nextRunAt: null, status: "done" })
    .where(and(eq(schedules.id, schedule.id), eq(schedules.nextRunAt, schedule.nextRunAt)));
}

/**
 * Claims a slot: the first claim inserts its run (`fresh`); a later one (the alarm again, a restart during the
 * slot) gets the same row back, so it can finish what the first started without doing it twice.
 */
export async function claimRun(
  db: Database,
  input: { scheduleId: string; userId: string; slotAt: Date; status?: RunRow["status"] },
): Promise<{ run: RunRow; fresh: boolean }> {
  const [inserted] = await db.insert(scheduleRuns).values(input).onConflictDoNothing().returning();
  if (inserted) return { run: inserted, fresh: true };
  const [existing] = await db
    .select()
    .from(scheduleRuns)
    .where(and(eq(scheduleRuns.scheduleId, input.scheduleId), eq(scheduleRuns.slotAt, input.slotAt)));
  if (!existing) throw new Error("schedule run vanished after a conflicting insert");
  return { run: existing, fresh: false };
}

export async function updateRun(
  db: Database,
  runId: string,
  values: Partial<
    Pick<RunRow, "status" | "threadId" | "messageId" | "errorCode" | "errorMessage" | "finishedAt">
  >,
): Promise<void> {
  await db.update(scheduleRuns).set(values).where(eq(scheduleRuns.id, runId));
}

/** Runs that count against the plan's daily limit: started or sent since `since` (failed and skipped do not). */
export async function countRunsSince(db: Database, userId: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(scheduleRuns)
    .where(
      and(
        eq(scheduleRuns.userId, userId),
        gte(scheduleRuns.startedAt, since),
        inArray(scheduleRuns.status, ["started", "sent"]),
      ),
    );
  return row?.n ?? 0;
}
