import { describe, expect, it } from "vitest";
import { pushMerging, RelayBatcher, type RelayEvent } from "./relay-batcher";

const text = (delta: string): RelayEvent => ({ type: "subagent.text", data: { delta } });
const tool = (callId: string): RelayEvent => ({ type: "subagent.tool", data: { callId } });

/** A Grow Agent whose deliveries the test completes by hand. */
function harness(options: { failures?: number; retryForMs?: number } = {}) {
  const calls: Array<{ events: RelayEvent[]; batch: number; done(): void; fail(): void }> = [];
  const delivered: Array<{ events: RelayEvent[]; batch: number }> = [];
  const dropped: RelayEvent[][] = [];
  let failures = options.failures ?? 0;
  let clock = 0;
  const batcher = new RelayBatcher({
    mergeType: "subagent.text",
    retryForMs: options.retryForMs,
    // Time passes only in the batcher's own sleeps (retry backoff, the pause after a delivery).
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    // The highest jitter draw: each retry waits (just under) its whole backoff window.
    random: () => 0.999_999,
    onDropped: (events) => dropped.push(events),
    send: (events, batch) =>
      new Promise<void>((resolve, reject) => {
        calls.push({
          events,
          batch,
          done: () => {
            delivered.push({ events, batch });
            resolve();
          },
          fail: () => reject(new Error("unreachable")),
        });
        if (failures > 0) {
          failures--;
          calls.at(-1)?.fail();
        }
      }),
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { batcher, calls, delivered, dropped, settle };
}

describe("RelayBatcher", () => {
  it("sends the first event at once, and what arrives meanwhile as one merged batch after it", async () => {
    const { batcher, calls, delivered, settle } = harness();
    batcher.add([text("Hel")]);
    expect(calls.map((c) => c.events)).toEqual([[text("Hel")]]);
    batcher.add([text("lo")]);
    batcher.add([text(" wor"), tool("t1"), text("ld")]);
    batcher.add([text("!")]);
    expect(calls).toHaveLength(1);
    calls[0]?.done();
    await settle();
    expect(calls[1]?.events).toEqual([text("lo wor"), tool("t1"), text("ld!")]);
    calls[1]?.done();
    await batcher.drain();
    expect(delivered.map((d) => d.batch)).toEqual([1, 2]);
    const all = delivered.flatMap((d) => d.events);
    expect(all.filter((e) => e.type === "subagent.text").map((e) => e.data.delta)).toEqual([
      "Hel",
      "lo wor",
      "ld!",
    ]);
  });

  it("drain waits for every batch, including ones added while draining", async () => {
    const { batcher, calls, settle } = harness();
    batcher.add([text("a")]);
    let drained = false;
    const drain = batcher.drain().then(() => {
      drained = true;
    });
    batcher.add([text("b")]);
    calls[0]?.done();
    await settle();
    expect(drained).toBe(false);
    calls[1]?.done();
    await drain;
    expect(drained).toBe(true);
  });

  it("retries a failed delivery under the same batch number, so the Grow Agent can skip a duplicate", async () => {
    const { batcher, calls, delivered, settle } = harness({ failures: 1 });
    batcher.add([text("a")]);
    await settle();
    expect(calls.map((c) => c.batch)).toEqual([1, 1]);
    calls[1]?.done();
    await batcher.drain();
    expect(delivered).toEqual([{ events: [text("a")], batch: 1 }]);
  });

  it("gives a batch up once its retry time is spent, and goes on with the next", async () => {
    // Backoff windows 100, 200, 400 ms: a fourth attempt would start past 500 ms.
    const { batcher, calls, dropped, delivered, settle } = harness({ failures: 3, retryForMs: 500 });
    batcher.add([text("lost")]);
    await settle();
    expect(calls.map((c) => c.batch)).toEqual([1, 1, 1]);
    expect(dropped).toEqual([[text("lost")]]);
    batcher.add([text("next")]);
    calls.at(-1)?.done();
    await batcher.drain();
    expect(delivered).toEqual([{ events: [text("next")], batch: 2 }]);
  });

  it("does not lose an event added just as a delivery run ends", async () => {
    // Where exactly "just as" falls depends on promise ticks: try each point of the run's ending.
    for (let ticks = 0; ticks < 12; ticks++) {
      const { batcher, calls, delivered } = harness();
      batcher.add([text("a")]);
      calls[0]?.done();
      for (let i = 0; i < ticks; i++) await Promise.resolve();
      batcher.add([tool("b")]);
      const drained = batcher.drain();
      for (let i = 0; i < 20 && calls.length < 2; i++) await new Promise((r) => setTimeout(r, 0));
      calls[1]?.done();
      await drained;
      expect(
        delivered.flatMap((d) => d.events),
        `added after ${ticks} ticks`,
      ).toEqual([text("a"), tool("b")]);
    }
  });

  it("splits a large backlog into batches that fit one message, keeping the order", async () => {
    const { batcher, calls, delivered, settle } = harness();
    batcher.add([tool("first")]);
    // 300 events arrive while the first delivery is out; text merges stop at 32 000 characters.
    for (let i = 0; i < 150; i++) batcher.add([tool(`t${i}`), text("x".repeat(1_000))]);
    for (let i = 0; i < 10 && delivered.length < 3; i++) {
      calls.at(-1)?.done();
      await settle();
    }
    await batcher.drain();
    const sizes = delivered.map((d) => d.events.length);
    expect(sizes[0]).toBe(1);
    expect(Math.max(...sizes.slice(1))).toBeLessThanOrEqual(200);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(301);
    expect(delivered.flatMap((d) => d.events).filter((e) => e.type === "subagent.tool")[150]).toEqual(
      tool("t149"),
    );
  });

  it("does nothing for an empty add", () => {
    const { batcher, calls } = harness();
    batcher.add([]);
    expect(calls).toHaveLength(0);
  });
});

describe("pushMerging", () => {
  it("merges only consecutive events of the merge type and keeps their other fields", () => {
    const events: RelayEvent[] = [];
    pushMerging(events, { type: "subagent.text", data: { delta: "a", partId: "p" } }, "subagent.text");
    pushMerging(events, text("b"), "subagent.text");
    pushMerging(events, tool("t"), "subagent.text");
    pushMerging(events, text("c"), "subagent.text");
    expect(events).toEqual([
      { type: "subagent.text", data: { delta: "ab", partId: "p" } },
      tool("t"),
      text("c"),
    ]);
  });

  it("starts a new text event once the merged one would pass 32 000 characters", () => {
    const events: RelayEvent[] = [];
    pushMerging(events, text("x".repeat(31_999)), "subagent.text");
    pushMerging(events, text("y"), "subagent.text");
    pushMerging(events, text("z"), "subagent.text");
    expect(events.map((e) => String(e.data.delta).length)).toEqual([32_000, 1]);
  });
});
