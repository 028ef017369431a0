import { describe, expect, it } from "vitest";
import {
  admit,
  cancelTarget,
  finish,
  isWaiting,
  NO_TURNS,
  nextWatchAt,
  planNext,
  planWatchAlarm,
  statusOf,
  type ThreadTurns,
  takenHere,
  type WatchState,
} from "./turn-queue";

const turns = (running: string | undefined, ...queue: string[]): ThreadTurns =>
  running === undefined ? { queue } : { running, queue };

describe("admit", () => {
  it.each([
    { name: "an idle thread starts it at once", before: turns(undefined), queued: false, queue: ["m"] },
    { name: "behind a running turn it waits", before: turns("t1"), queued: true, queue: ["m"] },
    {
      name: "behind waiting messages it waits, even with no turn running (between an end and the next start)",
      before: turns(undefined, "a"),
      queued: true,
      queue: ["a", "m"],
    },
    {
      name: "behind a turn and a queue it goes last",
      before: turns("t1", "a", "b"),
      queued: true,
      queue: ["a", "b", "m"],
    },
  ])("$name", ({ before, queued, queue }) => {
    const result = admit(before, "m");
    expect(result.queued).toBe(queued);
    expect(result.turns.queue).toEqual(queue);
    expect(result.turns.running).toBe(before.running);
  });

  it("leaves the state it was given alone", () => {
    const before = turns("t1", "a");
    admit(before, "m");
    expect(before).toEqual(turns("t1", "a"));
  });
});

describe("planNext", () => {
  it.each([
    { name: "a running turn blocks the queue", before: turns("t1", "a"), expected: { kind: "busy" } },
    { name: "a running turn with nothing waiting", before: turns("t1"), expected: { kind: "busy" } },
    { name: "nothing running or waiting: the thread is idle", before: NO_TURNS, expected: { kind: "idle" } },
  ])("$name", ({ before, expected }) => {
    expect(planNext(before, "new")).toEqual(expected);
  });

  it.each([
    { name: "one waiting message starts with nothing behind it", before: turns(undefined, "a"), waiting: [] },
    {
      name: "the oldest starts first; the rest stay hidden from its history",
      before: turns(undefined, "a", "b", "c"),
      waiting: ["b", "c"],
    },
  ])("$name", ({ before, waiting }) => {
    const next = planNext(before, "new");
    expect(next).toMatchObject({ kind: "start", messageId: "a", turnId: "new" });
    if (next.kind !== "start") return;
    expect([...next.waiting]).toEqual(waiting);
    expect(next.turns).toEqual({ running: "new", queue: waiting });
  });

  it("runs a queue in order, one turn at a time", () => {
    let state = admit(NO_TURNS, "a").turns;
    state = admit(state, "b").turns;
    const started: string[] = [];
    for (let i = 1; ; i++) {
      const next = planNext(state, `t${i}`);
      if (next.kind === "idle") break;
      expect(next.kind).toBe("start");
      if (next.kind !== "start") return;
      started.push(next.messageId);
      expect(planNext(next.turns, "other").kind).toBe("busy");
      state = finish(next.turns, next.turnId);
    }
    expect(started).toEqual(["a", "b"]);
    expect(state).toEqual(NO_TURNS);
  });
});

describe("finish", () => {
  it.each([
    {
      name: "the running turn ends; the queue stays",
      before: turns("t1", "a"),
      turnId: "t1",
      after: turns(undefined, "a"),
    },
    {
      name: "the running turn ends with nothing waiting",
      before: turns("t1"),
      turnId: "t1",
      after: NO_TURNS,
    },
    {
      name: "another turn's end changes nothing",
      before: turns("t2", "a"),
      turnId: "t1",
      after: turns("t2", "a"),
    },
    {
      name: "an idle thread stays idle",
      before: turns(undefined, "a"),
      turnId: "t1",
      after: turns(undefined, "a"),
    },
  ])("$name", ({ before, turnId, after }) => {
    expect(finish(before, turnId)).toEqual(after);
  });
});

describe("cancel, status and queue membership", () => {
  it.each([
    {
      name: "cancel stops the running turn, not the queue",
      before: turns("t1", "a", "b"),
      target: "t1",
      status: { running: "t1", queued: 2 },
    },
    {
      name: "nothing to cancel in an idle thread",
      before: NO_TURNS,
      target: undefined,
      status: { running: null, queued: 0 },
    },
    {
      name: "waiting messages are not a running turn",
      before: turns(undefined, "a"),
      target: undefined,
      status: { running: null, queued: 1 },
    },
  ])("$name", ({ before, target, status }) => {
    expect(cancelTarget(before)).toBe(target);
    expect(statusOf(before)).toEqual(status);
  });

  it("after a cancel the turn's end starts the next waiting message", () => {
    const next = planNext(finish(turns("t1", "a"), "t1"), "t2");
    expect(next).toMatchObject({ kind: "start", messageId: "a", turnId: "t2" });
  });

  it.each([
    { messageId: "a", before: turns("t1", "a"), waiting: true },
    { messageId: "m", before: turns("t1", "a"), waiting: false },
    { messageId: "a", before: NO_TURNS, waiting: false },
  ])("isWaiting($messageId) in $before.queue is $waiting", ({ messageId, before, waiting }) => {
    expect(isWaiting(before, messageId)).toBe(waiting);
  });
});

describe("takenHere (what recovery leaves alone)", () => {
  it.each([
    { name: "a message this instance answered", answered: ["a"], before: NO_TURNS, taken: true },
    { name: "a message waiting here", answered: [], before: turns("t1", "a"), taken: true },
    {
      name: "a message only the log knows: recovery answers it",
      answered: ["b"],
      before: turns("t1", "c"),
      taken: false,
    },
  ])("$name", ({ answered, before, taken }) => {
    expect(takenHere(before, new Set(answered), "a")).toBe(taken);
  });
});

describe("planWatchAlarm", () => {
  const NOW = 1_000_000;
  const state = (overrides: Partial<WatchState>): WatchState => ({
    now: NOW,
    watchAt: NOW,
    anyRunning: false,
    recoveryUnfinished: false,
    recovering: false,
    ...overrides,
  });

  it.each([
    {
      name: "an alarm well before ours is stale: ignored",
      s: state({ watchAt: NOW + 60_000, anyRunning: true }),
      plan: { kind: "ignore" },
    },
    {
      name: "a client's early call is ignored too",
      s: state({ watchAt: NOW + 1_001, recoveryUnfinished: true }),
      plan: { kind: "ignore" },
    },
    {
      name: "up to a second early counts as due",
      s: state({ watchAt: NOW + 1_000, anyRunning: true }),
      plan: { kind: "fired", rerunRecovery: false, rearm: true },
    },
    {
      name: "a turn still runs: the watch continues",
      s: state({ anyRunning: true }),
      plan: { kind: "fired", rerunRecovery: false, rearm: true },
    },
    {
      name: "nothing runs: the chain of alarms ends",
      s: state({}),
      plan: { kind: "fired", rerunRecovery: false, rearm: false },
    },
    {
      name: "no alarm pending from this instance (after a restart): due",
      s: state({ watchAt: 0 }),
      plan: { kind: "fired", rerunRecovery: false, rearm: false },
    },
    {
      name: "an unfinished recovery runs again and keeps the watch",
      s: state({ recoveryUnfinished: true }),
      plan: { kind: "fired", rerunRecovery: true, rearm: true },
    },
    {
      name: "not while a recovery runs, but the watch stays",
      s: state({ recoveryUnfinished: true, recovering: true }),
      plan: { kind: "fired", rerunRecovery: false, rearm: true },
    },
    {
      name: "a recovery running after a success needs no alarm",
      s: state({ recovering: true }),
      plan: { kind: "fired", rerunRecovery: false, rearm: false },
    },
  ])("$name", ({ s, plan }) => {
    expect(planWatchAlarm(s)).toEqual(plan);
  });
});

describe("nextWatchAt", () => {
  it.each([
    { name: "none pending: set one a watch period ahead", watchAt: 0, expected: 1_030_000 },
    { name: "one pending: keep it (one chain of alarms)", watchAt: 1_000_001, expected: undefined },
    { name: "the pending one is due now: set the next", watchAt: 1_000_000, expected: 1_030_000 },
    { name: "the pending one is overdue: set the next", watchAt: 900_000, expected: 1_030_000 },
  ])("$name", ({ watchAt, expected }) => {
    expect(nextWatchAt(watchAt, 1_000_000, 30_000)).toBe(expected);
  });
});
