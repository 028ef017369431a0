import type { SSEStreamingApi } from "hono/streaming";
import { withTimeout } from "../../../platform/with-timeout";
import { withDatabase } from "../db/open-database";
import type { Env } from "../env";
import { EventSequencer, MAX_HELD_EVENTS } from "./event-sequencer";
import type { EventStreamOptions } from "./event-stream";
import { type EventJson, eventJson } from "./serialize";
import { listEvents } from "./thread-log.repository";

/**
 * The loop behind a thread's event stream (event-stream.ts opens it): the hub's pushes held in seq order, the log
 * read at the first open, after a reconnect and on a gap, and every event written once.
 */

const HEARTBEAT_MS = 15_000;
const BATCH = 200;
/** How long the actor may take to answer the subscription check before the stream gives up (client retries). */
const SUBSCRIBE_TIMEOUT_MS = 10_000;
/** Delays before re-reading the log for seqs the actor gave out but Postgres does not have yet (normally ms). */
const GAP_RETRY_MS = [0, 50, 100, 300, 1_000];
/** How long the log may stay behind the actor before the stream ends and lets the client resume later. */
const MAX_BEHIND_MS = 5_000;

/** What a stream listens to (the hub) and asks (the agent's cursor). */
export interface AgentConn {
  on(event: string, listener: (payload: unknown) => void): () => void;
  onOpen(listener: () => void): () => void;
  isConnected?: boolean;
  eventCursor(threadId: string): Promise<{ lastSeq: number }>;
  dispose(): Promise<void>;
}

interface Pump {
  env: Env;
  threadId: string;
  deadline: number;
  conn: AgentConn;
  present?: EventStreamOptions["present"];
  stillValid?: () => Promise<boolean>;
}

/** What the connection's listeners collect for the loop. */
interface Live {
  sequencer: EventSequencer<EventJson>;
  /** Released events not written yet, in seq order. */
  ready: EventJson[];
  /** Set when the stream must end: the thread was deleted, too much is waiting, or `endOn` fired. */
  reason?: "thread_deleted" | "gap" | "ended";
  /** The connection (re)opened: pushes may have been missed, so the log is read again. */
  reopened: boolean;
  wake(): void;
}

export function listen(
  conn: AgentConn,
  threadId: string,
  after: number,
  endOn: EventStreamOptions["endOn"],
): Live {
  const live: Live = { sequencer: new EventSequencer(after), ready: [], reopened: false, wake: () => {} };
  let opens = conn.isConnected ? 1 : 0;
  conn.on("event", (payload) => {
    const event = payload as EventJson;
    if (event?.threadId !== threadId) return;
    live.ready.push(...live.sequencer.accept([event]));
    // A client that does not read (or a gap nothing fills) must not make us hold events without bound.
    if (live.sequencer.overflowing || live.ready.length > MAX_HELD_EVENTS) live.reason = "gap";
    live.wake();
  });
  conn.on("threadDeleted", (payload) => {
    if ((payload as { threadId?: string })?.threadId === threadId) live.reason = "thread_deleted";
    live.wake();
  });
  if (endOn) {
    conn.on(endOn.event, (payload) => {
      if (endOn.matches(payload)) live.reason = "ended";
      live.wake();
    });
  }
  conn.onOpen(() => {
    // The first open is the one the first read of the log follows anyway.
    if (opens++ === 0) return;
    live.reopened = true;
    live.wake();
  });
  return live;
}

/**
 * Writes events until the client leaves, the deadline passes or the thread is deleted. The log is read at the
 * first open, after every reconnect and on a gap, one batch at a time (each written before the next is read), up
 * to what the actor says it gave out.
 */
export async function pump(
  stream: SSEStreamingApi,
  live: Live,
  p: Pump,
): Promise<{ lastSeq: number; reason: string }> {
  const { sequencer, ready } = live;
  // Resolved at the deadline or when the client leaves: a write to a client that does not read is raced against it.
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const endTimer = setTimeout(
    () => {
      stop();
      live.wake();
    },
    Math.max(0, p.deadline - Date.now()),
  );
  // The client left: free its slot now, not at the next heartbeat.
  stream.onAbort(() => {
    stop();
    live.wake();
  });
  const gone = () => stream.aborted || stream.closed || Date.now() >= p.deadline;

  let needCursor = true;
  let upTo = 0;
  let syncing = false;
  let retries = 0;
  let behindSince: number | undefined;
  let lastWrite = Date.now();
  try {
    while (!gone() && !live.reason) {
      if (live.reopened) {
        live.reopened = false;
        needCursor = true;
      }
      if (needCursor) {
        needCursor = false;
        // Answered only once the subscription sent before it is in place, with how far the log must reach.
        const cursor = await withTimeout(
          p.conn.eventCursor(p.threadId),
          SUBSCRIBE_TIMEOUT_MS,
          "the agent did not answer",
        );
        upTo = Math.max(upTo, cursor.lastSeq);
        syncing = true;
        if (p.stillValid && !(await p.stillValid())) {
          live.reason = "ended";
          break;
        }
      }
      if (syncing || sequencer.hasGap) {
        const full = await readBatch(p, sequencer, ready);
        if (!full) {
          if (sequencer.hasGap || sequencer.lastSeq < upTo) {
            // Given out but not in Postgres yet: the shipper normally stores it within milliseconds. Not cut short
            // by pushes, which keep coming while a turn streams.
            behindSince ??= Date.now();
            if (Date.now() - behindSince > MAX_BEHIND_MS) live.reason = "gap";
            else await sleep(GAP_RETRY_MS[Math.min(retries++, GAP_RETRY_MS.length - 1)] ?? 0);
          } else {
            syncing = false;
            retries = 0;
            behindSince = undefined;
          }
        }
      }
      // What is released is written, even when the stream is about to end: the client resumes after it.
      for (const event of ready.splice(0)) {
        // A revoked link sees nothing more, not even what was already released.
        if (gone() || endedBy(live)) break;
        const shown = p.present ? p.present(event) : event;
        if (!shown) continue;
        await Promise.race([
          stream.writeSSE({ id: String(event.seq), data: JSON.stringify(shown) }),
          stopped,
        ]);
        lastWrite = Date.now();
      }
      if (gone() || live.reason) break;
      if (Date.now() - lastWrite >= HEARTBEAT_MS) {
        await Promise.race([stream.write(": keep-alive\n\n"), stopped]);
        lastWrite = Date.now();
      }
      if (ready.length > 0 || syncing || sequencer.hasGap || live.reopened) continue;
      await sleepUnlessWoken(
        live,
        Math.min(HEARTBEAT_MS - (Date.now() - lastWrite), p.deadline - Date.now()),
      );
    }
  } catch (error) {
    // The agent's answer timed out because the stream's time was up: an ordinary end.
    if (!gone()) throw error;
  } finally {
    clearTimeout(endTimer);
    stop();
  }
  if (live.reason === "gap" && !stream.aborted) {
    // The client resumes with Last-Event-ID once the log has caught up; nothing is skipped.
    await stream.writeSSE({ event: "error", data: JSON.stringify({ code: "stream_gap" }) }).catch(() => {});
  }
  return { lastSeq: sequencer.lastSeq, reason: live.reason ?? (stream.aborted ? "client_left" : "closed") };
}

const endedBy = (live: Live) => live.reason === "ended";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits `ms`, or less when a push, an open, a deletion, the client leaving or the deadline wakes the loop. */
function sleepUnlessWoken(live: Live, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      live.wake = () => {};
      resolve();
    }
    live.wake = done;
  });
}

/** One batch of the log after the last seq sent, on a pool of its own; true when the batch was full. */
async function readBatch(
  p: Pump,
  sequencer: EventSequencer<EventJson>,
  ready: EventJson[],
): Promise<boolean> {
  const rows = await withDatabase(p.env, (db) => listEvents(db, p.threadId, sequencer.lastSeq, BATCH));
  ready.push(...sequencer.accept(rows.map(eventJson)));
  return rows.length === BATCH;
}
