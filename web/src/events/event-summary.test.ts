import { describe, expect, it } from "vitest";
import type { ThreadEvent } from "../../../contract/events";
import { subAgentOf, summary } from "./event-summary";

const ev = (seq: number, type: string, data: unknown): ThreadEvent => ({
  threadId: "t",
  seq,
  type,
  data,
  at: "2026-01-01T00:00:00.000Z",
});

describe("event summary", () => {
  it("sums up each known event from its checked data", () => {
    expect(summary(ev(1, "message.user", { messageId: "m", text: "hi", queued: true }))).toBe(
      '(queued) "hi"',
    );
    expect(
      summary(
        ev(2, "tool.result", { turnId: "t", toolUseId: "u", name: "read", isError: false, content: "ok" }),
      ),
    ).toBe("read ok: ok");
    expect(
      summary(ev(3, "subagent.finished", { subAgentId: "s", status: "failed", error: "x", costUsd: 0 })),
    ).toBe("failed: x");
  });

  it("says nothing about unknown types or data that does not match", () => {
    expect(summary(ev(1, "something.new", { text: "hi" }))).toBe("");
    expect(summary(ev(2, "text.delta", { text: 42 }))).toBe("");
  });

  it("names the sub-agent of subagent.* events, with the task of its spawn", () => {
    expect(subAgentOf(ev(1, "subagent.spawned", { subAgentId: "s", task: "write", turnId: "t" }))).toEqual({
      id: "s",
      task: "write",
    });
    expect(subAgentOf(ev(2, "subagent.text", { subAgentId: "s", delta: "a" }))).toEqual({
      id: "s",
      task: "",
    });
    expect(subAgentOf(ev(3, "text.delta", { turnId: "t", step: 1, index: 0, text: "a" }))).toBeUndefined();
  });
});
