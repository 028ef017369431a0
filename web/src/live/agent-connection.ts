import { type ActorConnRaw, type ActorConnStatus, createClient } from "rivetkit/client";
import { type Accessor, createEffect, createRoot, createSignal, on } from "solid-js";
import { API_ORIGIN } from "../api/base";
import { api, errorMessage, unwrap } from "../api/client";
import { auth, session } from "../auth/session";
import type { ThreadEvent } from "../chat/thread-events";
import { actorParams } from "./actor-params";
import { createTokenRenewal } from "./token-renewal";

/**
 * The live connection to the user's Grow Agent actor (`growAgent`, key [userId]) through `/api/rivet`: every event
 * of every thread of the user arrives here as `event`. One connection per signed-in user, shared by every view,
 * opened on first use and closed at sign-out. RivetKit reconnects on its own; `getParams` hands it a fresh token
 * on every (re)connect. The server closes a connection whose token expired (`user.token_expired`), so an open one
 * hands it a fresh token ahead of expiry (token-renewal.ts); if that fails, the close and reconnect take over, and
 * the views re-read what they missed on `onOpen`.
 *
 * The actions, as worker/src/actors/grow-agent.ts defines them. (The SPA cannot import the actor's `Registry`
 * type: web/tsconfig.json would then type-check the Worker's sources, which need Cloudflare's global types that
 * clash with the DOM's.)
 */
export interface GrowAgentActions {
  sendMessage(
    threadId: string,
    text: string,
    options?: { idempotencyKey?: string },
  ): Promise<{ messageId: string; queued: boolean; replayed: boolean }>;
  cancel(threadId: string): Promise<{ cancelled: boolean }>;
  threadStatus(threadId: string): Promise<{ running: string | null; queued: number }>;
  model(): Promise<{ model: string; endpoint: string }>;
  renewToken(token: string): Promise<{ expiresAt: string }>;
}

/** `connecting`: first attempt; `live`: open; `reconnecting`: lost (or never reached) and retrying. */
export type LiveStatus = "connecting" | "live" | "reconnecting";

export interface AgentConnection {
  status: Accessor<LiveStatus>;
  /** A readable reason the connection is not open, when the server gave one. */
  problem: Accessor<string | null>;
  /** Every event broadcast by the actor, for all of the user's threads. */
  onEvent(listener: (event: ThreadEvent) => void): () => void;
  /** Called each time the connection opens (first time and after every reconnect): time to fetch what was missed. */
  onOpen(listener: () => void): () => void;
  call<K extends keyof GrowAgentActions>(
    name: K,
    ...args: Parameters<GrowAgentActions[K]>
  ): ReturnType<GrowAgentActions[K]>;
  dispose(): Promise<void>;
}

function openConnection(): AgentConnection {
  const [status, setStatus] = createSignal<LiveStatus>("connecting");
  const [problem, setProblem] = createSignal<string | null>(null);
  const eventListeners = new Set<(event: ThreadEvent) => void>();
  const openListeners = new Set<() => void>();
  let disposed = false;
  let everOpen = false;
  /** The token handed at the latest (re)connect: the open connection lasts until it expires, unless renewed. */
  let connectedWith: string | null = null;
  /** Refusals for an expired token since the connection was last open: the first is routine (see onError). */
  let expiredSinceOpen = 0;
  const params = actorParams(auth);
  let renewal: ReturnType<typeof createTokenRenewal> | undefined;

  /** The user id (the actor's key) from the server; retried until it answers, since nothing live works without it. */
  const whoAmI = async (): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return unwrap(await api.GET("/me")).id;
      } catch (error) {
        if (disposed) throw error;
        setStatus("reconnecting");
        setProblem(errorMessage(error));
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1_000 * 2 ** attempt)));
      }
    }
  };

  const ready: Promise<ActorConnRaw> = (async () => {
    const userId = await whoAmI();
    // `/api/rivet` wants the session token on RivetKit's manager calls too (finding the actor), which carry no
    // connection params: its client sends only fixed `headers` there. They run at the first connect (and again only
    // if the actor is gone), right after this; the connection itself gets a fresh token on every (re)connect.
    const managerToken = await auth.token();
    const client = createClient({
      endpoint: `${API_ORIGIN || location.origin}/api/rivet`,
      headers: managerToken ? { authorization: `Bearer ${managerToken}` } : {},
      // devtools off: on localhost RivetKit would otherwise load its devtools script from a CDN.
      devtools: false,
    });
    const handle = client.getOrCreate("growAgent", [userId], {
      getParams: async () => {
        const next = await params();
        connectedWith = next.token || null;
        return next;
      },
    });
    const conn = handle.connect() as unknown as ActorConnRaw;
    renewal = createTokenRenewal({
      token: () => auth.token(),
      renew: (token) => conn.action({ name: "renewToken", args: [token] }),
    });
    conn.on("event", (event: ThreadEvent) => {
      for (const listener of eventListeners) listener(event);
    });
    conn.onStatusChange((next: ActorConnStatus) => {
      if (disposed) return;
      if (next === "connected") {
        everOpen = true;
        expiredSinceOpen = 0;
        renewal?.opened(connectedWith);
        setProblem(null);
        setStatus("live");
        for (const listener of openListeners) listener();
      } else if (next === "connecting") setStatus(everOpen ? "reconnecting" : "connecting");
      else if (next === "disconnected") setStatus("reconnecting");
      if (next !== "connected") renewal?.stop();
    });
    conn.onError((error: { code?: string; message?: string }) => {
      if (disposed) return;
      // The server closed an expired connection: RivetKit reconnects at once with a fresh token, nothing to show.
      // A fresh token refused as expired too (a clock far off) is a problem worth showing.
      if (error.code === "token_expired" && expiredSinceOpen++ === 0) return;
      setProblem(error.message || "The live connection failed");
    });
    if (disposed) await conn.dispose();
    return conn;
  })();
  ready.catch((error: unknown) => {
    setStatus("reconnecting");
    setProblem(error instanceof Error ? error.message : "The live connection could not be opened");
  });

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
    call(name, ...args) {
      return ready.then((conn) => conn.action({ name, args })) as ReturnType<GrowAgentActions[typeof name]>;
    },
    async dispose() {
      disposed = true;
      renewal?.stop();
      eventListeners.clear();
      openListeners.clear();
      await ready.then((conn) => conn.dispose()).catch(() => {});
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
