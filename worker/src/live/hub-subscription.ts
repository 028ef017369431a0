import { liveFrameJson, liveServerMessageSchema } from "../../../contract/live";
import { backoffDelay } from "../../../platform/retry";
import type { Env } from "../env";
import { openHubSocket } from "./live.routes";
import { EPOCH_HEADER } from "./live-hub";
import { isHubEpoch } from "./live-publisher";

/** Waits between reopening a lost subscription (a deploy drops hub sockets): from 100 ms, at most 5 s. */
const REOPEN = { baseMs: 100, maxMs: 5_000 };

/** What an SSE stream listens to: the user's broadcasts by name, and each (re)open of the subscription. */
export interface HubSubscription {
  on(event: string, listener: (payload: unknown) => void): () => void;
  onOpen(listener: () => void): () => void;
  readonly isConnected: boolean;
  /** The hub's epoch of the socket last opened (live-hub.do.ts), for the agent's `eventCursor`. */
  readonly epoch: number | undefined;
  dispose(): Promise<void>;
}

/**
 * The Worker's own socket to `userId`'s LiveHub for one SSE stream (docs/decisions/0007, 0011): it vouches for the
 * caller it already verified (or for a share link's owner), so nothing here is reachable without that check. The
 * hub takes the socket before this resolves, so a broadcast made after that reaches it: the stream's subscribe-
 * then-ask-the-cursor barrier. A lost socket is reopened (and `onOpen` fires, so the stream re-reads the log) until
 * disposed; the socket closes by itself at `expiresAt`.
 */
export async function subscribeToHub(env: Env, userId: string, expiresAt: number): Promise<HubSubscription> {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const openListeners = new Set<() => void>();
  let socket: WebSocket | undefined;
  let epoch: number | undefined;
  let disposed = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = async (): Promise<void> => {
    const response = await openHubSocket(env, {
      kind: "sse",
      state: { userId, clerkUserId: "internal", tokenExpiresAt: expiresAt, internal: true },
    });
    const ws = response.webSocket;
    if (!ws) throw new Error(`the live hub refused the subscription (${response.status})`);
    ws.accept();
    // Disposed while the hub answered: nobody would ever close this one.
    if (disposed) return ws.close(1000, "disposed");
    socket = ws;
    const header = Number(response.headers.get(EPOCH_HEADER) ?? Number.NaN);
    epoch = isHubEpoch(header) ? header : undefined;
    failures = 0;
    ws.addEventListener("message", (message) => {
      const parsed = liveServerMessageSchema.safeParse(liveFrameJson(message.data));
      if (!parsed.success || parsed.data.type !== "broadcast") return;
      for (const listener of listeners.get(parsed.data.name) ?? []) listener(parsed.data.data);
    });
    ws.addEventListener("close", () => {
      if (socket !== ws || disposed || Date.now() >= expiresAt) return;
      socket = undefined;
      reopenLater();
    });
  };

  const reopenLater = () => {
    timer = setTimeout(
      () =>
        void open()
          .then(() => {
            for (const listener of openListeners) listener();
          })
          .catch(() => {
            failures++;
            if (!disposed) reopenLater();
          }),
      backoffDelay(failures, REOPEN),
    );
  };

  await open();
  return {
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    onOpen(listener) {
      openListeners.add(listener);
      return () => openListeners.delete(listener);
    },
    get isConnected() {
      return socket !== undefined;
    },
    get epoch() {
      return epoch;
    },
    async dispose() {
      disposed = true;
      clearTimeout(timer);
      try {
        socket?.close(1000, "stream ended");
      } catch {
        // Already closed.
      }
      socket = undefined;
    },
  };
}
