import { afterEach, describe, expect, it, vi } from "vitest";
import { ev } from "../live/thread-event.fixture";
import { applyEvent, foldEvents } from "./chat-fold";
import { emptyChat, regenerableTurn, type ToolBlock, type TurnItem, type UserItem } from "./chat-model";
import { describeScheduleRun } from "./schedule-run-wording";
import { describeEnd } from "./turn-wording";

/** A whole turn: user message, start, deltas, usage, assistant message, end. */
function turnEvents(from: number, turnId: string, messageId: string, words: string[], queued = false) {
  let seq = from;
  const out = [
    ev(seq++, "message.user", { messageId, text: `say ${words.length}`, queued }),
    ev(seq++, "turn.started", { turnId, messageId, model: "m-1" }),
    ...words.map((w) => ev(seq++, "text.delta", { turnId, step: 1, index: 0, text: `${w} ` })),
    ev(seq++, "usage", {
      turnId,
      step: 1,
      model: "m-1",
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    }),
    ev(seq++, "message.assistant", { turnId, messageId: `${messageId}-a`, status: "complete" }),
    ev(seq++, "turn.completed", { turnId, stopReason: "end_turn", steps: 1 }),
  ];
  return out;
}

const textOf = (turn: TurnItem) =>
  turn.blocks
    .filter((b) => b.kind === "text")
    .map((b) => (b.kind === "text" ? b.text : ""))
    .join("");
describe("applyEvent / foldEvents", () => {
  it("folds a streamed turn into a user message and an assistant reply", () => {
    const chat = foldEvents(turnEvents(1, "t1", "m1", ["You", "said:", "hi"]));
    expect(chat.items.map((i) => i.kind)).toEqual(["user", "turn"]);
    const turn = chat.items[1] as TurnItem;
    expect(textOf(turn)).toBe("You said: hi ");
    expect(turn.status).toBe("completed");
    expect(turn.model).toBe("m-1");
    expect(turn.inputTokens).toBe(10);
    expect(turn.outputTokens).toBe(5);
    expect(chat.runningTurnId).toBeNull();
    expect(describeEnd(turn)).toBeNull();
  });

  it("shows a running turn while it streams", () => {
    const events = turnEvents(1, "t1", "m1", ["a", "b"]).slice(0, 3);
    const chat = foldEvents(events);
    expect(chat.runningTurnId).toBe("t1");
    expect((chat.items[1] as TurnItem).status).toBe("running");
    expect(textOf(chat.items[1] as TurnItem)).toBe("a ");
  });

  it("keeps separate text blocks per step and index, with tool cards between them", () => {
    const chat = foldEvents([
      ev(1, "message.user", { messageId: "m1", text: "list", queued: false }),
      ev(2, "turn.started", { turnId: "t1", messageId: "m1", model: "m" }),
      ev(3, "text.delta", { turnId: "t1", step: 1, index: 0, text: "Let me " }),
      ev(4, "text.delta", { turnId: "t1", step: 1, index: 0, text: "do that." }),
      ev(5, "tool.call", { turnId: "t1", step: 1, toolUseId: "tu1", name: "list_threads", input: { a: 1 } }),
      ev(6, "tool.result", {
        turnId: "t1",
        toolUseId: "tu1",
        name: "list_threads",
        isError: false,
        content: '{"threads":[]}',
      }),
      ev(7, "text.delta", { turnId: "t1", step: 2, index: 0, text: "Done." }),
      ev(8, "turn.completed", { turnId: "t1", stopReason: "end_turn", steps: 2 }),
    ]);
    const turn = chat.items[1] as TurnItem;
    expect(turn.blocks.map((b) => b.key)).toEqual(["1:0", "tool:tu1", "2:0"]);
    const tool = turn.blocks[1] as ToolBlock;
    expect(tool).toMatchObject({ name: "list_threads", input: { a: 1 } });
    expect(tool.result).toEqual({ content: '{"threads":[]}', isError: false });
  });

  it("marks a message sent during a turn as queued until its own turn starts", () => {
    const chat = emptyChat();
    const first = turnEvents(1, "t1", "m1", ["one", "two"]);
    // m2 arrives after the first delta, while t1 runs
    for (const e of first.slice(0, 3)) applyEvent(chat, e);
    applyEvent(chat, ev(100, "message.user", { messageId: "m2", text: "next", queued: true }));
    expect((chat.items[2] as UserItem).queued).toBe(true);
    for (const e of first.slice(3)) applyEvent(chat, e);
    expect((chat.items[2] as UserItem).queued).toBe(true);
    applyEvent(chat, ev(101, "turn.started", { turnId: "t2", messageId: "m2", model: "m-1" }));
    expect((chat.items[2] as UserItem).queued).toBe(false);
    expect(chat.items.map((i) => i.kind)).toEqual(["user", "turn", "user", "turn"]);
    expect(chat.runningTurnId).toBe("t2");
  });

  it("marks cancelled, interrupted and failed turns, with readable reasons", () => {
    const chat = foldEvents([
      ev(1, "message.user", { messageId: "m1", text: "a", queued: false }),
      ev(2, "turn.started", { turnId: "t1", messageId: "m1", model: "m" }),
      ev(3, "text.delta", { turnId: "t1", step: 1, index: 0, text: "partial" }),
      ev(4, "turn.cancelled", { turnId: "t1" }),
      ev(5, "message.user", { messageId: "m2", text: "b", queued: false }),
      ev(6, "turn.started", { turnId: "t2", messageId: "m2", model: "m" }),
      ev(7, "turn.interrupted", { turnId: "t2" }),
      ev(8, "message.user", { messageId: "m3", text: "c", queued: false }),
      ev(9, "turn.started", { turnId: "t3", messageId: "m3", model: "m" }),
      ev(10, "turn.failed", {
        turnId: "t3",
        code: "model_overloaded",
        message: "The model is overloaded; try again shortly",
        retryable: true,
      }),
    ]);
    const [t1, t2, t3] = chat.items.filter((i): i is TurnItem => i.kind === "turn");
    expect(t1?.status).toBe("cancelled");
    expect(textOf(t1 as TurnItem)).toBe("partial");
    expect(describeEnd(t1 as TurnItem)).toMatch(/cancelled/i);
    expect(t2?.status).toBe("interrupted");
    expect(describeEnd(t2 as TurnItem)).toMatch(/interrupted/i);
    expect(t3?.status).toBe("failed");
    expect(describeEnd(t3 as TurnItem)).toBe("The model is overloaded; try again shortly.");
    expect(chat.runningTurnId).toBeNull();
  });

  it("tolerates a log that starts mid-turn and repeats of the same message", () => {
    const chat = foldEvents([
      ev(7, "text.delta", { turnId: "tx", step: 1, index: 0, text: "tail" }),
      ev(8, "turn.completed", { turnId: "tx", stopReason: "end_turn", steps: 1 }),
      ev(9, "message.user", { messageId: "m9", text: "x", queued: false }),
      ev(10, "message.user", { messageId: "m9", text: "x", queued: false }),
      ev(11, "something.new", { any: 1 }),
    ]);
    expect(chat.items.map((i) => i.kind)).toEqual(["turn", "user"]);
    expect((chat.items[0] as TurnItem).status).toBe("completed");
  });

  it("folding in pieces equals folding at once", () => {
    const events = [...turnEvents(1, "t1", "m1", ["a", "b", "c"]), ...turnEvents(9, "t2", "m2", ["d"])];
    const whole = foldEvents(events);
    const pieces = emptyChat();
    for (let i = 0; i < events.length; i += 3) foldEvents(events.slice(i, i + 3), pieces);
    expect(pieces).toEqual(whole);
  });

  it("shows an agent notice (allowance used up) once, with its upgrade path", () => {
    const notice = ev(1, "agent.notice", {
      code: "allowance_exceeded",
      message: "You have used 210,000 of the 200,000 tokens. Upgrade to Pro at /billing.",
      upgradePath: "/billing",
    });
    const chat = foldEvents([notice, notice]);
    expect(chat.items).toEqual([
      expect.objectContaining({ kind: "notice", code: "allowance_exceeded", upgradePath: "/billing" }),
    ]);
    expect(chat.runningTurnId).toBeNull();
  });
});

describe("events the contract does not allow", () => {
  afterEach(() => vi.restoreAllMocks());

  it("skips an event whose data does not match its schema, with a warning, and folds the rest", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const chat = foldEvents([
      ev(1, "message.user", { messageId: "m1", text: "hi", queued: false }),
      ev(2, "turn.started", { turnId: "t1", messageId: "m1", model: "m" }),
      ev(3, "text.delta", { turnId: "t1", step: "one", index: 0, text: "lost" }),
      { ...ev(4, "text.delta"), data: null },
      ev(5, "text.delta", { turnId: "t1", step: 1, index: 0, text: "kept" }),
      ev(6, "turn.completed", { turnId: "t1", stopReason: "end_turn", steps: 1 }),
    ]);
    const turn = chat.items[1] as TurnItem;
    expect(textOf(turn)).toBe("kept");
    expect(turn.status).toBe("completed");
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/event 3 \(text\.delta\)/);
  });

  it("skips unknown event types without a warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(foldEvents([ev(1, "something.new", { any: 1 })]).items).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe("schedule runs", () => {
  const run = (seq: number, status: string, extra: Record<string, unknown> = {}) =>
    ev(seq, "schedule.run", {
      scheduleId: "s1",
      runId: `r${seq}`,
      slotAt: "2026-01-01T09:00:00.000Z",
      status,
      ...extra,
    });

  it("shows each run once, in the thread's order, with why a refused one failed", () => {
    const started = run(1, "started");
    const chat = foldEvents([
      started,
      ev(2, "message.user", { messageId: "m1", text: "daily summary", queued: false }),
      started,
      run(3, "failed", { code: "schedule_runs_exhausted", message: "The Free plan runs at most 3 a day." }),
      run(4, "skipped"),
    ]);
    expect(
      chat.items.map((item) => (item.kind === "schedule" ? `${item.kind}:${item.status}` : item.kind)),
    ).toEqual(["schedule:started", "user", "schedule:failed", "schedule:skipped"]);
    expect(chat.items[2]).toMatchObject({
      kind: "schedule",
      scheduleId: "s1",
      runId: "r3",
      slotAt: "2026-01-01T09:00:00.000Z",
      code: "schedule_runs_exhausted",
    });
    expect(chat.runningTurnId).toBeNull();
  });

  it("words a run for the thread: started, failed with its reason, skipped", () => {
    expect(describeScheduleRun({ status: "started", code: null, message: null })).toBe(
      "Scheduled run started",
    );
    expect(
      describeScheduleRun({
        status: "failed",
        code: "allowance_exceeded",
        message: "Your tokens are used up.",
      }),
    ).toBe("Scheduled run failed: Your tokens are used up.");
    expect(describeScheduleRun({ status: "failed", code: "allowance_exceeded", message: null })).toBe(
      "Scheduled run failed: allowance exceeded",
    );
    expect(describeScheduleRun({ status: "skipped", code: null, message: null })).toMatch(
      /^Scheduled run skipped: /,
    );
  });

  it("hides a regenerated reply and shows the new turn in its place; late events of the old one are skipped", () => {
    const chat = foldEvents([
      ...turnEvents(1, "t1", "m1", ["first"]),
      ...turnEvents(7, "t2", "m2", ["old", "reply"]),
      ev(14, "turn.superseded", { turnId: "t2", byTurnId: "t3", messageId: "m2" }),
      ev(15, "turn.started", { turnId: "t3", messageId: "m2", model: "m-1" }),
      ev(16, "text.delta", { turnId: "t3", step: 1, index: 0, text: "new reply" }),
      ev(17, "text.delta", { turnId: "t2", step: 1, index: 0, text: "late" }),
    ]);
    // A sub-agent of the old reply that still reports stays out of the new one.
    const withSubAgent = foldEvents([
      ...turnEvents(1, "t1", "m1", ["first"]),
      ev(7, "subagent.spawned", { subAgentId: "s1", task: "dig", turnId: "t1" }),
      ev(8, "turn.superseded", { turnId: "t1", byTurnId: "t2", messageId: "m1" }),
      ev(9, "turn.started", { turnId: "t2", messageId: "m1", model: "m-1" }),
      ev(10, "subagent.text", { subAgentId: "s1", delta: "late" }),
    ]);
    expect((withSubAgent.items[1] as TurnItem).blocks).toEqual([]);
    expect(chat.items.map((i) => `${i.kind}:${i.id}`)).toEqual(["user:m1", "turn:t1", "user:m2", "turn:t3"]);
    expect(chat.superseded).toEqual(["t2"]);
    expect(chat.runningTurnId).toBe("t3");
    expect(textOf(chat.items[3] as TurnItem)).toBe("new reply");
    applyEvent(chat, ev(18, "turn.completed", { turnId: "t3", stopReason: "end_turn", steps: 1 }));
    expect(chat.runningTurnId).toBeNull();
    // Folding the same log again (a reload) gives the same chat.
    const again = foldEvents([
      ...turnEvents(1, "t1", "m1", ["first"]),
      ...turnEvents(7, "t2", "m2", ["old", "reply"]),
      ev(14, "turn.superseded", { turnId: "t2", byTurnId: "t3", messageId: "m2" }),
    ]);
    expect(again.items.map((i) => i.id)).toEqual(["m1", "t1", "m2"]);
  });

  it("folds a regenerated turn whose start is logged before the replacement to the same chat", () => {
    const chat = foldEvents([
      ...turnEvents(1, "t1", "m1", ["first"]),
      ev(7, "subagent.spawned", { subAgentId: "s1", task: "dig", turnId: "t1" }),
      ev(8, "turn.started", { turnId: "t2", messageId: "m1", model: "m-1" }),
      ev(9, "turn.superseded", { turnId: "t1", byTurnId: "t2", messageId: "m1" }),
      ev(10, "subagent.text", { subAgentId: "s1", delta: "late" }),
      ev(11, "text.delta", { turnId: "t2", step: 1, index: 0, text: "new reply" }),
    ]);
    expect(chat.items.map((i) => `${i.kind}:${i.id}`)).toEqual(["user:m1", "turn:t2"]);
    expect(chat.runningTurnId).toBe("t2");
    expect(textOf(chat.items[1] as TurnItem)).toBe("new reply");
  });

  it("offers to regenerate only a last reply that started, while nothing runs", () => {
    const done = foldEvents(turnEvents(1, "t1", "m1", ["first"]));
    expect(regenerableTurn(done)).toBe("t1");
    expect(regenerableTurn(done, "t1")).toBeUndefined();
    const running = foldEvents([
      ...turnEvents(1, "t1", "m1", ["first"]),
      ev(7, "message.user", { messageId: "m2", text: "more", queued: false }),
      ev(8, "turn.started", { turnId: "t2", messageId: "m2", model: "m-1" }),
    ]);
    expect(regenerableTurn(running)).toBeUndefined();
    // Failed before its turn.started: the server has no reply of it to replace.
    const neverStarted = foldEvents([
      ev(1, "message.user", { messageId: "m1", text: "hi", queued: false }),
      ev(2, "turn.failed", {
        turnId: "t1",
        code: "turn_failed",
        message: "failed",
        retryable: true,
        messageId: "m1",
      }),
    ]);
    expect(neverStarted.items.at(-1)?.kind).toBe("turn");
    expect(regenerableTurn(neverStarted)).toBeUndefined();
  });
});
