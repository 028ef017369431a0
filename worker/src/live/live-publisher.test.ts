import { describe, expect, it, vi } from "vitest";
import type { Broadcast } from "./live-hub";
import { createLivePublisher, hear, isHubEpoch, LOUD, QUIET_PROBE_MS } from "./live-publisher";

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("live publisher", () => {
  it("sends what is broadcast together in one call, in order, and later ones in the next", async () => {
    const calls: Broadcast[][] = [];
    let release = () => {};
    const { publish } = createLivePublisher({
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
    const { publish } = createLivePublisher({
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
    const { publish } = createLivePublisher({ send: async () => {}, keepAlive, windowMs: 0 });
    publish("event", 1);
    publish("event", 2);
    expect(keepAlive).toHaveBeenCalledTimes(1);
  });

  it("goes quiet when the hub answers no listeners: later broadcasts make no call", async () => {
    const calls: Broadcast[][] = [];
    const publisher = createLivePublisher({
      send: async (batch) => {
        calls.push(batch);
        return { delivered: 0, listeners: 0, epoch: 3 };
      },
      windowMs: 0,
      now: () => 1_000,
    });
    publisher.publish("event", 1);
    await tick();
    expect(publisher.quiet).toBe(true);
    publisher.publish("event", 2);
    publisher.publish("event", 3);
    await tick();
    expect(calls.map((batch) => batch.map((b) => b.data))).toEqual([[1]]);
  });

  it("while quiet, probes the hub once per interval: a socket whose notice was lost is found by the answer", async () => {
    const calls: unknown[] = [];
    let listeners = 0;
    let clock = 0;
    const publisher = createLivePublisher({
      send: async (batch) => {
        calls.push(...batch.map((b) => b.data));
        return { delivered: listeners, listeners, epoch: 1 };
      },
      windowMs: 0,
      now: () => clock,
    });
    publisher.publish("event", 1);
    await tick();
    expect(publisher.quiet).toBe(true);
    clock += QUIET_PROBE_MS - 1;
    publisher.publish("event", 2);
    await tick();
    // A socket opens; the hub's notice never reaches the agent.
    listeners = 1;
    clock += 1;
    publisher.publish("event", 3);
    publisher.publish("event", 4);
    await tick();
    expect(publisher.quiet).toBe(false);
    publisher.publish("event", 5);
    await tick();
    expect(calls).toEqual([1, 3, 5]);
  });

  it("is loud again once told a socket opened, and stays loud while the hub has listeners", async () => {
    const calls: unknown[] = [];
    let listeners = 0;
    const publisher = createLivePublisher({
      send: async (batch) => {
        calls.push(...batch.map((b) => b.data));
        return { delivered: listeners, listeners, epoch: listeners > 0 ? 4 : 3 };
      },
      windowMs: 0,
    });
    publisher.publish("event", 1);
    await tick();
    publisher.publish("event", "dropped");
    listeners = 1;
    publisher.opened(4);
    expect(publisher.quiet).toBe(false);
    publisher.publish("event", 2);
    await tick();
    publisher.publish("event", 3);
    await tick();
    expect(calls).toEqual([1, 2, 3]);
    expect(publisher.quiet).toBe(false);
  });

  it("is not silenced by an answer made before a socket it has since heard of opened", async () => {
    let release = () => {};
    const publisher = createLivePublisher({
      send: async () => {
        // The hub answers with no socket (epoch 3), but the answer arrives after the notice of socket 4.
        await new Promise<void>((resolve) => (release = resolve));
        return { delivered: 0, listeners: 0, epoch: 3 };
      },
      windowMs: 0,
    });
    publisher.publish("event", 1);
    await tick();
    publisher.opened(4);
    release();
    await tick();
    expect(publisher.quiet).toBe(false);
  });

  it("stays loud when a publish fails: a failure says nothing about listeners", async () => {
    const publisher = createLivePublisher({
      send: async () => {
        throw new Error("hub unreachable");
      },
      sleep: async () => {},
      log: { warn: () => {} },
      windowMs: 0,
    });
    publisher.publish("event", 1);
    await tick();
    expect(publisher.quiet).toBe(false);
  });
});

describe("hear: the publisher's loudness", () => {
  const quiet = (epoch: number) => ({ quiet: true, epoch });
  const loud = (epoch: number) => ({ quiet: false, epoch });
  const answer = (listeners: number, epoch: number) => ({
    answer: { delivered: listeners, listeners, epoch },
  });

  it("starts loud, goes quiet on no listeners as of the highest epoch heard, loud on listeners or a socket", () => {
    expect(hear(LOUD, answer(0, 0))).toEqual(quiet(0));
    expect(hear(LOUD, answer(0, 5))).toEqual(quiet(5));
    expect(hear(quiet(5), answer(2, 6))).toEqual(loud(6));
    expect(hear(quiet(5), { opened: 6 })).toEqual(loud(6));
  });

  it("ignores a stale no-listener answer (older epoch than a socket heard of), not a current one", () => {
    expect(hear(loud(6), answer(0, 5))).toEqual(loud(6));
    expect(hear(loud(6), answer(0, 6))).toEqual(quiet(6));
    expect(hear(loud(6), answer(0, 7))).toEqual(quiet(7));
  });

  it("a notice of a socket opens the publisher even when its epoch is not news, and never lowers the epoch", () => {
    expect(hear(quiet(6), { opened: 6 })).toEqual(loud(6));
    expect(hear(quiet(6), { opened: 2 })).toEqual(loud(6));
  });

  it("changes nothing on an answer that is not one (an older hub's) or a bad epoch", () => {
    expect(hear(loud(2), { answer: { delivered: 0 } })).toEqual(loud(2));
    expect(hear(loud(2), { answer: undefined })).toEqual(loud(2));
    expect(hear(loud(2), answer(-1, 3))).toEqual(loud(2));
    expect(hear(quiet(2), { opened: -1 })).toEqual(quiet(2));
    expect(hear(quiet(2), { opened: 1.5 })).toEqual(quiet(2));
  });

  it("takes as an epoch only a non-negative safe integer", () => {
    expect([0, 1, Number.MAX_SAFE_INTEGER].every(isHubEpoch)).toBe(true);
    expect([-1, 1.5, Number.NaN, 2 ** 53, "1", null, undefined, {}].some(isHubEpoch)).toBe(false);
  });
});
