import { describe, expect, it } from "vitest";
import {
  applyEvent,
  createEventLog,
  describeEnd,
  describeFailure,
  emptyChat,
  foldEvents,
  hasGap,
  mergeEvents,
  type ThreadEvent,
  type ToolBlock,
  type TurnItem,
  type UserItem,
} from "./thread-events";

const T = "thread-1";
let clock = 0;
const ev = (seq: number, type: string, data: Record<string, unknown> = {}): ThreadEvent => ({
  threadId: T,
  seq,
  type,
  data,
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
});

/** A whole turn: user message, start, deltas, usage, assistant message, end. */
function turnEvents(from: number, turnId: string, messageId: string, words: string[], queued = false) {
  let seq = from;
  const out = [
    ev(seq++, "message.user", { messageId, text: `say ${words.length}`, queued }),
    ev(seq++, "turn.started", { turnId, messageId, model: "m-1" }),
    ...words.map((w) => ev(seq++, "text.delta", { turnId, step: 1, index: 0, text: `${w} ` })),
    ev(seq++, "usage", { turnId, step: 1, model: "m-1", inputTokens: 10, outputTokens: 5 }),
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

describe("mergeEvents", () => {
  it("applies in-order events at once", () => {
    const log = createEventLog();
    const ready = mergeEvents(log, [ev(1, "a"), ev(2, "b"), ev(3, "c")]);
    expect(ready.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(log.lastSeq).toBe(3);
    expect(hasGap(log)).toBe(false);
  });

  it("drops anything at or below the last seq seen, and repeats", () => {
    const log = createEventLog(2);
    expect(mergeEvents(log, [ev(1, "a"), ev(2, "b")])).toEqual([]);
    expect(mergeEvents(log, [ev(3, "c"), ev(3, "c")]).map((e) => e.seq)).toEqual([3]);
    expect(mergeEvents(log, [ev(3, "c")])).toEqual([]);
  });

  it("holds events past a gap until the gap is filled, then releases all in order", () => {
    const log = createEventLog();
    expect(mergeEvents(log, [ev(1, "a")]).map((e) => e.seq)).toEqual([1]);
    // live events 4 and 5 arrive while 2 and 3 were missed (connection dropped)
    expect(mergeEvents(log, [ev(5, "e"), ev(4, "d")])).toEqual([]);
    expect(hasGap(log)).toBe(true);
    // the resume page (after=1) repeats 4 and 5
    const ready = mergeEvents(log, [ev(2, "b"), ev(3, "c"), ev(4, "d"), ev(5, "e")]);
    expect(ready.map((e) => e.seq)).toEqual([2, 3, 4, 5]);
    expect(hasGap(log)).toBe(false);
    expect(log.lastSeq).toBe(5);
  });

  it("a resume page that overlaps live events yields every seq exactly once", () => {
    const log = createEventLog();
    const seen: number[] = [];
    const all = Array.from({ length: 30 }, (_, i) => ev(i + 1, "x"));
    // history page 1..10, live 8..14 (overlap), drop, live 20..25 (gap), resume page 11..30
    seen.push(...mergeEvents(log, all.slice(0, 10)).map((e) => e.seq));
    seen.push(...mergeEvents(log, all.slice(7, 14)).map((e) => e.seq));
    seen.push(...mergeEvents(log, all.slice(19, 25)).map((e) => e.seq));
    expect(hasGap(log)).toBe(true);
    seen.push(...mergeEvents(log, all.slice(10)).map((e) => e.seq));
    expect(seen).toEqual(all.map((e) => e.seq));
  });

  it("ignores events without an integer seq", () => {
    const log = createEventLog();
    expect(mergeEvents(log, [{ ...ev(1, "a"), seq: Number.NaN }])).toEqual([]);
    expect(hasGap(log)).toBe(false);
  });
});

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

  it("never shows a raw payload as the failure text", () => {
    expect(describeFailure({ code: "model_overloaded", message: '{"type":"error"}', retryable: true })).toBe(
      "The model is overloaded right now; try again in a moment.",
    );
    expect(describeFailure({ code: "weird_thing", message: "", retryable: false })).toBe(
      "The reply failed (weird thing).",
    );
    expect(describeFailure({ code: "turn_failed", message: "It broke", retryable: true })).toBe(
      "It broke. You can try again.",
    );
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
});

describe("sub-agents and notices", () => {
  const S = "sub-1";
  const subAgentRun = (from: number) => {
    let seq = from;
    return [
      ev(seq++, "message.user", { messageId: "m-s", text: "delegate: write it" }),
      ev(seq++, "turn.started", { turnId: "t-s", messageId: "m-s", model: "m-1" }),
      ev(seq++, "tool.call", {
        turnId: "t-s",
        step: 1,
        toolUseId: "tu-1",
        name: "spawn_sub_agent",
        input: {},
      }),
      ev(seq++, "subagent.spawned", { subAgentId: S, task: "write it", turnId: "t-s" }),
      ev(seq++, "subagent.status", { subAgentId: S, status: "waking" }),
      ev(seq++, "subagent.status", { subAgentId: S, status: "running", opencodeSessionId: "ses" }),
      ev(seq++, "subagent.text", { subAgentId: S, delta: "Writing " }),
      ev(seq++, "subagent.tool", {
        subAgentId: S,
        callId: "c1",
        tool: "write",
        status: "running",
        input: { a: 1 },
      }),
      ev(seq++, "subagent.tool", {
        subAgentId: S,
        callId: "c1",
        tool: "write",
        status: "completed",
        output: "ok",
      }),
      ev(seq++, "subagent.file", { subAgentId: S, path: "/w/notes.txt" }),
      ev(seq++, "subagent.file", { subAgentId: S, path: "/w/notes.txt" }),
      ev(seq++, "subagent.text", { subAgentId: S, delta: "done." }),
    ];
  };

  it("folds a sub-agent's events into one card inside its turn", () => {
    const chat = foldEvents(subAgentRun(1));
    const turn = chat.items[1] as TurnItem;
    const card = turn.blocks.find((b) => b.kind === "subagent");
    expect(card).toMatchObject({
      subAgentId: S,
      task: "write it",
      status: "running",
      files: ["/w/notes.txt"],
      // Text before and after the tool call stays apart, in order.
      steps: [
        { kind: "text", text: "Writing " },
        { kind: "tool", callId: "c1", tool: "write", status: "completed", input: { a: 1 }, output: "ok" },
        { kind: "text", text: "done." },
      ],
    });
    applyEvent(chat, ev(13, "subagent.finished", { subAgentId: S, status: "completed", costUsd: 0.01 }));
    applyEvent(chat, ev(14, "subagent.status", { subAgentId: S, status: "running" }));
    expect(card).toMatchObject({ status: "completed", costUsd: 0.01, error: null });
  });

  it("keeps the failure reason of a sub-agent", () => {
    const chat = foldEvents(subAgentRun(1));
    applyEvent(
      chat,
      ev(13, "subagent.finished", { subAgentId: S, status: "failed", error: "sandbox down", costUsd: 0 }),
    );
    const card = (chat.items[1] as TurnItem).blocks.find((b) => b.kind === "subagent");
    expect(card).toMatchObject({ status: "failed", error: "sandbox down" });
  });

  it("puts events of a sub-agent whose spawn is missing into the running turn", () => {
    const chat = foldEvents([
      ev(1, "turn.started", { turnId: "t1", messageId: "m1", model: "m" }),
      ev(2, "subagent.text", { subAgentId: "x", delta: "hi" }),
    ]);
    expect((chat.items[0] as TurnItem).blocks).toMatchObject([
      { kind: "subagent", subAgentId: "x", steps: [{ kind: "text", text: "hi" }] },
    ]);
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
