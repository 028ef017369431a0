import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  isRetryableError,
  nextRetryDelay,
  parseRetryAfter,
  retry,
  retryAfterOf,
  retryingFetch,
  sleep,
} from "./retry";
import { scriptedFetch } from "./scripted-fetch.fixture";
import { UpstreamError } from "./upstream-error";

const max = () => 0.999_999;

describe("backoffDelay", () => {
  it("full jitter: uniform over a window that doubles up to the cap", () => {
    const backoff = { baseMs: 200, maxMs: 5_000 };
    expect(backoffDelay(0, backoff, max)).toBe(199);
    expect(backoffDelay(2, backoff, max)).toBe(799);
    expect(backoffDelay(20, backoff, max)).toBe(4_999);
    expect(backoffDelay(3, backoff, () => 0)).toBe(0);
    expect(backoffDelay(1, backoff, () => 0.5)).toBe(200);
  });

  it("equal jitter keeps half the window, so the waits surely grow", () => {
    const backoff = { baseMs: 10_000, maxMs: 60_000, jitter: "equal" as const };
    expect(backoffDelay(0, backoff, () => 0)).toBe(5_000);
    expect(backoffDelay(0, backoff, max)).toBe(9_999);
    expect(backoffDelay(1_000, backoff, () => 0)).toBe(30_000);
  });

  it("stays finite for any attempt number", () => {
    expect(backoffDelay(10_000, { baseMs: 1, maxMs: 1_000 }, max)).toBe(999);
    expect(backoffDelay(-1, { baseMs: 100, maxMs: 1_000 }, max)).toBe(99);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("reads seconds (fractions too) and HTTP dates", () => {
    expect(parseRetryAfter("3", now)).toBe(3_000);
    expect(parseRetryAfter(" 0.5 ", now)).toBe(500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
  });
  it("ignores absent or garbage values", () => {
    for (const value of [null, undefined, "", "  ", "soon"])
      expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe("retryAfterOf", () => {
  it("reads retryAfterMs, or a retry-after header on the error, its response, or a Response", () => {
    expect(retryAfterOf(Object.assign(new Error("x"), { retryAfterMs: 1_500 }), 0)).toBe(1_500);
    const headers = new Headers({ "retry-after": "2" });
    expect(retryAfterOf(Object.assign(new Error("x"), { headers }), 0)).toBe(2_000);
    expect(retryAfterOf({ response: new Response(null, { status: 429, headers }) }, 0)).toBe(2_000);
    expect(retryAfterOf(new Response(null, { status: 503, headers }), 0)).toBe(2_000);
    expect(retryAfterOf(new Error("x"), 0)).toBeUndefined();
    expect(retryAfterOf("x", 0)).toBeUndefined();
  });
});

describe("nextRetryDelay", () => {
  const policy = { attempts: 4, baseMs: 100, maxMs: 1_000 };
  it("backs off from the first failure, and gives up after the last attempt", () => {
    expect(nextRetryDelay({ attempt: 1 }, policy, max)).toBe(99);
    expect(nextRetryDelay({ attempt: 3 }, policy, max)).toBe(399);
    expect(nextRetryDelay({ attempt: 4 }, policy, max)).toBeUndefined();
    expect(nextRetryDelay({ attempt: 4, retryAfterMs: 10 }, policy)).toBeUndefined();
    expect(nextRetryDelay({ attempt: 2 }, {}, max)).toBe(399);
    expect(nextRetryDelay({ attempt: 3 }, {}, max)).toBeUndefined();
  });

  it("honours Retry-After over the backoff; a longer one than allowed gives up, or is clamped", () => {
    expect(nextRetryDelay({ attempt: 1, retryAfterMs: 3_000 }, policy)).toBe(3_000);
    const limited = { ...policy, maxRetryAfterMs: 2_000 };
    expect(nextRetryDelay({ attempt: 1, retryAfterMs: 2_000 }, limited)).toBe(2_000);
    expect(nextRetryDelay({ attempt: 1, retryAfterMs: 2_001 }, limited)).toBeUndefined();
    expect(
      nextRetryDelay({ attempt: 1, retryAfterMs: 60_000 }, { ...limited, longRetryAfter: "clamp" }),
    ).toBe(2_000);
  });

  it("gives up rather than start a wait that ends past the time budget", () => {
    const budget = { attempts: Number.POSITIVE_INFINITY, baseMs: 100, maxMs: 1_000, maxElapsedMs: 500 };
    expect(nextRetryDelay({ attempt: 50, elapsedMs: 0 }, budget, () => 0.5)).toBe(500);
    expect(nextRetryDelay({ attempt: 50, elapsedMs: 1 }, budget, () => 0.5)).toBeUndefined();
    expect(nextRetryDelay({ attempt: 1, elapsedMs: 450 }, budget, () => 0.5)).toBe(50);
    expect(nextRetryDelay({ attempt: 1, elapsedMs: 0, retryAfterMs: 501 }, budget)).toBeUndefined();
  });
});

/** Work that fails `failures` times (with `error`), then answers "ok"; time passes only in sleeps. */
function flaky(failures: number, error: (attempt: number) => unknown = () => new Error("down")) {
  let clock = 0;
  const sleeps: number[] = [];
  const attempts: number[] = [];
  const work = async (attempt: number) => {
    attempts.push(attempt);
    if (attempt <= failures) throw error(attempt);
    return "ok";
  };
  const fake = {
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: max,
  };
  return { work, fake, sleeps, attempts };
}

describe("retry", () => {
  it("retries until the work succeeds, waiting the backoff between attempts", async () => {
    const { work, fake, sleeps, attempts } = flaky(3);
    const retries: number[] = [];
    const result = await retry(work, {
      ...fake,
      attempts: 5,
      baseMs: 100,
      maxMs: 250,
      onRetry: ({ attempt }) => void retries.push(attempt),
    });
    expect(result).toBe("ok");
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(sleeps).toEqual([99, 199, 249]);
    expect(retries).toEqual([1, 2, 3]);
  });

  it("gives up after N attempts with the last failure, without a wait after it", async () => {
    const { work, fake, sleeps, attempts } = flaky(10, (n) => new Error(`failure ${n}`));
    await expect(retry(work, { ...fake, attempts: 3 })).rejects.toThrow("failure 3");
    expect(attempts).toEqual([1, 2, 3]);
    expect(sleeps).toHaveLength(2);
  });

  it("gives up once the time budget is spent", async () => {
    const { work, fake, attempts } = flaky(10);
    await expect(
      retry(work, {
        ...fake,
        attempts: Number.POSITIVE_INFINITY,
        baseMs: 100,
        maxMs: 2_000,
        maxElapsedMs: 500,
      }),
    ).rejects.toThrow("down");
    // 99 + 199 ms waited; the next wait (399) would end past 500 ms.
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("honours a failure's Retry-After", async () => {
    const { work, fake, sleeps } = flaky(1, () => Object.assign(new Error("429"), { retryAfterMs: 2_000 }));
    expect(await retry(work, fake)).toBe("ok");
    expect(sleeps).toEqual([2_000]);
  });

  it("does not retry what shouldRetry refuses", async () => {
    const { work, fake, attempts } = flaky(5, (n) => new Error(n === 2 ? "fatal" : "transient"));
    await expect(
      retry(work, { ...fake, attempts: 10, shouldRetry: (error) => (error as Error).message !== "fatal" }),
    ).rejects.toThrow("fatal");
    expect(attempts).toEqual([1, 2]);
  });

  it("by default retries an upstream error only when it is rate limited or unavailable", async () => {
    const upstream = (status: number, retryAfterMs?: number) =>
      new UpstreamError({ service: "gitea", operation: "get file", status, retryAfterMs });
    const refused = flaky(5, () => upstream(404));
    await expect(retry(refused.work, { ...refused.fake, attempts: 10 })).rejects.toMatchObject({
      status: 404,
    });
    expect(refused.attempts).toEqual([1]);

    const limited = flaky(2, (n) => upstream(n === 1 ? 429 : 0, n === 1 ? 1_500 : undefined));
    expect(await retry(limited.work, { ...limited.fake, attempts: 10 })).toBe("ok");
    expect(limited.attempts).toEqual([1, 2, 3]);
    expect(limited.sleeps[0]).toBe(1_500);

    expect(isRetryableError(new Error("db blip"))).toBe(true);
    expect(isRetryableError(upstream(503))).toBe(true);
    expect(isRetryableError(upstream(401))).toBe(false);
  });

  it("stops when aborted: no attempt after, and a wait in progress ends", async () => {
    const before = new AbortController();
    before.abort(new Error("cancelled"));
    const { work, attempts } = flaky(0);
    await expect(retry(work, { signal: before.signal })).rejects.toThrow("cancelled");
    expect(attempts).toEqual([]);

    const during = new AbortController();
    const failing = flaky(10);
    const running = retry(failing.work, {
      signal: during.signal,
      baseMs: 60_000,
      maxMs: 60_000,
      random: max,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    during.abort(new Error("cancelled"));
    await expect(running).rejects.toThrow("cancelled");
    expect(failing.attempts).toEqual([1]);
  });

  it("sleeps for real by default, and the sleep can be aborted", async () => {
    const started = Date.now();
    await sleep(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    await expect(sleep(10, AbortSignal.abort(new Error("gone")))).rejects.toThrow("gone");
  });
});

describe("retryingFetch", () => {
  const scripted = (steps: Parameters<typeof scriptedFetch>[0]) => {
    const { fetch: send, seen } = scriptedFetch(steps);
    return { send, seen };
  };
  const request = () => new Request("http://api.test/x", { method: "POST", body: "payload" });

  it("retries 429 and 5xx, replaying the body, honouring Retry-After", async () => {
    const { send, seen } = scripted([[429, { "retry-after": "2" }], 503, 200]);
    const sleeps: number[] = [];
    const statuses: number[] = [];
    const fetch = retryingFetch(send, {
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
      onAttempt: ({ status }) => void statuses.push(status),
    });
    expect((await fetch(request())).status).toBe(200);
    expect(seen).toEqual(["payload", "payload", "payload"]);
    expect(sleeps).toEqual([2_000, 200]);
    expect(statuses).toEqual([429, 503, 200]);
  });

  it("returns the last retryable answer, or throws the last network error, when retries run out", async () => {
    const answers = scripted([500, 500, 502]);
    const fetch = retryingFetch(answers.send, { sleep: async () => {} });
    expect((await fetch(request())).status).toBe(502);
    expect(answers.seen).toHaveLength(3);

    const errors = scripted([new Error("reset"), new Error("down")]);
    const statuses: number[] = [];
    const failing = retryingFetch(errors.send, {
      attempts: 2,
      sleep: async () => {},
      onAttempt: ({ status }) => void statuses.push(status),
    });
    await expect(failing(request())).rejects.toThrow("down");
    expect(statuses).toEqual([0, 0]);
  });

  it("returns other answers at once, and a Retry-After beyond the limit unwaited", async () => {
    for (const step of [404, 422, [429, { "retry-after": "3600" }]] as const) {
      const { send, seen } = scripted([step as number | [number, Record<string, string>], 200]);
      const fetch = retryingFetch(send, { sleep: async () => {}, maxRetryAfterMs: 30_000 });
      expect((await fetch(request())).status).toBe(Array.isArray(step) ? step[0] : step);
      expect(seen).toHaveLength(1);
    }
  });

  it("stops retrying once the request is aborted", async () => {
    const controller = new AbortController();
    const { send, seen } = scripted([503, 503, 200]);
    const fetch = retryingFetch(send, {
      sleep: async () => {
        controller.abort(new Error("caller gone"));
      },
    });
    const aborted = new Request("http://api.test/x", { signal: controller.signal });
    await expect(fetch(aborted)).rejects.toThrow("caller gone");
    expect(seen).toHaveLength(1);
  });
});
