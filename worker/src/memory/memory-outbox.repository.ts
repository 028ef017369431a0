import { and, desc, eq, gt, notExists, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { ApiError } from "../../../platform/api-error";
import { outbox } from "../../../schema";
import type { Database } from "../../../schema/db";
import type { FailureReason } from "./memory-write-failure";

/*
 * Memory writes in the `outbox` table, as the writer sees them: storing one (idempotently), where it stands, and
 * the ones set aside. Delivery's queries (what is due, what reads must show, each attempt's outcome) are in
 * `memory-outbox-drain.repository.ts`.
 */

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
export interface StoredPayload {
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
    super("idempotency_key_reused", "This idempotency key was already used for a different memory write");
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
