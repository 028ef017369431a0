import { describe, expect, it, vi } from "vitest";
import type { Broadcast } from "./live-hub";
import { createLivePublisher } from "./live-publisher";

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("live publisher", () => {
  it("sends what is broadcast together in one call, in order, and later ones in the next", async () => {
    const calls: Broadcast[][] = [];
    let release = () => {};
    const publish = createLivePublisher({
      send: async (batch) => {
        calls.push(batch);
        // The first call is slow: what comes meanwhile waits for it, then goes in one call.
        if (calls.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      windowMs: 1,
    });
    publish("event", 1);
    publish("event", 2);
    await tick();
    publish("event", 3);
    publish("pong", 4);
    await tick();
    expect(calls).toHaveLength(1);
    release();
    await tick();
    expect(calls.map((batch) => batch.map((b) => b.data))).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("retries a failed call briefly, then drops it with a warning and goes on", async () => {
    const warn = vi.fn();
    const sent: unknown[] = [];
    let failures = 0;
    const publish = createLivePublisher({
      send: async (batch) => {
        if (batch[0]?.data === "doomed") {
          failures++;
          throw new Error("hub unreachable");
        }
        sent.push(...batch.map((b) => b.data));
      },
      sleep: async () => {},
      log: { warn },
      windowMs: 0,
    });
    publish("event", "doomed");
    await tick();
    publish("event", "next");
    await tick();
    expect(failures).toBe(4);
    expect(warn).toHaveBeenCalledWith("live hub publish dropped", expect.objectContaining({ broadcasts: 1 }));
    expect(sent).toEqual(["next"]);
  });

  it("keeps the object alive while a batch is on its way", async () => {
    const keepAlive = vi.fn();
    const publish = createLivePublisher({ send: async () => {}, keepAlive, windowMs: 0 });
    publish("event", 1);
    publish("event", 2);
    expect(keepAlive).toHaveBeenCalledTimes(1);
  });
});
