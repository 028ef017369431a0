import {
  type ExpiringConn,
  isExpired,
  nextExpiry,
  partitionByExpiry,
  TOKEN_EXPIRED_CLOSE_REASON,
  timerDelay,
} from "./conn-expiry";

/** The part of a RivetKit `Conn` this needs (structural, so tests can pass plain objects). */
export interface LiveConn extends ExpiringConn {
  id: string;
  /** Events the client subscribed to (`conn.on(name)`); a stateless HTTP call has none. */
  subscriptions: Set<string>;
  send(name: string, ...args: unknown[]): void;
  disconnect(reason?: string): Promise<void>;
}

/** The part of an actor context this needs: its connections, its broadcast and the signal that ends it. */
export interface LiveConnsHost {
  conns: Map<string, LiveConn>;
  abortSignal: AbortSignal;
  /** RivetKit's broadcast: every subscriber, the message serialised once for all of them. */
  broadcast(name: string, ...args: unknown[]): void;
}

export interface LiveConns {
  /** Sends `name` to every subscribed connection whose token is still valid; expired ones are closed instead. */
  broadcast(name: string, data: unknown): void;
  /** Re-arms the expiry timer: call when a connection opens or closes (none left: no timer). */
  watch(): void;
}

/**
 * Use instead of `c.broadcast`: RivetKit's broadcast reaches every subscribed connection, also one whose token
 * expired long ago. Expired subscribers are closed with `user.token_expired` (the client reconnects with a fresh
 * token and re-reads what it missed) at the first broadcast after expiry, and at their expiry by a timer, so a
 * quiet actor closes them too. An in-memory timer suffices: without hibernation an object with open sockets stays
 * resident, and when it is evicted its sockets close with it (docs/rivetkit-driver.md).
 */
export function createLiveConns(
  host: LiveConnsHost,
  log?: { warn(msg: string, data?: object): void },
  /** Also hands every broadcast to the user's LiveHub (worker/src/live/live-publisher.ts), which feeds the SPA. */
  publish?: (name: string, data: unknown) => void,
): LiveConns {
  const closing = new WeakSet<LiveConn>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt: number | undefined;

  const close = (conn: LiveConn) => {
    if (closing.has(conn)) return;
    closing.add(conn);
    conn
      .disconnect(TOKEN_EXPIRED_CLOSE_REASON)
      .catch((error) => log?.warn("closing an expired connection failed", { connId: conn.id, error }));
  };

  /**
   * Closes expired connections that receive events. One that never subscribed gets nothing to withhold, and its
   * actions are refused after expiry anyway; closing it would also cut a stateless HTTP call or an actor's relay.
   */
  const sweep = (now: number) => {
    for (const conn of partitionByExpiry(host.conns.values(), now).expired) {
      if (conn.subscriptions.size > 0) close(conn);
    }
  };

  const arm = (now: number) => {
    if (host.abortSignal.aborted) return;
    const at = nextExpiry(host.conns.values(), now);
    if (at === undefined) {
      // Nothing left to close: a pending timer would keep the object in memory (workerd does not evict an object
      // with one), long after its last connection left.
      clearTimeout(timer);
      timer = undefined;
      timerAt = undefined;
      return;
    }
    if (timer !== undefined && timerAt !== undefined && timerAt <= at) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(
      () => {
        timer = undefined;
        timerAt = undefined;
        const firedAt = Date.now();
        sweep(firedAt);
        arm(firedAt);
      },
      timerDelay(at, now),
    );
  };

  host.abortSignal.addEventListener("abort", () => clearTimeout(timer), { once: true });

  return {
    broadcast(name, data) {
      publish?.(name, data);
      const now = Date.now();
      let allValid = true;
      for (const conn of host.conns.values()) {
        if (!conn.subscriptions.has(name) || !(isExpired(conn, now) || closing.has(conn))) continue;
        allValid = false;
        close(conn);
      }
      // The usual case: RivetKit's own broadcast, which serialises the event once for every connection.
      if (allValid) return host.broadcast(name, data);
      for (const conn of host.conns.values()) {
        if (conn.subscriptions.has(name) && !closing.has(conn)) {
          try {
            conn.send(name, data);
          } catch (error) {
            // One connection's failure (e.g. a message over its size limit) must not starve the others.
            log?.warn("sending to a connection failed", { connId: conn.id, event: name, error });
          }
        }
      }
    },
    watch: () => arm(Date.now()),
  };
}
