import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { ApiError } from "../../../platform/api-error";
import { ConcurrencySlots } from "../../../platform/concurrency-slots";
import { withTimeout } from "../../../platform/with-timeout";
import { type ActorsClient, userActors } from "../actors/user-actors";
import { withDatabase } from "../db/open-database";
import type { AppEnv, Env } from "../env";
import { EVENT_STREAM_RETRY_AFTER_SECONDS, MAX_EVENT_STREAMS_PER_USER, MAX_STREAM_MS } from "../http/limits";
import { subscribeToHub } from "../live/hub-subscription";
import { EventSequencer, MAX_HELD_EVENTS } from "./event-sequencer";
import { type EventJson, eventJson } from "./serialize";
import { listEvents } from "./thread-log.repository";

const HEARTBEAT_MS = 15_000;
const BATCH = 200;
/** How long the actor may take to answer the subscription check before the stream gives up (client retries). */
const SUBSCRIBE_TIMEOUT_MS = 10_000;
/** Delays before re-reading the log for seqs the actor gave out but Postgres does not have yet (normally ms). */
const GAP_RETRY_MS = [0, 50, 100, 300, 1_000];
/** How long the log may stay behind the actor before the stream ends and lets the client resume later. */
const MAX_BEHIND_MS = 5_000;
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
 * exactly once. The backlog comes from Postgres; after it, events the user's growAgent broadcasts are pushed through
 * the user's LiveHub, so an idle stream costs no query and keeps no object resident (docs/decisions/0007, 0011).
 */
export function streamThreadEvents(
  c: Context<AppEnv>,
  actorsClient: ActorsClient | undefined,
  threadId: string,
  after: number,
): Promise<Response> {
  const userId = c.var.user.id;
  return openEventStream(c, actorsClient, {
    ownerId: userId,
    threadId,
    after,
    // No event after the token's expiry: the client resumes with a fresh token and Last-Event-ID.
    deadline: Math.min(Date.now() + MAX_STREAM_MS, c.var.tokenExpiresAt),
    acquire: () => {
      const release = openStreams.acquire(userId);
      if (release) return release;
      throw new ApiError(
        "too_many_streams",
        `At most ${MAX_EVENT_STREAMS_PER_USER} live event streams per user; close one or retry in ${EVENT_STREAM_RETRY_AFTER_SECONDS} seconds`,
      );
    },
  });
}

/** A stream of one thread; the caller decided who may see it and what of it (a share link sees less). */
export interface EventStreamOptions {
  /** Whose agent feeds the stream: the verified owner of the thread, never a client's word. */
  ownerId: string;
  threadId: string;
  after: number;
  /** When the stream ends (ms since the epoch); the client resumes and is checked again. */
  deadline: number;
  /** Takes the stream's slot (or throws the refusal) and returns its release. */
  acquire: () => () => void;
  /** What the client sees of an event; undefined: not sent (its seq still counts as passed). */
  present?: (event: EventJson) => EventJson | undefined;
  /**
   * An agent broadcast that ends the stream at once (a share link revoked), whatever isolate sent it; `stillValid`
   * is asked each time the subscription is (again) in place, for a broadcast sent while it was not.
   */
  endOn?: { event: string; matches: (payload: unknown) => boolean; stillValid: () => Promise<boolean> };
}

export async function openEventStream(
  c: Context<AppEnv>,
  actorsClient: ActorsClient | undefined,
  options: EventStreamOptions,
): Promise<Response> {
  const log = c.var.log;
  const { threadId, after, deadline } = options;
  // Before the stream starts, so a missing actor or key is an ordinary error response and holds no slot.
  const agent = await userActors(
    actorsClient,
    c.env,
    options.ownerId,
    deadline - Date.now() + CREDENTIAL_MARGIN_MS,
  ).growAgent();
  const release = options.acquire();
  const env = c.env;
  return streamSSE(c, async (stream) => {
    let conn: AgentConn | undefined;
    try {
      // Subscribed at the user's hub (which hibernates: an idle stream keeps no object resident); the cursor comes
      // from the agent itself, asked only once the subscription is in place (docs/decisions/0011).
      const hub = await subscribeToHub(env, options.ownerId, deadline + CREDENTIAL_MARGIN_MS);
      conn = {
        ...hub,
        isConnected: hub.isConnected,
        // With the socket's epoch: an agent that stopped publishing (no socket at the hub) starts again before it
        // answers, so the pushes after the cursor do come.
        eventCursor: async (id) =>
          await agent.eventCursor(id, hub.epoch === undefined ? undefined : { hubEpoch: hub.epoch }),
      };
      // Listening before the first await: an open or a push that comes meanwhile is not missed.
      const live = listen(conn, threadId, after, options.endOn);
      await stream.writeSSE({ event: "ready", data: JSON.stringify({ threadId, after }), retry: 1_000 });
      const end = await pump(stream, live, {
        env,
        threadId,
        deadline,
        conn,
        present: options.present,
        stillValid: options.endOn?.stillValid,
      });
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

/** What a stream listens to (the hub) and asks (the agent's cursor). */
interface AgentConn {
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

function listen(conn: AgentConn, threadId: string, after: number, endOn: EventStreamOptions["endOn"]): Live {
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
async function pump(
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
