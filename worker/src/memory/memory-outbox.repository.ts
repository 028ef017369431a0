import { type AnyColumn, and, asc, desc, eq, gt, inArray, lt, lte, min, notExists, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { ApiError } from "../../../platform/api-error";
import { outbox } from "../../../schema";
import type { Database } from "../../../schema/db";
import type { FailureReason } from "./memory-write-failure";

export const MEMORY_WRITE = "memory.write";

export interface MemoryWrite {
  path: string;
  content: string;
  message: string;
  /** The thread whose agent made the write (commit_memory), told when the write fails for good. */
  threadId?: string;
}

/**
 * The stored payload. `contentSha256` is what an idempotent replay compares (a delivered row drops `content`);
 * rows stored before it existed have only `content`. `commitSha` is added on delivery, for the replay's answer.
 */
interface StoredPayload {
  path: string;
  message: string;
  content?: string;
  contentSha256?: string;
  threadId?: string;
  commitSha?: string;
}

export interface PendingWrite extends MemoryWrite {
  id: string;
  attempts: number;
  nextAttemptAt: Date;
}

export type WriteState =
  | { status: "pending" }
  | { status: "done"; commitSha: string }
  | { status: "failed"; reason: FailureReason; error: string };

export interface FailedWrite {
  id: string;
  path: string;
  message: string;
  reason: FailureReason;
  error: string;
  attempts: number;
  createdAt: string;
  failedAt: string;
}

/**
 * The key was used before for a different write (path, content or message): refused (422), nothing stored. An
 * ApiError, so the actor passes it on with its code (toActorError) and REST answers it as for messages.
 */
export class IdempotencyKeyReusedError extends ApiError {
  constructor() {
    super(
      422,
      "idempotency_key_reused",
      "This idempotency key was already used for a different memory write",
    );
    this.name = "IdempotencyKeyReusedError";
  }
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Stores a memory write before anything is sent to Gitea: once this returns, the write is acknowledged and will
 * be committed at most once (or set aside as failed). The same idempotency key again returns the first write
 * (`replayed`) with its state; with a different path, content or message it throws `IdempotencyKeyReusedError`.
 */
export async function enqueueMemoryWrite(
  db: Database,
  userId: string,
  write: MemoryWrite,
  idempotencyKey: string,
): Promise<{ id: string; replayed: boolean; state: WriteState }> {
  const key = `${userId}:${idempotencyKey}`;
  const contentSha256 = await sha256Hex(write.content);
  const payload: StoredPayload = { ...write, contentSha256 };
  const [inserted] = await db
    .insert(outbox)
    .values({ userId, kind: MEMORY_WRITE, idempotencyKey: key, payload })
    .onConflictDoNothing({ target: outbox.idempotencyKey })
    .returning({ id: outbox.id });
  if (inserted) return { id: inserted.id, replayed: false, state: { status: "pending" } };
  const [earlier] = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.idempotencyKey, key), eq(outbox.userId, userId)));
  if (!earlier) throw new Error("outbox row vanished after an idempotency conflict");
  const stored = earlier.payload as StoredPayload;
  const storedSha = stored.contentSha256 ?? (await sha256Hex(stored.content ?? ""));
  if (stored.path !== write.path || stored.message !== write.message || storedSha !== contentSha256) {
    throw new IdempotencyKeyReusedError();
  }
  return { id: earlier.id, replayed: true, state: stateOf(earlier) };
}

function stateOf(row: {
  status: string;
  payload: unknown;
  failureReason: FailureReason | null;
  lastError: string | null;
}): WriteState {
  if (row.status === "done")
    return { status: "done", commitSha: (row.payload as StoredPayload).commitSha ?? "" };
  if (row.status === "failed") {
    return { status: "failed", reason: row.failureReason ?? "rejected", error: row.lastError ?? "" };
  }
  return { status: "pending" };
}

/** Where one of the user's writes stands. */
export async function memoryWriteState(db: Database, userId: string, id: string): Promise<WriteState | null> {
  const [row] = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.id, id), eq(outbox.userId, userId), eq(outbox.kind, MEMORY_WRITE)));
  return row ? stateOf(row) : null;
}

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

/** Delivered: the content is dropped (it is in git now); what a replay needs (hash, commit) stays. */
export async function markWriteDone(db: Database, id: string, commitSha: string): Promise<void> {
  await db
    .update(outbox)
    .set({
      status: "done",
      completedAt: sql`now()`,
      lastError: null,
      payload: sql`(${outbox.payload} - 'content') || ${JSON.stringify({ commitSha })}::jsonb`,
    })
    .where(eq(outbox.id, id));
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

/**
 * The user's writes that were set aside, newest first, with their reasons; one that a later write of the same
 * path has since replaced in git is no longer news and is left out.
 */
export async function failedMemoryWrites(db: Database, userId: string, limit = 50): Promise<FailedWrite[]> {
  const later = alias(outbox, "later");
  const replaced = db
    .select({ one: sql`1` })
    .from(later)
    .where(
      and(
        eq(later.userId, outbox.userId),
        eq(later.kind, MEMORY_WRITE),
        eq(later.status, "done"),
        sql`${later.payload}->>'path' = ${outbox.payload}->>'path'`,
        gt(later.id, outbox.id),
      ),
    );
  const rows = await db
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.userId, userId),
        eq(outbox.kind, MEMORY_WRITE),
        eq(outbox.status, "failed"),
        notExists(replaced),
      ),
    )
    .orderBy(desc(outbox.id))
    .limit(limit);
  return rows.map((row) => {
    const payload = row.payload as StoredPayload;
    return {
      id: row.id,
      path: payload.path,
      message: payload.message,
      reason: row.failureReason ?? "rejected",
      error: row.lastError ?? "",
      attempts: row.attempts,
      createdAt: row.createdAt.toISOString(),
      failedAt: (row.completedAt ?? row.updatedAt).toISOString(),
    };
  });
}
