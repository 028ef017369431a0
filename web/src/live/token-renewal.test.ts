import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTokenRenewal, RENEW_AHEAD_MS, RETRY_MS, renewalDelay } from "./token-renewal";

/** Tokens are "t@<expiry ms>" here, so tests read expiries off them. */
const expiryOf = (token: string) => Number(token.split("@")[1]);
const tokenUntil = (ms: number) => `t@${ms}`;

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

describe("renewing the live connection's token", () => {
  it("renews ahead of expiry, then again ahead of the new token's expiry", async () => {
    let current = tokenUntil(60_000);
    const renewed: string[] = [];
    const renewal = createTokenRenewal({
      token: async () => current,
      renew: async (token) => void renewed.push(token),
      expiryOf,
    });
    renewal.opened(current);

    current = tokenUntil(120_000); // the provider renewed its token meanwhile
    await vi.advanceTimersByTimeAsync(60_000 - RENEW_AHEAD_MS - 1);
    expect(renewed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(renewed).toEqual([tokenUntil(120_000)]);

    current = tokenUntil(180_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(renewed).toEqual([tokenUntil(120_000), tokenUntil(180_000)]);
    renewal.stop();
  });

  it("asks again while the provider still hands the same token, and gives up at expiry", async () => {
    const renew = vi.fn(async () => {});
    const token = vi.fn(async () => tokenUntil(30_000));
    const renewal = createTokenRenewal({ token, renew, expiryOf });
    renewal.opened(tokenUntil(30_000));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(renew).not.toHaveBeenCalled();
    // From 20 s on, every 2 s until the connection expires: then the reconnect takes over.
    expect(token.mock.calls.length).toBe(Math.ceil(RENEW_AHEAD_MS / RETRY_MS));
  });

  it("does nothing more after the connection closed, nor for a connection opened before the last one", async () => {
    const renew = vi.fn(async () => {});
    let resolveToken: (token: string) => void = () => {};
    const renewal = createTokenRenewal({
      token: () => new Promise((resolve) => (resolveToken = resolve)),
      renew,
      expiryOf,
    });
    renewal.opened(tokenUntil(20_000));
    await vi.advanceTimersByTimeAsync(10_000); // asks the provider…
    renewal.stop(); // …and the connection drops before it answers
    resolveToken(tokenUntil(80_000));
    await vi.advanceTimersByTimeAsync(100_000);
    expect(renew).not.toHaveBeenCalled();
  });

  it("a failed renewal leaves the connection to expire and reconnect", async () => {
    const renew = vi.fn(async () => {
      throw new Error("token_expired");
    });
    const renewal = createTokenRenewal({ token: async () => tokenUntil(90_000), renew, expiryOf });
    renewal.opened(tokenUntil(20_000));
    await vi.advanceTimersByTimeAsync(200_000);
    expect(renew).toHaveBeenCalledTimes(1);
  });

  it("renews ahead of expiry, but a token shorter-lived than that at half its life, never in a loop", () => {
    expect(renewalDelay(70_000, 0)).toBe(60_000);
    expect(renewalDelay(6_000, 0)).toBe(3_000);
    expect(renewalDelay(5_000, 6_000)).toBe(0);
  });

  it("keeps renewing short-lived tokens at a sane pace", async () => {
    let n = 0;
    const renew = vi.fn(async () => {});
    const renewal = createTokenRenewal({
      token: async () => tokenUntil(Date.now() + 6_000 + n++),
      renew,
      expiryOf,
    });
    renewal.opened(tokenUntil(6_000));
    await vi.advanceTimersByTimeAsync(30_000);
    renewal.stop();
    // One every ~3 s (half the 6 s life), not thousands.
    expect(renew.mock.calls.length).toBeGreaterThanOrEqual(8);
    expect(renew.mock.calls.length).toBeLessThanOrEqual(11);
  });
});
