import { describe, expect, it } from "vitest";
import { ev } from "../live/thread-event.fixture";
import { applyEvent, foldEvents } from "./chat-fold";
import type { TurnItem } from "./chat-model";

describe("sub-agents", () => {
  const S = "sub-1";
  const subAgentRun = (from: number) => {
    let seq = from;
    return [
      ev(seq++, "message.user", { messageId: "m-s", text: "delegate: write it", queued: false }),
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
});
