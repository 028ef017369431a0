import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TOKEN_EXPIRED_CLOSE_REASON } from "./conn-expiry";
import { createLiveConns, type LiveConn, type LiveConnsHost } from "./live-conns";

/** A connection as RivetKit's `Conn` exposes it, recording what reached it. */
function fakeConn(id: string, tokenExpiresAt: number, subscriptions = ["event", "pong"]) {
  const received: Array<{ name: string; data: unknown }> = [];
  const closed: Array<string | undefined> = [];
  const conn: LiveConn = {
    id,
    state: { tokenExpiresAt },
    subscriptions: new Set(subscriptions),
    send: (name, data) => void received.push({ name, data }),
    disconnect: async (reason) => {
      closed.push(reason);
      host.conns.delete(id);
    },
  };
  host.conns.set(id, conn);
  return { conn, received, closed };
}

let host: LiveConnsHost & { broadcasts: number };
let stop: AbortController;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  stop = new AbortController();
  host = {
    conns: new Map(),
    abortSignal: stop.signal,
    broadcasts: 0,
    // As RivetKit's: every subscriber, whatever its token.
    broadcast(name, data) {
      host.broadcasts++;
      for (const conn of host.conns.values()) if (conn.subscriptions.has(name)) conn.send(name, data);
    },
  };
});
afterEach(() => {
  stop.abort();
  vi.useRealTimers();
});

describe("live connections", () => {
  it("an event reaches valid subscribers only; an expired one is closed with token_expired instead", () => {
    const live = createLiveConns(host);
    const valid = fakeConn("valid", Date.now() + 60_000);
    const expired = fakeConn("expired", Date.now() - 1);
    const other = fakeConn("not-subscribed", Date.now() + 60_000, ["pong"]);

    live.broadcast("event", { seq: 1 });

    expect(valid.received).toEqual([{ name: "event", data: { seq: 1 } }]);
    expect(expired.received).toEqual([]);
    expect(expired.closed).toEqual([TOKEN_EXPIRED_CLOSE_REASON]);
    expect(other.received).toEqual([]);
  });

  it("uses the actor's own broadcast (serialised once) while every subscriber is valid", () => {
    const live = createLiveConns(host);
    const a = fakeConn("a", Date.now() + 60_000);
    const b = fakeConn("b", Date.now() + 60_000);

    live.broadcast("event", { seq: 1 });

    expect(host.broadcasts).toBe(1);
    expect(a.received).toEqual([{ name: "event", data: { seq: 1 } }]);
    expect(b.received).toEqual([{ name: "event", data: { seq: 1 } }]);
  });

  it("closes a connection at its expiry even when nothing is broadcast, and nothing reaches it after", async () => {
    const live = createLiveConns(host);
    const soon = fakeConn("soon", Date.now() + 5_000);
    const later = fakeConn("later", Date.now() + 20_000);
    live.watch();

    await vi.advanceTimersByTimeAsync(4_999);
    expect(soon.closed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(soon.closed).toEqual([TOKEN_EXPIRED_CLOSE_REASON]);
    expect(later.closed).toEqual([]);

    // The timer re-arms itself for the next expiry.
    await vi.advanceTimersByTimeAsync(15_000);
    expect(later.closed).toEqual([TOKEN_EXPIRED_CLOSE_REASON]);
    live.broadcast("event", { seq: 2 });
    expect([...soon.received, ...later.received]).toEqual([]);
  });

  it("a connection that opens with an earlier expiry moves the timer forward", async () => {
    const live = createLiveConns(host);
    fakeConn("late", Date.now() + 60_000);
    live.watch();
    const early = fakeConn("early", Date.now() + 2_000);
    live.watch();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(early.closed).toEqual([TOKEN_EXPIRED_CLOSE_REASON]);
  });

  it("closes each expired connection once, and one closing gets nothing while it closes", () => {
    const live = createLiveConns(host);
    const expired = fakeConn("expired", Date.now() - 1);
    expired.conn.disconnect = async (reason) => void expired.closed.push(reason); // stays listed while closing
    live.broadcast("event", 1);
    live.broadcast("event", 2);
    expect(expired.closed).toEqual([TOKEN_EXPIRED_CLOSE_REASON]);
    expect(expired.received).toEqual([]);
  });

  it("leaves connections that receive no events (stateless calls, actors' relays) to the action check", async () => {
    const live = createLiveConns(host);
    const relay = fakeConn("relay", Date.now() + 1_000, []);
    live.watch();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(relay.closed).toEqual([]);
  });

  it("one connection that cannot be sent to does not starve the others (while another is being closed)", () => {
    const live = createLiveConns(host, { warn: () => {} });
    fakeConn("expired", Date.now() - 1);
    const broken = fakeConn("broken", Date.now() + 60_000);
    broken.conn.send = () => {
      throw new Error("message too long");
    };
    const fine = fakeConn("fine", Date.now() + 60_000);
    live.broadcast("event", 1);
    expect(fine.received).toHaveLength(1);
  });

  it("stops its timer when the actor instance stops", async () => {
    const live = createLiveConns(host);
    const conn = fakeConn("c", Date.now() + 1_000);
    live.watch();
    stop.abort();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(conn.closed).toEqual([]);
  });

  it("leaves no timer pending once the last connection is gone, so the object can be evicted", () => {
    const live = createLiveConns(host);
    fakeConn("stateless", Date.now() + 3_600_000);
    live.watch();
    expect(vi.getTimerCount()).toBe(1);
    host.conns.delete("stateless");
    live.watch();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("hands every broadcast to the publisher too (the user's live hub), whoever is connected", () => {
    const published: unknown[] = [];
    const live = createLiveConns(host, undefined, (name, data) => published.push([name, data]));
    live.broadcast("event", { seq: 1 });
    fakeConn("valid", Date.now() + 60_000);
    live.broadcast("pong", "x");
    expect(published).toEqual([
      ["event", { seq: 1 }],
      ["pong", "x"],
    ]);
  });
});
