import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { outbox } from "../../../schema";
import type { Database } from "../../../schema/db";

export const MEMORY_WRITE = "memory.write";

export interface MemoryWrite {
  path: string;
  content: string;
  message: string;
}

export interface PendingWrite extends MemoryWrite {
  id: string;
  attempts: number;
}

/**
 * Stores a memory write before anything is sent to Gitea: once this returns, the write is acknowledged and will
 * be committed exactly once. The same idempotency key again returns the first write's id (a retried request).
 */
export async function enqueueMemoryWrite(
  db: Database,
  userId: string,
  write: MemoryWrite,
  idempotencyKey: string,
): Promise<string> {
  const [row] = await db
    .insert(outbox)
    .values({ userId, kind: MEMORY_WRITE, idempotencyKey: `${userId}:${idempotencyKey}`, payload: write })
    .onConflictDoUpdate({
      target: outbox.idempotencyKey,
      set: { idempotencyKey: sql`excluded.idempotency_key` },
    })
    .returning({ id: outbox.id });
  if (!row) throw new Error("outbox insert returned nothing");
  return row.id;
}

const pendingStatuses = ["pending", "processing"] as const;

/** The user's undelivered writes, oldest first (ids are UUIDv7): they are committed in this order. */
export async function pendingMemoryWrites(
  db: Database,
  userId: string,
  limit = 100,
): Promise<PendingWrite[]> {
  const rows = await db
    .select({ id: outbox.id, payload: outbox.payload, attempts: outbox.attempts })
    .from(outbox)
    .where(
      and(eq(outbox.userId, userId), eq(outbox.kind, MEMORY_WRITE), inArray(outbox.status, pendingStatuses)),
    )
    .orderBy(asc(outbox.id))
    .limit(limit);
  return rows.map((row) => ({ id: row.id, attempts: row.attempts, ...(row.payload as MemoryWrite) }));
}

export async function markWriteDone(db: Database, id: string): Promise<void> {
  await db
    .update(outbox)
    .set({ status: "done", completedAt: sql`now()`, lastError: null })
    .where(eq(outbox.id, id));
}

export async function markWriteRetry(
  db: Database,
  id: string,
  error: string,
  delayMs: number,
): Promise<void> {
  await db
    .update(outbox)
    .set({
      attempts: sql`${outbox.attempts} + 1`,
      lastError: error.slice(0, 1_000),
      nextAttemptAt: sql`now() + ${`${Math.round(delayMs)} milliseconds`}::interval`,
    })
    .where(eq(outbox.id, id));
}

/** A write Gitea will never accept (e.g. refused as invalid): kept for inspection, no longer retried. */
export async function markWriteFailed(db: Database, id: string, error: string): Promise<void> {
  await db
    .update(outbox)
    .set({ status: "failed", lastError: error.slice(0, 1_000), completedAt: sql`now()` })
    .where(eq(outbox.id, id));
}
