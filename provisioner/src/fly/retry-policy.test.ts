import { describe, expect, it } from "vitest";
import { isRetryableStatus, parseRetryAfter, retryDelay } from "./retry-policy";

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

describe("retry policy", () => {
  it("retries 429 and 5xx only", () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 412, 422].some(isRetryableStatus)).toBe(false);
  });

  it("parses Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3_000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:02 GMT", now)).toBe(2_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("honours Retry-After, capped at the policy's maximum", () => {
    expect(retryDelay(policy, 1, 250)).toBe(250);
    expect(retryDelay(policy, 1, 60_000)).toBe(1_000);
  });

  it("backs off exponentially with full jitter, up to the ceiling", () => {
    expect(retryDelay(policy, 1, undefined, () => 0)).toBe(0);
    expect(retryDelay(policy, 1, undefined, () => 0.5)).toBe(50);
    expect(retryDelay(policy, 1, undefined, () => 1)).toBe(100);
    expect(retryDelay(policy, 3, undefined, () => 1)).toBe(400);
    expect(retryDelay({ ...policy, maxAttempts: 10 }, 8, undefined, () => 1)).toBe(1_000);
  });

  it("gives up after the last attempt", () => {
    expect(retryDelay(policy, 4, undefined)).toBeUndefined();
    expect(retryDelay(policy, 4, 10)).toBeUndefined();
  });
});
