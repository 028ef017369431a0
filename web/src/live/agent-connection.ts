import { type Accessor, createEffect, createRoot, createSignal, on } from "solid-js";
import { type ThreadEvent, threadEventSchema } from "../../../contract/events";
import {
  LIVE_TOKEN_EXPIRED_REASON,
  liveFrameJson,
  liveProtocols,
  liveServerMessageSchema,
} from "../../../contract/live";
import { backoffDelay } from "../../../platform/retry";
import { API_ORIGIN } from "../api/base";
import { errorMessage } from "../api/client";
import { auth, session } from "../auth/session";
import { createTokenRenewal } from "./token-renewal";

/** `connecting`: first attempt; `live`: open; `reconnecting`: lost (or never reached) and retrying. */
export type LiveStatus = "connecting" | "live" | "reconnecting";

/** Waits between reconnects: from about a second, doubling, at most 10 s (with jitter, so tabs spread out). */
const RECONNECT = { baseMs: 1_000, maxMs: 10_000 };

/**
 * The live channel of the signed-in user: a WebSocket to `GET /api/live`, the user's LiveHub, which hibernates
 * while the tab idles (docs/decisions/0011). Every event of every thread of the user arrives here. One socket per
 * signed-in user, shared by every view, opened on first use and closed at sign-out. It reconnects by itself with a
 * fresh token each time, and hands the hub a fresh token ahead of expiry (token-renewal.ts); one that expires
 * unrenewed is closed by the server (`user.token_expired`) and reopened at once. The views re-read what they
 * missed on `onOpen`. Messages are sent over REST (chat/send-message.ts).
 *
 * The event envelope is the contract's (contract/events.ts); a broadcast that is not one is skipped with a warning.
 */
export interface AgentConnection {
  status: Accessor<LiveStatus>;
  /** A readable reason the connection is not open, when there is one. */
  problem: Accessor<string | null>;
  /** Every event the user's agent broadcast, for all of the user's threads. */
  onEvent(listener: (event: ThreadEvent) => void): () => void;
  /** Called each time the connection opens (first time and after every reconnect): time to fetch what was missed. */
  onOpen(listener: () => void): () => void;
  dispose(): Promise<void>;
}

const liveUrl = () => `${(API_ORIGIN || location.origin).replace(/^http/, "ws")}/api/live`;

function openConnection(): AgentConnection {
  const [status, setStatus] = createSignal<LiveStatus>("connecting");
  const [problem, setProblem] = createSignal<string | null>(null);
  const eventListeners = new Set<(event: ThreadEvent) => void>();
  const openListeners = new Set<() => void>();
  let disposed = false;
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Failed attempts since the socket was last open: the backoff grows with them. */
  let failures = 0;

  const renewal = createTokenRenewal({
    token: () => auth.token(),
    // A refusal changes nothing: the server closes the socket at expiry and the reconnect takes over.
    renew: async (token) => socket?.send(JSON.stringify({ type: "renewToken", token })),
  });

  const retryLater = (reason: string | null, immediately = false) => {
    const delay = immediately ? 0 : backoffDelay(failures, RECONNECT);
    failures++;
    renewal.stop();
    setStatus("reconnecting");
    setProblem(reason);
    clearTimeout(timer);
    if (!disposed) timer = setTimeout(() => void connect(), delay);
  };

  const connect = async () => {
    const token = await auth.token().catch(() => null);
    if (disposed) return;
    if (!token) return retryLater("No session token to connect with");
    let ws: WebSocket;
    try {
      ws = new WebSocket(liveUrl(), liveProtocols(token));
    } catch (error) {
      // A URL or sub-protocol the browser refuses throws here, not as a close: retry like a lost connection.
      return retryLater(errorMessage(error));
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      failures = 0;
      renewal.opened(token);
      setProblem(null);
      setStatus("live");
      for (const listener of openListeners) listener();
    };
    ws.onmessage = (message) => {
      if (socket !== ws) return;
      const parsed = liveServerMessageSchema.safeParse(liveFrameJson(message.data));
      if (!parsed.success || parsed.data.type !== "broadcast" || parsed.data.name !== "event") return;
      const event = threadEventSchema.safeParse(parsed.data.data);
      if (!event.success) {
        console.warn("Skipped a live event that is not an event envelope", event.error.issues);
        return;
      }
      for (const listener of eventListeners) listener(event.data);
    };
    ws.onclose = (close) => {
      if (socket !== ws || disposed) return;
      socket = null;
      // Closed for an expired token: routine, back at once with a fresh one (again, and it backs off).
      if (close.reason === LIVE_TOKEN_EXPIRED_REASON) return retryLater(null, failures === 0);
      // A refused upgrade (401, 429, 503) shows only as a close without a reason to a browser.
      retryLater(close.reason || "The live connection was lost");
    };
  };

  void connect();

  return {
    status,
    problem,
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onOpen(listener) {
      openListeners.add(listener);
      return () => openListeners.delete(listener);
    },
    async dispose() {
      disposed = true;
      clearTimeout(timer);
      renewal.stop();
      eventListeners.clear();
      openListeners.clear();
      socket?.close(1000, "signed out");
      socket = null;
    },
  };
}

let current: { userId: string; connection: AgentConnection } | null = null;

/** The signed-in user's connection (opened on first use). */
export function agentConnection(): AgentConnection {
  const userId = session()?.id ?? "";
  if (current?.userId !== userId) {
    void current?.connection.dispose();
    current = { userId, connection: createRoot(() => openConnection()) };
  }
  return current.connection;
}

// Sign-out (or signing in as someone else) closes the previous user's connection.
createRoot(() =>
  createEffect(
    on(
      () => session()?.id,
      (userId) => {
        if (current && current.userId !== userId) {
          void current.connection.dispose();
          current = null;
        }
      },
      { defer: true },
    ),
  ),
);
