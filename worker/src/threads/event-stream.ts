import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { ApiError } from "../../../platform/api-error";
import { ConcurrencySlots } from "../../../platform/concurrency-slots";
import type { Database } from "../../../schema/db";
import { openDatabase } from "../db/open-database";
import type { AppEnv } from "../env";
import { EVENT_STREAM_RETRY_AFTER_SECONDS, MAX_EVENT_STREAMS_PER_USER, MAX_STREAM_MS } from "../http/limits";
import { eventJson } from "./serialize";
import { listEvents } from "./thread-log.repository";
import { findThread } from "./threads.repository";

const POLL_MS = 250;
const IDLE_POLL_MS = 1_000;
const IDLE_ROUNDS_BEFORE_SLOWING = 20;
const HEARTBEAT_MS = 15_000;
const BATCH = 200;

interface Subscription {
  db: Database;
  userId: string;
  threadId: string;
  after: number;
  deadline: number;
}

/**
 * Open streams per user (limits.ts). Counted in this isolate: a cross-isolate count needs a per-user authority
 * (the growAgent actor or a Durable Object) that every stream would call on open and close; see docs/security.md.
 */
const openStreams = new ConcurrencySlots(MAX_EVENT_STREAMS_PER_USER);

/**
 * Live event stream for one thread. Sends every event with seq > `after` in order, one SSE message each with
 * `id: <seq>`, so EventSource resumes after a disconnect with Last-Event-ID and gets each seq exactly once.
 * New events are found by polling Postgres, the durable source of truth, so nothing committed is missed.
 */
export function streamThreadEvents(c: Context<AppEnv>, threadId: string, after: number): Response {
  const log = c.var.log;
  const release = openStreams.acquire(c.var.user.id);
  if (!release) {
    throw new ApiError(
      429,
      "too_many_streams",
      `At most ${MAX_EVENT_STREAMS_PER_USER} live event streams per user; close one or retry in ${EVENT_STREAM_RETRY_AFTER_SECONDS} seconds`,
      { "Retry-After": String(EVENT_STREAM_RETRY_AFTER_SECONDS) },
    );
  }
  let db: Database;
  try {
    // The request's own pool ends when the handler returns; the stream outlives it and needs its own.
    db = openDatabase(c.env);
  } catch (error) {
    release();
    throw error;
  }
  const subscription: Subscription = {
    db,
    userId: c.var.user.id,
    threadId,
    after,
    // No event after the token's expiry: the client resumes with a fresh token and Last-Event-ID.
    deadline: Math.min(Date.now() + MAX_STREAM_MS, c.var.tokenExpiresAt),
  };
  return streamSSE(
    c,
    async (stream) => {
      try {
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ threadId, after }), retry: 1_000 });
        const lastSeq = await pumpEvents(stream, subscription);
        log.info("event stream ended", { threadId, lastSeq, aborted: stream.aborted });
      } finally {
        release();
        await subscription.db.$client.end().catch(() => {});
      }
    },
    async (error, stream) => {
      log.error("event stream failed", { threadId, error });
      await stream.writeSSE({ event: "error", data: JSON.stringify({ code: "stream_failed" }) });
    },
  );
}

/** Writes events until the client leaves, the deadline passes or the thread is deleted; returns the last seq sent. */
async function pumpEvents(stream: SSEStreamingApi, sub: Subscription): Promise<number> {
  let lastSeq = sub.after;
  let lastWrite = Date.now();
  let idleRounds = 0;
  while (!stream.aborted && !stream.closed && Date.now() < sub.deadline) {
    const batch = await listEvents(sub.db, sub.threadId, lastSeq, BATCH);
    for (const row of batch) {
      await stream.writeSSE({ id: String(row.seq), data: JSON.stringify(eventJson(row)) });
      lastSeq = row.seq;
      lastWrite = Date.now();
    }
    if (batch.length === BATCH) continue;
    idleRounds = batch.length === 0 ? idleRounds + 1 : 0;
    if (Date.now() - lastWrite >= HEARTBEAT_MS) {
      if (!(await findThread(sub.db, sub.userId, sub.threadId))) break;
      await stream.write(": keep-alive\n\n");
      lastWrite = Date.now();
    }
    await stream.sleep(idleRounds > IDLE_ROUNDS_BEFORE_SLOWING ? IDLE_POLL_MS : POLL_MS);
  }
  return lastSeq;
}
