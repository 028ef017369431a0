import { describe, expect, it } from "vitest";
import { pushMerging, RelayBatcher, type RelayEvent } from "./relay-batcher";

const text = (delta: string): RelayEvent => ({ type: "subagent.text", data: { delta } });
const tool = (callId: string): RelayEvent => ({ type: "subagent.tool", data: { callId } });

/** A Grow Agent whose deliveries the test completes by hand. */
function harness(options: { failures?: number; attempts?: number } = {}) {
  const calls: Array<{ events: RelayEvent[]; batch: number; done(): void; fail(): void }> = [];
  const delivered: Array<{ events: RelayEvent[]; batch: number }> = [];
  const dropped: RelayEvent[][] = [];
  let failures = options.failures ?? 0;
  const batcher = new RelayBatcher({
    mergeType: "subagent.text",
    attempts: options.attempts,
    sleep: async () => {},
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

  it("gives a batch up after its attempts and goes on with the next", async () => {
    const { batcher, calls, dropped, delivered, settle } = harness({ failures: 2, attempts: 2 });
    batcher.add([text("lost")]);
    await settle();
    expect(dropped).toEqual([[text("lost")]]);
    batcher.add([text("next")]);
    calls.at(-1)?.done();
    await batcher.drain();
    expect(calls.map((c) => c.batch)).toEqual([1, 1, 2]);
    expect(delivered).toEqual([{ events: [text("next")], batch: 2 }]);
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
});
