import { describe, expect, it } from "vitest";
import { MAX_TOOL_OUTPUT_CHARS, SessionEventMapper } from "./opencode-events";

const S = "ses_1";
const assistant = {
  type: "message.updated",
  properties: { sessionID: S, info: { id: "m2", role: "assistant", cost: 0.5 } },
};
const delta = (messageID: string, text: string) => ({
  type: "message.part.delta",
  properties: { sessionID: S, messageID, field: "text", delta: text },
});
const tool = (status: string, extra: Record<string, unknown> = {}) => ({
  type: "message.part.updated",
  properties: {
    sessionID: S,
    part: {
      type: "tool",
      tool: "write",
      callID: "c1",
      state: { status, input: { filePath: "a" }, ...extra },
    },
  },
});

describe("SessionEventMapper", () => {
  it("relays the assistant's text, not the user's own prompt streaming back", () => {
    const mapper = new SessionEventMapper(S);
    expect(mapper.map(delta("m1", "my task")).relay).toEqual([]);
    mapper.map(assistant);
    expect(mapper.map(delta("m2", "Hello")).relay).toEqual([
      { type: "subagent.text", data: { delta: "Hello" } },
    ]);
    expect(mapper.costUsd).toBe(0.5);
  });

  it("relays each tool state once, with the written file and a bounded output", () => {
    const mapper = new SessionEventMapper(S);
    expect(mapper.map(tool("pending")).relay).toEqual([]);
    expect(mapper.map(tool("running")).relay).toHaveLength(1);
    expect(mapper.map(tool("running")).relay).toEqual([]);
    const done = mapper.map(
      tool("completed", { output: "x".repeat(MAX_TOOL_OUTPUT_CHARS * 2), metadata: { filepath: "/ws/a" } }),
    ).relay;
    expect(done.map((e) => e.type)).toEqual(["subagent.tool", "subagent.file"]);
    expect(JSON.stringify(done[0]).length).toBeLessThan(MAX_TOOL_OUTPUT_CHARS + 200);
  });

  it("caps a huge tool input (a whole file) to a preview", () => {
    const mapper = new SessionEventMapper(S);
    const big = tool("running");
    (big.properties.part.state as Record<string, unknown>).input = { content: "y".repeat(100_000) };
    expect(JSON.stringify(mapper.map(big).relay).length).toBeLessThan(MAX_TOOL_OUTPUT_CHARS + 300);
  });

  it("finishes on idle only after the session was busy, and ignores other sessions", () => {
    const mapper = new SessionEventMapper(S);
    const status = (type: string, sessionID = S) => ({
      type: "session.status",
      properties: { sessionID, status: { type } },
    });
    expect(mapper.map(status("idle")).finished).toBe(false);
    mapper.map(status("busy"));
    expect(mapper.map(status("idle", "other")).finished).toBe(false);
    expect(mapper.map(status("idle")).finished).toBe(true);
  });

  it("keeps the latest token report of each assistant message for metering", () => {
    const mapper = new SessionEventMapper(S);
    const update = (output: number) => ({
      type: "message.updated",
      properties: {
        sessionID: S,
        info: {
          id: "m2",
          role: "assistant",
          modelID: "claude-x",
          tokens: { input: 10, output, reasoning: 2, cache: { read: 3, write: 4 } },
        },
      },
    });
    mapper.map(update(5));
    mapper.map(update(7));
    expect(mapper.usage).toEqual([
      {
        messageId: "m2",
        model: "claude-x",
        inputTokens: 10,
        outputTokens: 9,
        cacheReadTokens: 3,
        cacheWriteTokens: 4,
      },
    ]);
  });

  it("reports a session error", () => {
    const error = {
      type: "session.error",
      properties: { sessionID: S, error: { name: "APIError", data: { message: "boom" } } },
    };
    expect(new SessionEventMapper(S).map(error).error).toBe("boom");
  });
});
