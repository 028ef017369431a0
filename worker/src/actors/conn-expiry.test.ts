import { describe, expect, it } from "vitest";
import { isExpired, MAX_TIMER_MS, nextExpiry, partitionByExpiry, timerDelay } from "./conn-expiry";

const conn = (tokenExpiresAt: number) => ({ state: { tokenExpiresAt } });

describe("connection expiry", () => {
  it("a connection is live until its token's expiry, exclusive, like an action", () => {
    expect(isExpired(conn(1_000), 999)).toBe(false);
    expect(isExpired(conn(1_000), 1_000)).toBe(true);
    // Not authenticated yet: nothing may reach it.
    expect(isExpired({ state: undefined }, 0)).toBe(true);
  });

  it("splits connections into live and expired", () => {
    const a = conn(500);
    const b = conn(2_000);
    const c = conn(1_000);
    expect(partitionByExpiry([a, b, c], 1_000)).toEqual({ live: [b], expired: [a, c] });
  });

  it("finds the earliest expiry still ahead, ignoring expired and never-expiring connections", () => {
    expect(nextExpiry([conn(5_000), conn(900), conn(3_000), conn(Number.MAX_SAFE_INTEGER)], 1_000)).toBe(
      3_000,
    );
    expect(nextExpiry([conn(1_000), { state: undefined }], 1_000)).toBeUndefined();
    expect(nextExpiry([], 0)).toBeUndefined();
  });

  it("clamps timer delays to what setTimeout can take", () => {
    expect(timerDelay(1_500, 1_000)).toBe(500);
    expect(timerDelay(900, 1_000)).toBe(0);
    expect(timerDelay(1_000 + 40 * 86_400_000, 1_000)).toBe(MAX_TIMER_MS);
  });
});
