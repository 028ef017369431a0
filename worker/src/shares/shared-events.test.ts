import { describe, expect, it } from "vitest";
import { sharedEvent } from "./shared-events";

const at = "2026-12-05T20:00:00.000Z";
const threadId = "019a8f7e-8c1a-7b3e-9f00-3c2d1e0f4a5b";
const event = (type: string, data: unknown, seq = 1) => ({ seq, threadId, type, at, data });

describe("what a share link shows of an event", () => {
  it("keeps the conversation", () => {
    const user = event("message.user", { messageId: "m1", text: "hello", queued: false });
    expect(sharedEvent(user)).toEqual(user);
    const delta = event("text.delta", { turnId: "t1", step: 0, index: 0, text: "hi" });
    expect(sharedEvent(delta)).toEqual(delta);
    // A regenerated reply replaces the old one on the link too.
    const superseded = event("turn.superseded", { turnId: "t1", byTurnId: "t2", messageId: "m1" });
    expect(sharedEvent(superseded)).toEqual(superseded);
  });

  it("drops tool inputs and results, which carry memory and the owner's other threads", () => {
    const call = event("tool.call", {
      turnId: "t1",
      step: 0,
      toolUseId: "u1",
      name: "commit_memory",
      input: { path: "notes/private.md", content: "secret" },
    });
    expect(sharedEvent(call)?.data).toEqual({
      turnId: "t1",
      step: 0,
      toolUseId: "u1",
      name: "commit_memory",
      input: {},
    });
    const result = event("tool.result", {
      turnId: "t1",
      toolUseId: "u1",
      name: "list_threads",
      isError: false,
      content: "other thread titles",
    });
    expect(JSON.stringify(sharedEvent(result))).not.toContain("other thread");
  });

  it("hides usage, the owner's plan notices, memory failures and anything not named", () => {
    const hidden = [
      event("usage", {
        turnId: "t1",
        step: 0,
        model: "m",
        inputTokens: 1,
        outputTokens: 1,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
      }),
      event("agent.notice", { code: "allowance_exceeded", message: "your plan", upgradePath: "/billing" }),
      event("memory.write_failed", { writeId: "w", path: "p", reason: "rejected", error: "e" }),
      event("subagent.file", { subAgentId: "s", path: "/workspace/x" }),
      event("something.new", { userId: "u", email: "a@b.c" }),
    ];
    for (const e of hidden) expect(sharedEvent(e)).toBeUndefined();
  });

  it("builds data from named fields only: extra fields and error texts never pass", () => {
    const failed = event("turn.failed", {
      turnId: "t1",
      code: "allowance_exceeded",
      message: "alice@example.com has used her plan",
      retryable: false,
      userId: "u1",
    });
    expect(sharedEvent(failed)?.data).toEqual({
      turnId: "t1",
      code: "allowance_exceeded",
      message: "",
      retryable: false,
    });
    const status = event("subagent.status", { subAgentId: "s", status: "running", opencodeSessionId: "ses" });
    expect(sharedEvent(status)?.data).toEqual({ subAgentId: "s", status: "running" });
    const finished = event("subagent.finished", {
      subAgentId: "s",
      status: "failed",
      error: "boom",
      costUsd: 3,
    });
    expect(sharedEvent(finished)?.data).toEqual({ subAgentId: "s", status: "failed", costUsd: 0 });
  });

  it("shows nothing of data that does not match its type", () => {
    expect(sharedEvent(event("message.user", { text: 1 }))).toBeUndefined();
    expect(sharedEvent(event("message.user", null))).toBeUndefined();
  });
});
