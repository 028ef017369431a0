import { describe, expect, it } from "vitest";
import { TurnController, type TurnStart } from "./turn-controller";

/** A controller whose turns run until the test ends them. */
function harness(options: { crash?: boolean; arming?: Promise<void> } = {}) {
  const started: TurnStart[] = [];
  const endings = new Map<string, () => void>();
  const calls: string[] = [];
  const work: Promise<unknown>[] = [];
  const controller = new TurnController({
    run: (turn) => {
      started.push(turn);
      return new Promise<void>((resolve, reject) => {
        endings.set(turn.messageId, () => (options.crash ? reject(new Error("boom")) : resolve()));
        turn.signal.addEventListener("abort", () => resolve());
      });
    },
    crashed: async (turn) => {
      calls.push(`crashed ${turn.messageId}`);
    },
    keepAlive: (w) => work.push(w),
    scheduleTurnWatch: (ms) => {
      calls.push(`watch ${ms}`);
      return options.arming;
    },
    turnWatchMs: 30_000,
  });
  const end = async (messageId: string) => {
    endings.get(messageId)?.();
    // Other threads' turns may still run: wait for the finished one's wrap-up, not for all work.
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const send = (threadId: string, messageId: string) => {
    const queued = controller.enqueue(threadId, messageId);
    controller.startNext(threadId);
    return queued;
  };
  return { controller, started, calls, work, end, send };
}

describe("TurnController", () => {
  it("runs one turn at a time per thread, in order, and threads in parallel", async () => {
    const h = harness();
    expect(h.send("t", "a")).toBe(false);
    expect(h.send("t", "b")).toBe(true);
    expect(h.send("u", "c")).toBe(false);
    expect(h.started.map((s) => s.messageId)).toEqual(["a", "c"]);
    // Each started turn is kept alive past the action that started it.
    expect(h.work).toHaveLength(2);
    expect(h.controller.status("t")).toMatchObject({ queued: 1 });
    expect([...(h.started[0]?.waiting ?? [])]).toEqual([]);
    await h.end("a");
    expect(h.started.map((s) => s.messageId)).toEqual(["a", "c", "b"]);
    await h.end("b");
    expect(h.controller.status("t")).toEqual({ running: null, queued: 0 });
  });

  it("cancel aborts the running turn only; the queue goes on", async () => {
    const h = harness();
    h.send("t", "a");
    h.send("t", "b");
    expect(h.controller.cancel("t")).toEqual({ cancelled: true });
    expect(h.started[0]?.signal.aborted).toBe(true);
    await h.end("none");
    expect(h.started.map((s) => s.messageId)).toEqual(["a", "b"]);
    expect(h.started[1]?.signal.aborted).toBe(false);
    expect(h.controller.cancel("elsewhere")).toEqual({ cancelled: false });
  });

  it("a crashed turn is ended by `crashed`, then the next message runs", async () => {
    const h = harness({ crash: true });
    h.send("t", "a");
    h.send("t", "b");
    await h.end("a");
    expect(h.calls).toContain("crashed a");
    expect(h.started.map((s) => s.messageId)).toEqual(["a", "b"]);
  });

  it("knows what this instance took on, for recovery", async () => {
    const h = harness();
    h.send("t", "a");
    h.send("t", "b");
    const turnId = h.started[0]?.turnId ?? "";
    expect(h.controller.startedHere(turnId)).toBe(true);
    expect(h.controller.startedHere("other")).toBe(false);
    expect(h.controller.takenHere("t", "a")).toBe(true);
    expect(h.controller.takenHere("t", "b")).toBe(true);
    expect(h.controller.takenHere("t", "c")).toBe(false);
    expect(h.controller.isWaiting("t", "b")).toBe(true);
    expect(h.controller.isWaiting("t", "a")).toBe(false);
  });

  it("keeps one turn-watch alarm while turns run, and ignores an early alarm", () => {
    const h = harness();
    h.send("t", "a");
    h.send("u", "b");
    expect(h.calls).toEqual(["watch 30000"]);
    let reruns = 0;
    h.controller.watchFired({ unfinished: true, running: false, rerun: () => reruns++ });
    expect(reruns).toBe(0);
    expect(h.calls).toEqual(["watch 30000"]);
  });

  it("a due alarm reruns an unfinished recovery and sets the next one", () => {
    const h = harness();
    let reruns = 0;
    h.controller.watchFired({ unfinished: true, running: false, rerun: () => reruns++ });
    expect(reruns).toBe(1);
    expect(h.calls).toEqual(["watch 30000"]);
    h.controller.keepWatch();
    expect(h.calls).toEqual(["watch 30000"]);
  });

  it("replaces a reply only while nothing runs or waits, and a message sent meanwhile queues behind it", async () => {
    const h = harness();
    h.send("t", "a");
    expect(h.controller.replace("t", "a", { turnId: "old" })).toBeUndefined();
    await h.end("a");
    const turnId = h.controller.replace("t", "a", { turnId: "old", idempotencyKey: "k" });
    expect(turnId).toBeDefined();
    expect(h.started.at(-1)).toMatchObject({
      messageId: "a",
      turnId,
      replaces: { turnId: "old", idempotencyKey: "k" },
    });
    expect(h.controller.status("t")).toEqual({ running: turnId, queued: 0 });
    expect(h.send("t", "b")).toBe(true);
    expect(h.controller.replace("t", "b", { turnId: "x" })).toBeUndefined();
    await h.end("a");
    expect(h.started.at(-1)).toMatchObject({ messageId: "b" });
    expect(h.started.at(-1)?.replaces).toBeUndefined();
  });

  it("says when the turn-watch alarm asked for is set, so a message is acknowledged only after it", async () => {
    let setAlarm = () => {};
    const h = harness({ arming: new Promise<void>((resolve) => (setAlarm = resolve)) });
    h.send("t1", "m1");
    let armed = false;
    void h.controller.watchArmed().then(() => (armed = true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(armed).toBe(false);
    setAlarm();
    await h.controller.watchArmed();
    expect(h.calls).toContain("watch 30000");
  });
});
