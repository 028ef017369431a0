import { describe, expect, it } from "vitest";
import { type CoalescedItem, TextCoalescer } from "./text-coalescer";

function harness(windowMs = 4) {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void }> = [];
  const sent: CoalescedItem[][] = [];
  const coalescer = new TextCoalescer({
    mergeType: "subagent.text",
    windowMs,
    send: (items) => sent.push(items),
    now: () => now,
    setTimer: (fn, ms) => timers.push({ at: now + ms, fn }),
  });
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.splice(0).filter((t) => t.at <= now)) timer.fn();
  };
  return { coalescer, sent, advance, timers };
}

const text = (delta: string): CoalescedItem => ({ type: "subagent.text", data: { delta } });

describe("TextCoalescer", () => {
  it("sends the first item after a quiet spell at once", () => {
    const { coalescer, sent } = harness();
    coalescer.add(text("Hello"));
    expect(sent).toEqual([[text("Hello")]]);
  });

  it("merges a burst into one event that keeps every character in order", () => {
    const { coalescer, sent, advance } = harness();
    coalescer.add(text("a"));
    for (const delta of ["b", "c", "d"]) coalescer.add(text(delta));
    expect(sent).toHaveLength(1);
    advance(4);
    expect(sent).toEqual([[text("a")], [text("bcd")]]);
  });

  it("never merges across another kind of event, so the order of tools and text holds", () => {
    const { coalescer, sent, advance } = harness();
    coalescer.add(text("x"));
    coalescer.add(text("1"));
    coalescer.add({ type: "subagent.tool", data: { callId: "c1", tool: "write", status: "running" } });
    coalescer.add(text("2"));
    coalescer.add(text("3"));
    advance(4);
    expect(sent[1]).toEqual([
      text("1"),
      { type: "subagent.tool", data: { callId: "c1", tool: "write", status: "running" } },
      text("23"),
    ]);
  });

  it("flush sends what waits without waiting for the window", () => {
    const { coalescer, sent } = harness();
    coalescer.add(text("a"));
    coalescer.add(text("b"));
    coalescer.flush();
    expect(sent).toEqual([[text("a")], [text("b")]]);
  });

  it("sends at once again once the stream has been quiet for the window", () => {
    const { coalescer, sent, advance } = harness();
    coalescer.add(text("a"));
    advance(10);
    coalescer.add(text("b"));
    expect(sent).toEqual([[text("a")], [text("b")]]);
  });
});
