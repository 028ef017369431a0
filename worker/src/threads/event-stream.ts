import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { ApiError } from "../../../platform/api-error";
import { ConcurrencySlots } from "../../../platform/concurrency-slots";
import { withTimeout } from "../../../platform/with-timeout";
import { type ActorsClient, userActors } from "../actors/user-actors";
import { withDatabase } from "../db/open-database";
import type { AppEnv, Env } from "../env";
import { EVENT_STREAM_RETRY_AFTER_SECONDS, MAX_EVENT_STREAMS_PER_USER, MAX_STREAM_MS } from "../http/limits";
import { EventSequencer, MAX_HELD_EVENTS } from "./event-sequencer";
import { type EventJson, eventJson } from "./serialize";
import { listEvents } from "./thread-log.repository";

const HEARTBEAT_MS = 15_000;
const BATCH = 200;
/** How long the actor may take to answer the subscription check before the stream gives up (client retries). */
const SUBSCRIBE_TIMEOUT_MS = 10_000;
/** Delays before re-reading the log for seqs the actor gave out but Postgres does not have yet (normally ms). */
const GAP_RETRY_MS = [0, 100, 300, 1_000, 3_000];
/** The stream's actor credential outlives the stream itself by this much. */
const CREDENTIAL_MARGIN_MS = 60_000;

/**
 * Open streams per user (limits.ts). Counted in this isolate: a cross-isolate count needs a per-user authority
 * (the growAgent actor or a Durable Object) that every stream would call on open and close; see docs/security.md.
 */
const openStreams = new ConcurrencySlots(MAX_EVENT_STREAMS_PER_USER);

/**
 * Live event stream for one thread, for API consumers. Every event with seq > `after` is sent in order, one SSE
 * message each with `id: <seq>`, so EventSource resumes after a disconnect with Last-Event-ID and gets each seq
 * exactly once. The backlog comes from Postgres; after it, events are pushed by the user's growAgent over a
 * connection the stream holds, so an idle stream costs no query (docs/decisions/0007-sse-fed-by-the-actor.md).
 */
export async function streamThreadEvents(
  c: Context<AppEnv>,
  actorsClient: ActorsClient | undefined,
  threadId: string,
  after: number,
): Promise<Response> {
  const log = c.var.log;
  const userId = c.var.user.id;
  // No event after the token's expiry: the client resumes with a fresh token and Last-Event-ID.
  const deadline = Math.min(Date.now() + MAX_STREAM_MS, c.var.tokenExpiresAt);
  // Before the stream starts, so a missing actor or key is an ordinary error response and holds no slot.
  const agent = await userActors(
    actorsClient,
    c.env,
    userId,
    deadline - Date.now() + CREDENTIAL_MARGIN_MS,
  ).growAgent();
  const release = openStreams.acquire(userId);
  if (!release) {
    throw new ApiError(
      "too_many_streams",
      `At most ${MAX_EVENT_STREAMS_PER_USER} live event streams per user; close one or retry in ${EVENT_STREAM_RETRY_AFTER_SECONDS} seconds`,
    );
  }
  const env = c.env;
  return streamSSE(c, async (stream) => {
    let conn: AgentConn | undefined;
    try {
      conn = agent.connect() as unknown as AgentConn;
      await stream.writeSSE({ event: "ready", data: JSON.stringify({ threadId, after }), retry: 1_000 });
      const end = await pump(stream, { env, threadId, after, deadline, conn });
      log.info("event stream ended", { threadId, ...end, aborted: stream.aborted });
    } catch (error) {
      // Caught here, so no error text of ours or a library's reaches the client (Hono would send its message).
      log.error("event stream failed", { threadId, error });
      await stream
        .writeSSE({ event: "error", data: JSON.stringify({ code: "stream_failed" }) })
        .catch(() => {});
    } finally {
      release();
      await conn?.dispose().catch(() => {});
    }
  });
}

/** The part of the growAgent connection a stream uses. */
interface AgentConn {
  on(event: string, listener: (payload: unknown) => void): () => void;
  onOpen(listener: () => void): () => void;
  eventCursor(threadId: string): Promise<{ lastSeq: number }>;
  dispose(): Promise<void>;
}

interface Pump {
  env: Env;
  threadId: string;
  after: number;
  deadline: number;
  conn: AgentConn;
}

/** Writes events until the client leaves, the deadline passes or the thread is deleted. */
async function pump(stream: SSEStreamingApi, p: Pump): Promise<{ lastSeq: number; reason: string }> {
  const sequencer = new EventSequencer<EventJson>(p.after);
  const ready: EventJson[] = [];
  let wake = () => {};
  let reason: string | undefined;
  // The log is read at the first open, after every reconnect (pushes may have been lost meanwhile) and on a gap.
  let readLog = true;
  let opens = 0;

  p.conn.on("event", (payload) => {
    const event = payload as EventJson;
    if (event?.threadId !== p.threadId) return;
    ready.push(...sequencer.accept([event]));
    wake();
  });
  p.conn.on("threadDeleted", (payload) => {
    if ((payload as { threadId?: string })?.threadId === p.threadId) reason = "thread_deleted";
    wake();
  });
  p.conn.onOpen(() => {
    // The first open is the one the first read of the log follows anyway.
    if (opens++ === 0) return;
    readLog = true;
    wake();
  });
  // The client left: free its slot now, not at the next heartbeat.
  stream.onAbort(() => wake());

  const done = () => reason !== undefined || stream.aborted || stream.closed || Date.now() >= p.deadline;
  let lastWrite = Date.now();
  while (!done()) {
    if (readLog || sequencer.hasGap) {
      readLog = false;
      // Answered only once the subscription sent before it is in place, with how far the log must reach.
      const cursor = await withTimeout(
        p.conn.eventCursor(p.threadId),
        Math.max(0, Math.min(SUBSCRIBE_TIMEOUT_MS, p.deadline - Date.now())),
        "the agent did not answer",
      );
      if (!(await fillFromLog(p, sequencer, ready, cursor.lastSeq))) reason = "gap";
    }
    // A client that does not read (or a gap nothing fills) must not make us hold events without bound.
    if (sequencer.overflowing || ready.length > MAX_HELD_EVENTS) reason = "gap";
    for (const event of ready.splice(0)) {
      if (done()) break;
      await stream.writeSSE({ id: String(event.seq), data: JSON.stringify(event) });
      lastWrite = Date.now();
    }
    if (done()) break;
    if (Date.now() - lastWrite >= HEARTBEAT_MS) {
      await stream.write(": keep-alive\n\n");
      lastWrite = Date.now();
    }
    if (ready.length > 0 || readLog || sequencer.hasGap || done()) continue;
    const wait = Math.min(HEARTBEAT_MS - (Date.now() - lastWrite), p.deadline - Date.now());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, wait));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = () => {};
  }
  if (reason === "gap") {
    // The client resumes with Last-Event-ID once the log has caught up; nothing is skipped.
    await stream.writeSSE({ event: "error", data: JSON.stringify({ code: "stream_gap" }) });
  }
  return { lastSeq: sequencer.lastSeq, reason: reason ?? "closed" };
}

/**
 * Reads the log after the last seq sent until it reaches `upTo` (what the actor gave out) and no pushed event
 * waits behind a gap. False when that does not happen within the retries: a write is stuck in the actor's outbox
 * (the database is down), and the client had better resume later than wait here.
 */
async function fillFromLog(p: Pump, sequencer: EventSequencer<EventJson>, ready: EventJson[], upTo: number) {
  return withDatabase(p.env, async (db) => {
    for (const delay of GAP_RETRY_MS) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      for (;;) {
        const rows = await listEvents(db, p.threadId, sequencer.lastSeq, BATCH);
        ready.push(...sequencer.accept(rows.map(eventJson)));
        if (rows.length < BATCH) break;
      }
      if (!sequencer.hasGap && sequencer.lastSeq >= upTo) return true;
      if (Date.now() >= p.deadline) return true;
    }
    return false;
  });
}
