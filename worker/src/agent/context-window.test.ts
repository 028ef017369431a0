import type Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { selectContext } from "./context-window";

type M = Anthropic.MessageParam;
const user = (text: string): M => ({ role: "user", content: [{ type: "text", text }] });
const assistant = (text: string): M => ({ role: "assistant", content: [{ type: "text", text }] });
const toolCall = (id: string): M => ({
  role: "assistant",
  content: [
    { type: "text", text: "calling" },
    { type: "tool_use", id, name: "list_threads", input: {} },
  ],
});
const toolResult = (id: string): M => ({
  role: "user",
  content: [{ type: "tool_result", tool_use_id: id, content: "[]" }],
});

describe("selectContext", () => {
  it("keeps the whole conversation when it fits", () => {
    const history = [user("a"), toolCall("t1"), toolResult("t1"), assistant("b"), user("c")];
    expect(selectContext(history, 10_000)).toEqual(history);
  });

  it("keeps the most recent messages within the budget and starts at a plain user message", () => {
    const long = "x".repeat(4_000); // ~1000 tokens
    const history = [
      user(long),
      assistant(long),
      user("q"),
      toolCall("t1"),
      toolResult("t1"),
      assistant("done"),
      user("next"),
    ];
    const window = selectContext(history, 1_100);
    expect(window[0]).toEqual(user("q"));
    expect(window.at(-1)).toEqual(user("next"));
  });

  it("never starts with a tool result cut from its call", () => {
    const history = [user("q"), toolCall("t1"), toolResult("t1"), assistant("x".repeat(400)), user("next")];
    const window = selectContext(history, 150);
    expect(window[0]?.role).toBe("user");
    expect(JSON.stringify(window[0])).not.toContain("tool_result");
  });

  it("always keeps the newest message even if it alone exceeds the budget", () => {
    expect(selectContext([user("old"), user("y".repeat(10_000))], 10)).toHaveLength(1);
  });

  it("drops a tool call whose result never came (cancelled or interrupted turn) and an orphan result", () => {
    const history = [user("q"), toolCall("t1"), user("again"), toolResult("t9"), assistant("ok")];
    const window = selectContext(history, 10_000);
    expect(JSON.stringify(window)).not.toContain("tool_use");
    expect(JSON.stringify(window)).not.toContain("tool_result");
    expect(window).toEqual([user("q"), assistant("calling"), user("again"), assistant("ok")]);
  });

  it("drops empty text left by a turn cancelled before its first token", () => {
    expect(selectContext([user("q"), assistant(""), user("r")], 1_000)).toEqual([user("q"), user("r")]);
  });
});
