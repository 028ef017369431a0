import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { Database } from "../../../schema/db";
import { openDatabase } from "../db/open-database";
import type { AppEnv } from "../env";
import { eventJson } from "./serialize";
import { listEvents } from "./thread-log.repository";
import { findThread } from "./threads.repository";

const POLL_MS = 250;
const IDLE_POLL_MS = 1_000;
const IDLE_ROUNDS_BEFORE_SLOWING = 20;
const HEARTBEAT_MS = 15_000;
/** Streams end after this and the client reconnects with Last-Event-ID, so no request lives forever. */
const MAX_STREAM_MS = 5 * 60_000;
const BATCH = 200;

interface Subscription {
  db: Database;
  userId: string;
  threadId: string;
  after: number;
  deadline: number;
}

/**
 * Live event stream for one thread. Sends every event with seq > `after` in order, one SSE message each with
 * `id: <seq>`, so EventSource resumes after a disconnect with Last-Event-ID and gets each seq exactly once.
 * New events are found by polling Postgres, the durable source of truth, so nothing committed is missed.
 */
export function streamThreadEvents(c: Context<AppEnv>, threadId: string, after: number): Response {
  const log = c.var.log;
  const subscription: Subscription = {
    // The request's own pool ends when the handler returns; the stream outlives it and needs its own.
    db: openDatabase(c.env),
    userId: c.var.user.id,
    threadId,
    after,
    deadline: Date.now() + MAX_STREAM_MS,
  };
  return streamSSE(
    c,
    async (stream) => {
      await stream.writeSSE({ event: "ready", data: JSON.stringify({ threadId, after }), retry: 1_000 });
      try {
        const lastSeq = await pumpEvents(stream, subscription);
        log.info("event stream ended", { threadId, lastSeq, aborted: stream.aborted });
      } finally {
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
