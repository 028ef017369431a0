import { type AnyColumn, and, asc, desc, eq, inArray, lt, lte, min, notExists, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { uuidv7 } from "uuidv7";
import { memoryVersions, outbox } from "../../../schema";
import type { Database } from "../../../schema/db";
import { MEMORY_WRITE, type PendingWrite, type StoredPayload } from "./memory-outbox.repository";
import type { FailureReason } from "./memory-write-failure";

/*
 * The undelivered side of the memory outbox: which writes a drain may send now, what reads must show until git
 * has a write, and each attempt's outcome on its row. Storing a write and answering for it (idempotent replays,
 * state, the failed list) is `memory-outbox.repository.ts`.
 */

const pendingStatuses = ["pending", "processing"] as const;

/** An undelivered memory write (any user). */
const isPendingWrite = (table: { kind: AnyColumn; status: AnyColumn }) =>
  and(eq(table.kind, MEMORY_WRITE), inArray(table.status, pendingStatuses));
const isUsersPendingWrite = (userId: string) => and(eq(outbox.userId, userId), isPendingWrite(outbox));

/**
 * The row is the oldest undelivered write of its path (ids are UUIDv7, so oldest = smallest id): the only one of
 * its path that may be sent now, since each path's writes are committed in order.
 */
function isHeadOfPath(db: Database) {
  const older = alias(outbox, "older");
  return notExists(
    db
      .select({ one: sql`1` })
      .from(older)
      .where(
        and(
          eq(older.userId, outbox.userId),
          isPendingWrite(older),
          sql`${older.payload}->>'path' = ${outbox.payload}->>'path'`,
          lt(older.id, outbox.id),
        ),
      ),
  );
}

const pendingColumns = {
  id: outbox.id,
  payload: outbox.payload,
  attempts: outbox.attempts,
  nextAttemptAt: outbox.nextAttemptAt,
};

function toPendingWrite(row: { id: string; payload: unknown; attempts: number; nextAttemptAt: Date }) {
  const payload = row.payload as StoredPayload;
  return {
    id: row.id,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    path: payload.path,
    content: payload.content ?? "",
    message: payload.message,
    threadId: payload.threadId,
  } satisfies PendingWrite;
}

/**
 * What a drain may send now, oldest first: for each path its oldest undelivered write, if it is due at `now`. A
 * path whose head is backing off contributes nothing, so however many writes wait behind it they never fill the
 * `limit` and hide other paths' writes.
 */
export async function dueMemoryWrites(
  db: Database,
  userId: string,
  now: Date,
  limit = 100,
): Promise<PendingWrite[]> {
  const rows = await db
    .select(pendingColumns)
    .from(outbox)
    .where(and(isUsersPendingWrite(userId), lte(outbox.nextAttemptAt, now), isHeadOfPath(db)))
    .orderBy(asc(outbox.id))
    .limit(limit);
  return rows.map(toPendingWrite);
}

/** When the earliest path head that is backing off is due (null: nothing waits), for the retry alarm. */
export async function nextHeldWriteAt(db: Database, userId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: min(outbox.nextAttemptAt) })
    .from(outbox)
    .where(and(isUsersPendingWrite(userId), isHeadOfPath(db)));
  return row?.at ? new Date(row.at) : null;
}

/** The newest undelivered write of `path`: what a read must show until git has it. */
export async function latestPendingWrite(
  db: Database,
  userId: string,
  path: string,
): Promise<PendingWrite | null> {
  const [row] = await db
    .select(pendingColumns)
    .from(outbox)
    .where(and(isUsersPendingWrite(userId), sql`${outbox.payload}->>'path' = ${path}`))
    .orderBy(desc(outbox.id))
    .limit(1);
  return row ? toPendingWrite(row) : null;
}

/** The newest undelivered write of each path under `prefix` ("" = all), for listings. */
export async function latestPendingWrites(
  db: Database,
  userId: string,
  prefix: string,
  limit = 1_000,
): Promise<PendingWrite[]> {
  const path = sql`${outbox.payload}->>'path'`;
  const rows = await db
    .selectDistinctOn([path], pendingColumns)
    .from(outbox)
    .where(and(isUsersPendingWrite(userId), sql`starts_with(${path}, ${prefix})`))
    .orderBy(path, desc(outbox.id))
    .limit(limit);
  return rows.map(toPendingWrite);
}

/**
 * Delivered: the row drops its content (what a replay needs, hash and commit, stays) and the content becomes a
 * version in `memory_versions` (L2 and the durable copy), in one statement, so no delivered write is ever missing
 * from the copy. A retried call adds no second version.
 */
export async function markWriteDone(db: Database, write: PendingWrite, commitSha: string): Promise<void> {
  await db.execute(sql`
    with done as (
      update ${outbox}
      set status = 'done', completed_at = now(), last_error = null,
          payload = (payload - 'content') || ${JSON.stringify({ commitSha })}::jsonb
      where id = ${write.id}
      returning id, user_id
    )
    insert into ${memoryVersions} (id, user_id, path, content, message, commit_sha, write_id)
    select ${uuidv7()}, user_id, ${write.path}, ${write.content}, ${write.message}, ${commitSha}, id from done
    on conflict (write_id) do nothing`);
}

/** A failed attempt to be retried at `nextAttemptAt`. */
export async function markWriteRetry(
  db: Database,
  id: string,
  error: string,
  nextAttemptAt: Date,
): Promise<void> {
  await db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1`, lastError: error.slice(0, 1_000), nextAttemptAt })
    .where(eq(outbox.id, id));
}

/**
 * Gitea was down when the write was tried: only the error is kept (for operators). Attempts and due time stay as
 * they were: an outage is not the write's failure, and the write keeps its place at the head of its path.
 */
export async function markWriteWaiting(db: Database, id: string, error: string): Promise<void> {
  await db
    .update(outbox)
    .set({ lastError: error.slice(0, 1_000) })
    .where(eq(outbox.id, id));
}

/**
 * A write set aside for good (refused by Gitea or git, or out of retries): no longer retried and never in the way
 * of later writes; kept, content included, so the user can see it and what went wrong.
 */
export async function markWriteFailed(
  db: Database,
  id: string,
  reason: FailureReason,
  error: string,
): Promise<void> {
  await db
    .update(outbox)
    .set({
      status: "failed",
      failureReason: reason,
      attempts: sql`${outbox.attempts} + 1`,
      lastError: error.slice(0, 1_000),
      completedAt: sql`now()`,
    })
    .where(eq(outbox.id, id));
}
