import { describe, expect, it } from "vitest";
import type { StoredEvent } from "./event-pipeline";
import { EventShipper } from "./event-shipper";
import { LocalEventOutbox, type TextKv } from "./local-event-outbox";

const event = (threadId: string, seq: number): StoredEvent => ({
  threadId,
  seq,
  type: "text.delta",
  data: { seq },
  at: new Date(0),
});

function memoryKv(): TextKv & { keys(): string[] } {
  const map = new Map<string, string>();
  return {
    keys: () => [...map.keys()],
    putBatch: async (entries) => {
      for (const [k, v] of entries) map.set(k, v);
    },
    list: async (prefix) => [...map.entries()].filter(([k]) => k.startsWith(prefix)).sort(),
    deleteBatch: async (keys) => {
      for (const k of keys) map.delete(k);
    },
    get: async (key) => map.get(key) ?? null,
  };
}

describe("LocalEventOutbox", () => {
  it("keeps events per thread in seq order until removed, and remembers the last seq", async () => {
    const outbox = new LocalEventOutbox(memoryKv());
    await outbox.append([event("a", 9), event("a", 10)]);
    await outbox.append([event("b", 1)]);
    await outbox.append([event("a", 11)]);
    const pending = await outbox.pending();
    expect(pending.get("a")?.map((e) => e.seq)).toEqual([9, 10, 11]);
    expect(pending.get("a")?.[0]).toEqual(event("a", 9));
    expect(await outbox.lastSeq("a")).toBe(11);

    await outbox.remove(pending.get("a") ?? []);
    expect([...(await outbox.pending()).keys()]).toEqual(["b"]);
    expect(await outbox.lastSeq("a")).toBe(11);
    expect(await outbox.lastSeq("never")).toBeUndefined();
  });
});

describe("EventShipper", () => {
  function lingering() {
    const writes: number[][] = [];
    let endSleep = () => {};
    const shipper = new EventShipper({
      ship: async (_thread, events) => {
        writes.push(events.map((e) => e.seq));
        return "stored";
      },
      shipped: async () => {},
      linger: { types: new Set(["text.delta"]), ms: 50 },
      // The linger's window ends only when the test says so.
      sleep: () =>
        new Promise<void>((resolve) => {
          endSleep = resolve;
        }),
    });
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    return { shipper, writes, tick, endWindow: () => endSleep() };
  }

  it("lets a stream of deltas wait for its window and ships them in one write", async () => {
    const { shipper, writes, tick, endWindow } = lingering();
    shipper.enqueue("t", [event("t", 1)]);
    shipper.enqueue("t", [event("t", 2)]);
    await tick();
    expect(writes).toEqual([]);
    endWindow();
    await shipper.idle();
    expect(writes).toEqual([[1, 2]]);
  });

  it("ships at once, deltas before it included, when another kind of event arrives", async () => {
    const { shipper, writes, tick } = lingering();
    shipper.enqueue("t", [event("t", 1)]);
    await tick();
    shipper.enqueue("t", [{ ...event("t", 2), type: "turn.completed" }]);
    await shipper.idle();
    expect(writes).toEqual([[1, 2]]);
  });

  it("is idle for one thread while another thread's deltas still wait for their window", async () => {
    const { shipper, writes, tick, endWindow } = lingering();
    shipper.enqueue("busy", [event("busy", 1)]);
    shipper.enqueue("t", [{ ...event("t", 1), type: "turn.completed" }]);
    await shipper.idle("t");
    expect(writes).toEqual([[1]]);
    let allIdle = false;
    void shipper.idle().then(() => {
      allIdle = true;
    });
    await tick();
    expect(allIdle).toBe(false);
    endWindow();
    await shipper.idle();
    expect(writes).toEqual([[1], [1]]);
  });

  it("retries while the database is down and lands every event once, in order", async () => {
    const stored: number[] = [];
    let failures = 3;
    const retries: number[] = [];
    const shipper = new EventShipper({
      ship: async (_thread, events) => {
        if (failures-- > 0) throw new Error("database down");
        stored.push(...events.map((e) => e.seq));
        return "stored";
      },
      shipped: async () => {},
      onRetry: (_thread, attempt) => retries.push(attempt),
      sleep: async () => {},
    });
    shipper.enqueue("t", [event("t", 1), event("t", 2)]);
    shipper.enqueue("t", [event("t", 3)]);
    await shipper.idle();
    expect(stored).toEqual([1, 2, 3]);
    expect(retries).toEqual([1, 2, 3]);
  });

  it("drops the events of a deleted thread and reports it", async () => {
    const gone: string[] = [];
    const removed: number[] = [];
    const shipper = new EventShipper({
      ship: async () => "thread_gone",
      shipped: async (events) => {
        removed.push(...events.map((e) => e.seq));
      },
      onThreadGone: (threadId) => gone.push(threadId),
    });
    await shipper.enqueue("t", [event("t", 1), event("t", 2)]);
    expect(gone).toEqual(["t"]);
    expect(removed).toEqual([1, 2]);
  });

  it("backs off exponentially with a cap", async () => {
    const delays: number[] = [];
    let failures = 6;
    const shipper = new EventShipper({
      ship: async () => {
        if (failures-- > 0) throw new Error("down");
        return "stored";
      },
      shipped: async () => {},
      backoff: { baseMs: 100, maxMs: 1_000 },
      sleep: async (ms) => {
        delays.push(ms);
      },
      // Full jitter (platform/retry.ts): the highest draw shows each window.
      random: () => 0.999_999,
    });
    await shipper.enqueue("t", [event("t", 1)]);
    expect(delays).toEqual([99, 199, 399, 799, 999, 999]);
  });
});
