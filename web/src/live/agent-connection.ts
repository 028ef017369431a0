import { type ActorConnRaw, type ActorConnStatus, createClient } from "rivetkit/client";
import { type Accessor, createEffect, createRoot, createSignal, on } from "solid-js";
import type { GrowAgentActions } from "../../../contract/actions";
import { type ThreadEvent, threadEventSchema } from "../../../contract/events";
import { API_ORIGIN } from "../api/base";
import { api, errorMessage, unwrap } from "../api/client";
import { auth, session } from "../auth/session";
import { actorParams } from "./actor-params";
import { createClientRebuilds } from "./client-rebuilds";
import { createTokenRenewal } from "./token-renewal";

/** `connecting`: first attempt; `live`: open; `reconnecting`: lost (or never reached) and retrying. */
export type LiveStatus = "connecting" | "live" | "reconnecting";

/**
 * The live connection to the user's Grow Agent actor (`growAgent`, key [userId]) through `/api/rivet`: every event
 * of every thread of the user arrives here as `event`. One connection per signed-in user, shared by every view,
 * opened on first use and closed at sign-out. RivetKit reconnects on its own; `getParams` hands it a fresh token
 * on every (re)connect. Finding the actor is the one call RivetKit makes with a token fixed at the client's
 * creation: a lookup refused for that token replaces the client (manager-lookup.ts, client-rebuilds.ts). The server
 * closes a connection whose token expired (`user.token_expired`), so an open one hands it a fresh token ahead of
 * expiry (token-renewal.ts); if that fails, the close and reconnect take over, and the views re-read what they
 * missed on `onOpen`.
 *
 * The actions and the event envelope are the contract's (contract/actions.ts, contract/events.ts), which the Worker
 * is checked against; an `event` that is not an envelope is skipped with a warning.
 */
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

/** One RivetKit client and its connection, replaced when the manager refuses its token (client-rebuilds.ts). */
interface Generation {
  client: { dispose(): Promise<void> };
  conn: ActorConnRaw;
}

function openConnection(): AgentConnection {
  const [status, setStatus] = createSignal<LiveStatus>("connecting");
  const [problem, setProblem] = createSignal<string | null>(null);
  const eventListeners = new Set<(event: ThreadEvent) => void>();
  const openListeners = new Set<() => void>();
  let disposed = false;
  let everOpen = false;
  /** Something failed (finding the user, the actor, a token): until open, it shows as retrying, not as a first try. */
  let everFailed = false;
  /** The token handed at the latest (re)connect: the open connection lasts until it expires, unless renewed. */
  let connectedWith: string | null = null;
  /** Refusals for an expired token since the connection was last open: the first is routine (see onError). */
  let expiredSinceOpen = 0;
  const params = actorParams(auth);

  const failed = (error: unknown) => {
    everFailed = true;
    setStatus("reconnecting");
    setProblem(errorMessage(error));
  };

  /** The user id (the actor's key) from the server; retried until it answers, since nothing live works without it. */
  const whoAmI = async (): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return unwrap(await api.GET("/me")).id;
      } catch (error) {
        if (disposed) throw error;
        failed(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1_000 * 2 ** attempt)));
      }
    }
  };
  const userId = whoAmI();

  const build = async (id: number): Promise<Generation> => {
    const key = await userId;
    // `/api/rivet` wants the session token on RivetKit's manager calls too (finding the actor), which carry no
    // connection params: its client sends only fixed `headers` there, so a client whose token expired before it
    // found the actor is replaced by one with a fresh token. No token to be had: the lookup is refused
    // (`missing_token`) and the client rebuilt after a backoff. The connection gets a fresh token on every connect.
    const managerToken = await auth.token().catch(() => null);
    const client = createClient({
      endpoint: `${API_ORIGIN || location.origin}/api/rivet`,
      headers: managerToken ? { authorization: `Bearer ${managerToken}` } : {},
      // devtools off: on localhost RivetKit would otherwise load its devtools script from a CDN.
      devtools: false,
    });
    const handle = client.getOrCreate("growAgent", [key], {
      getParams: async () => {
        if (!rebuilds.isCurrent(id)) throw new Error("This client was replaced");
        try {
          // RivetKit finds the actor right after this and retries a failed lookup without telling anyone. Found
          // here first (the same lookup: RivetKit keeps the id, and looks again only when the actor is gone), its
          // failure is seen: shown, and a refused token makes a new client.
          await handle.resolve();
        } catch (error) {
          const outcome = rebuilds.lookupFailed(id, error);
          if (outcome.action === "retry" || (outcome.action === "rebuild" && !outcome.quiet)) failed(error);
          throw error;
        }
        try {
          const next = await params();
          connectedWith = next.token || null;
          return next;
        } catch (error) {
          if (rebuilds.isCurrent(id)) failed(error);
          throw error;
        }
      },
    });
    const conn = handle.connect() as unknown as ActorConnRaw;
    conn.on("event", (raw: unknown) => {
      if (!rebuilds.isCurrent(id)) return;
      const event = threadEventSchema.safeParse(raw);
      if (!event.success) {
        console.warn("Skipped a live event that is not an event envelope", event.error.issues);
        return;
      }
      for (const listener of eventListeners) listener(event.data);
    });
    conn.onStatusChange((next: ActorConnStatus) => {
      if (!rebuilds.isCurrent(id)) return;
      if (next === "connected") {
        everOpen = true;
        expiredSinceOpen = 0;
        rebuilds.opened(id);
        renewal.opened(connectedWith);
        setProblem(null);
        setStatus("live");
        for (const listener of openListeners) listener();
      } else if (next === "connecting") setStatus(everOpen || everFailed ? "reconnecting" : "connecting");
      else if (next === "disconnected") setStatus("reconnecting");
      if (next !== "connected") renewal.stop();
    });
    conn.onError((error: { code?: string; message?: string }) => {
      if (!rebuilds.isCurrent(id)) return;
      // getParams showed its own failures (finding the actor, a token) already, readably.
      if (error.code === "get_params_failed") return;
      // The server closed an expired connection: RivetKit reconnects at once with a fresh token, nothing to show.
      // A fresh token refused as expired too (a clock far off) is a problem worth showing.
      if (error.code === "token_expired" && expiredSinceOpen++ === 0) return;
      setProblem(error.message || "The live connection failed");
    });
    return { client, conn };
  };

  const rebuilds = createClientRebuilds<Generation>({
    build,
    discard: ({ client }) => client.dispose(),
  });
  const renewal = createTokenRenewal({
    token: () => auth.token(),
    renew: async (token) => (await rebuilds.current()).conn.action({ name: "renewToken", args: [token] }),
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
      return rebuilds.current().then(({ conn }) => conn.action({ name, args })) as ReturnType<
        GrowAgentActions[typeof name]
      >;
    },
    async dispose() {
      disposed = true;
      renewal.stop();
      eventListeners.clear();
      openListeners.clear();
      await rebuilds.dispose();
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
