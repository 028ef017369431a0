import { describe, expect, it } from "vitest";
import { EventPipeline, type StoredEvent, ThreadGoneError, withoutNul } from "./event-pipeline";

function fakeLog(options: { failOnce?: boolean; delayMs?: number } = {}) {
  const seqs = new Map<string, number>();
  const batches: number[] = [];
  let fail = options.failOnce ?? false;
  return {
    batches,
    persist: async (threadId: string, batch: ReadonlyArray<{ type: string; data: unknown }>) => {
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 1));
      if (fail) {
        fail = false;
        throw new Error("database down");
      }
      if (threadId === "gone") return [];
      batches.push(batch.length);
      const start = seqs.get(threadId) ?? 0;
      seqs.set(threadId, start + batch.length);
      return batch.map((e, i) => ({
        threadId,
        seq: start + i + 1,
        type: e.type,
        data: e.data,
        at: new Date(),
      }));
    },
  };
}

describe("EventPipeline", () => {
  it("delivers only stored events, in seq order, batching what arrives during a write", async () => {
    const log = fakeLog({ delayMs: 5 });
    const delivered: StoredEvent[] = [];
    const pipeline = new EventPipeline({ persist: log.persist, deliver: (e) => delivered.push(e) });
    const stored = await Promise.all(
      Array.from({ length: 50 }, (_, i) => pipeline.emit("t", "text.delta", { i })),
    );

    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(delivered.map((e) => (e.data as { i: number }).i)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    // The first event goes alone; the other 49 arrived while it was written and go together.
    expect(log.batches).toEqual([1, 49]);
  });

  it("keeps threads independent", async () => {
    const log = fakeLog();
    const pipeline = new EventPipeline({ persist: log.persist, deliver: () => {} });
    const [a, b] = await Promise.all([pipeline.emit("a", "x", {}), pipeline.emit("b", "x", {})]);
    expect([a.seq, b.seq]).toEqual([1, 1]);
  });

  it("rejects the events of a failed write, delivers none of them, and carries on", async () => {
    const log = fakeLog({ failOnce: true });
    const delivered: StoredEvent[] = [];
    const pipeline = new EventPipeline({ persist: log.persist, deliver: (e) => delivered.push(e) });
    await expect(pipeline.emit("t", "x", {})).rejects.toThrow("database down");
    expect(delivered).toEqual([]);
    expect((await pipeline.emit("t", "y", {})).seq).toBe(1);
  });

  it("rejects events for a thread that no longer exists", async () => {
    const pipeline = new EventPipeline({ persist: fakeLog().persist, deliver: () => {} });
    await expect(pipeline.emit("gone", "x", {})).rejects.toBeInstanceOf(ThreadGoneError);
  });
});

describe("withoutNul", () => {
  it("drops U+0000 from every string, keys included, leaving the rest", () => {
    expect(withoutNul({ "a\u0000": ["x\u0000y", 1, null, { z: "\u0000" }] })).toEqual({
      a: ["xy", 1, null, { z: "" }],
    });
  });
});
