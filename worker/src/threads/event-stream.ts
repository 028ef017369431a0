import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { ApiError } from "../../../platform/api-error";
import { ConcurrencySlots } from "../../../platform/concurrency-slots";
import { type ActorsClient, userActors } from "../actors/user-actors";
import type { AppEnv } from "../env";
import { EVENT_STREAM_RETRY_AFTER_SECONDS, MAX_EVENT_STREAMS_PER_USER, MAX_STREAM_MS } from "../http/limits";
import { subscribeToHub } from "../live/hub-subscription";
import { type AgentConn, listen, pump } from "./event-pump";
import type { EventJson } from "./serialize";

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
