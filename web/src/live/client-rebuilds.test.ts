import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClientRebuilds } from "./client-rebuilds";

const refused = (code: string) => Object.assign(new Error(code), { group: "user", code });
const expired = refused("token_expired");

/** Generations are `client <id>`; what was built and discarded is recorded in order. */
function setup() {
  const built: number[] = [];
  const discarded: string[] = [];
  const rebuilds = createClientRebuilds({
    build: async (id) => {
      built.push(id);
      return `client ${id}`;
    },
    discard: async (generation) => void discarded.push(generation),
  });
  return { rebuilds, built, discarded };
}

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

describe("rebuilding the live connection's client", () => {
  it("replaces a client whose token the guard refused, once however often the old one retried", async () => {
    const { rebuilds, built, discarded } = setup();
    await expect(rebuilds.current()).resolves.toBe("client 1");

    expect(rebuilds.lookupFailed(1, expired)).toEqual({ action: "rebuild", quiet: true });
    await expect(rebuilds.current()).resolves.toBe("client 2");
    expect(discarded).toEqual(["client 1"]);
    expect([rebuilds.isCurrent(1), rebuilds.isCurrent(2)]).toEqual([false, true]);
    // The old client's further refusals (its retries before it was disposed) change nothing.
    expect(rebuilds.lookupFailed(1, expired)).toEqual({ action: "ignore" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(built).toEqual([1, 2]);
  });

  it("leaves other failures to RivetKit's retries, with the same client", async () => {
    const { rebuilds, built } = setup();
    for (const code of ["unavailable", "rate_limited", "forbidden"])
      expect(rebuilds.lookupFailed(1, refused(code))).toEqual({ action: "retry" });
    expect(rebuilds.lookupFailed(1, new TypeError("Failed to fetch"))).toEqual({ action: "retry" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(built).toEqual([1]);
  });

  it("backs off while fresh tokens are refused too, and starts over once a connection opened", async () => {
    const { rebuilds, built } = setup();
    await rebuilds.current();
    expect(rebuilds.lookupFailed(1, expired)).toEqual({ action: "rebuild", quiet: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(built).toEqual([1, 2]);

    // The fresh token refused as well: shown, and the next client only a second later.
    expect(rebuilds.lookupFailed(2, expired)).toEqual({ action: "rebuild", quiet: false });
    await vi.advanceTimersByTimeAsync(999);
    expect(built).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(built).toEqual([1, 2, 3]);

    rebuilds.lookupFailed(3, refused("invalid_token"));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(built).toEqual([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(1);
    expect(built).toEqual([1, 2, 3, 4]);

    // Open again: the next expiry is routine, rebuilt at once.
    rebuilds.opened(4);
    expect(rebuilds.lookupFailed(4, expired)).toEqual({ action: "rebuild", quiet: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(built).toEqual([1, 2, 3, 4, 5]);
  });

  it("an open of a replaced client does not reset the backoff", async () => {
    const { rebuilds, built } = setup();
    rebuilds.lookupFailed(1, expired);
    await vi.advanceTimersByTimeAsync(0);
    rebuilds.lookupFailed(2, expired);
    rebuilds.opened(2); // too late: replaced already
    await vi.advanceTimersByTimeAsync(1_000);
    rebuilds.lookupFailed(3, expired);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(built).toEqual([1, 2, 3]);
  });

  it("closing stops a rebuild still waiting and disposes the last client", async () => {
    const { rebuilds, built, discarded } = setup();
    rebuilds.lookupFailed(1, expired);
    await vi.advanceTimersByTimeAsync(0);
    rebuilds.lookupFailed(2, expired); // the next one waits 1 s
    await rebuilds.dispose();
    await expect(rebuilds.current()).rejects.toThrow(/closed/);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(built).toEqual([1, 2]);
    expect(discarded).toEqual(["client 1", "client 2"]);
    expect(rebuilds.lookupFailed(2, expired)).toEqual({ action: "ignore" });
    expect(rebuilds.isCurrent(3)).toBe(false);
  });

  it("a client that is still being built when the connection closes is disposed once built", async () => {
    let finish: (client: string) => void = () => {};
    const discarded: string[] = [];
    const rebuilds = createClientRebuilds({
      build: () => new Promise<string>((resolve) => (finish = resolve)),
      discard: async (generation) => void discarded.push(generation),
    });
    const closed = rebuilds.dispose();
    finish("client 1");
    await closed;
    expect(discarded).toEqual(["client 1"]);
  });
});
