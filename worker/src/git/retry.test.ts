import { describe, expect, it } from "vitest";
import { scriptedFetch } from "../../../platform/scripted-fetch.fixture";
import { DURABLE_RETRY_POLICY, durableRetryDelayMs, retryingFetch } from "./retry";

// The backoff, Retry-After parsing and the loop itself are tested with the helper (platform/retry.test.ts); these
// check Gitea's policies on top of it.

describe("retryingFetch", () => {
  const scripted = scriptedFetch;
  const request = () => new Request("http://gitea.test/api/v1/x", { method: "POST", body: "payload" });

  it("retries 429 and 5xx, replaying the body, honouring Retry-After", async () => {
    const { fetch, seen } = scripted([[429, { "retry-after": "2" }], 503, 200]);
    const sleeps: number[] = [];
    const send = retryingFetch({ fetch, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });
    const response = await send(request());
    expect(response.status).toBe(200);
    expect(seen).toEqual(["payload", "payload", "payload"]);
    expect(sleeps).toEqual([2_000, 200]);
  });

  it("retries network errors, then gives up with the last error", async () => {
    const { fetch } = scripted([
      new Error("reset"),
      new Error("reset"),
      new Error("reset"),
      new Error("down"),
    ]);
    const send = retryingFetch({ fetch, sleep: async () => {} });
    await expect(send(request())).rejects.toThrow("down");
  });

  it("returns the last retryable response when retries run out", async () => {
    const { fetch, seen } = scripted([500, 500, 500, 502]);
    const send = retryingFetch({ fetch, sleep: async () => {} });
    expect((await send(request())).status).toBe(502);
    expect(seen).toHaveLength(4);
  });

  it("does not retry other 4xx, nor wait for a Retry-After beyond the budget", async () => {
    for (const step of [404, 422, [429, { "retry-after": "3600" }]] as const) {
      const { fetch, seen } = scripted([step as number | [number, Record<string, string>], 200]);
      const send = retryingFetch({ fetch, sleep: async () => {} });
      expect((await send(request())).status).toBe(Array.isArray(step) ? step[0] : step);
      expect(seen).toHaveLength(1);
    }
  });
});

describe("durableRetryDelayMs", () => {
  it("grows from 5-10 s to the 20 min cap, and 10 attempts span about 30 to 60 minutes", () => {
    const low = () => 0;
    const high = () => 0.999_999;
    expect(durableRetryDelayMs(0, DURABLE_RETRY_POLICY, undefined, low)).toBe(5_000);
    expect(durableRetryDelayMs(0, DURABLE_RETRY_POLICY, undefined, high)).toBeLessThan(10_000);
    expect(durableRetryDelayMs(20, DURABLE_RETRY_POLICY, undefined, high)).toBeLessThanOrEqual(20 * 60_000);
    const total = (random: () => number) =>
      Array.from({ length: DURABLE_RETRY_POLICY.retries }, (_, attempt) =>
        durableRetryDelayMs(attempt, DURABLE_RETRY_POLICY, undefined, random),
      ).reduce((a, b) => a + b, 0);
    expect(total(low)).toBeGreaterThan(30 * 60_000);
    expect(total(high)).toBeLessThan(62 * 60_000);
  });

  it("waits at least as long as the server's Retry-After, up to the cap", () => {
    expect(durableRetryDelayMs(0, DURABLE_RETRY_POLICY, 60_000, () => 0)).toBe(60_000);
    expect(durableRetryDelayMs(0, DURABLE_RETRY_POLICY, 24 * 3_600_000, () => 0)).toBe(20 * 60_000);
  });
});
