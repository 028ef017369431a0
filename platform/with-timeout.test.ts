import { afterEach, describe, expect, it, vi } from "vitest";
import { fetchWithin, orAfter, withTimeout } from "./with-timeout";

afterEach(() => {
  vi.useRealTimers();
});

describe("withTimeout", () => {
  it("answers with the work's result and leaves no timer behind", async () => {
    vi.useFakeTimers();
    await expect(withTimeout(Promise.resolve(7), 1_000)).resolves.toBe(7);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects when the work has not settled in time", async () => {
    vi.useFakeTimers();
    const waiting = expect(withTimeout(new Promise(() => {}), 1_000, "too slow")).rejects.toThrow("too slow");
    await vi.advanceTimersByTimeAsync(1_000);
    await waiting;
  });
});

describe("orAfter", () => {
  it("answers with the work's value, or its failure, and leaves no timer behind", async () => {
    vi.useFakeTimers();
    await expect(orAfter(Promise.resolve("done"), 1_000, "late")).resolves.toBe("done");
    await expect(orAfter(Promise.reject(new Error("broke")), 1_000, "late")).rejects.toThrow("broke");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("answers the fallback once the time is up, without waiting for the work", async () => {
    vi.useFakeTimers();
    const answer = orAfter(new Promise<string>(() => {}), 1_000, "late");
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(answer).resolves.toBe("late");
  });
});

describe("fetchWithin", () => {
  it("returns the answer read whole, with its status and headers, and clears its timer", async () => {
    vi.useFakeTimers();
    const answer = await fetchWithin(10_000, async () =>
      Response.json({ rows: [1] }, { status: 201, headers: { "x-kept": "yes" } }),
    );
    expect(vi.getTimerCount()).toBe(0);
    expect(answer.status).toBe(201);
    expect(answer.headers.get("x-kept")).toBe("yes");
    expect(await answer.json()).toEqual({ rows: [1] });
  });

  it("answers a status that has no body without one", async () => {
    const answer = await fetchWithin(1_000, async () => new Response(null, { status: 204 }));
    expect(answer.status).toBe(204);
    expect(answer.body).toBeNull();
  });

  it("aborts an exchange whose body does not arrive in time, with a TimeoutError", async () => {
    vi.useFakeTimers();
    let aborted: unknown;
    const hungBody = (signal: AbortSignal) =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("{"));
          signal.addEventListener("abort", () => {
            aborted = signal.reason;
            controller.error(signal.reason);
          });
        },
      });
    const exchange = fetchWithin(5_000, async (signal) => new Response(hungBody(signal)));
    const failed = expect(exchange).rejects.toMatchObject({ name: "TimeoutError" });
    await vi.advanceTimersByTimeAsync(5_000);
    await failed;
    expect((aborted as DOMException).name).toBe("TimeoutError");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("passes the failure of the exchange itself through, and clears its timer", async () => {
    vi.useFakeTimers();
    await expect(
      fetchWithin(5_000, async () => {
        throw new TypeError("fetch failed");
      }),
    ).rejects.toThrow("fetch failed");
    expect(vi.getTimerCount()).toBe(0);
  });
});
