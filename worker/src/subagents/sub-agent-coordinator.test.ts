import { describe, expect, it } from "vitest";
import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import { SubAgentCoordinator } from "./sub-agent-coordinator";

function coordinator() {
  const logged: Array<{ threadId: string; type: string; data: unknown }> = [];
  const quiet = { warn() {}, error() {}, info() {}, debug() {} } as unknown as Logger;
  const subAgents = new SubAgentCoordinator({
    db: () => ({}) as Database,
    userId: "user-1",
    actors: { start: async () => {}, cancel: async () => {} },
    emit: async (threadId, type, data) => {
      logged.push({ threadId, type, data });
    },
    maxParallel: async () => 1,
    timeoutMs: 1_000,
    log: quiet,
  });
  return { subAgents, logged };
}

const text = (delta: string) => ({ type: "subagent.text", data: { delta } });

describe("SubAgentCoordinator.relay", () => {
  it("logs a sub-agent's events on its thread in order, tagged with the sub-agent", () => {
    const { subAgents, logged } = coordinator();
    subAgents.relay("thread-1", "sa-1", [text("Hel"), { type: "subagent.file", data: { path: "a.txt" } }], 1);
    subAgents.relay("thread-1", "sa-1", [text("lo")], 2);
    expect(logged).toEqual([
      { threadId: "thread-1", type: "subagent.text", data: { delta: "Hel", subAgentId: "sa-1" } },
      { threadId: "thread-1", type: "subagent.file", data: { path: "a.txt", subAgentId: "sa-1" } },
      { threadId: "thread-1", type: "subagent.text", data: { delta: "lo", subAgentId: "sa-1" } },
    ]);
  });

  it("skips a batch number it already logged (a retried delivery) and keeps other sub-agents apart", () => {
    const { subAgents, logged } = coordinator();
    subAgents.relay("thread-1", "sa-1", [text("a")], 1);
    subAgents.relay("thread-1", "sa-1", [text("a")], 1);
    subAgents.relay("thread-1", "sa-2", [text("b")], 1);
    expect(logged.map((e) => (e.data as { delta: string }).delta)).toEqual(["a", "b"]);
  });

  it("logs only sub-agent event types with object data, never a forged subAgentId", () => {
    const { subAgents, logged } = coordinator();
    const junk = [
      { type: "turn.completed", data: {} },
      { type: "subagent.text", data: "not an object" },
      null,
      { type: "subagent.status", data: { status: "running", subAgentId: "someone-else" } },
    ] as never;
    subAgents.relay("thread-1", "sa-1", junk, 1);
    expect(logged).toEqual([
      { threadId: "thread-1", type: "subagent.status", data: { status: "running", subAgentId: "sa-1" } },
    ]);
  });

  it("logs nothing a sub-agent sends after its end was logged", async () => {
    const { subAgents, logged } = coordinator();
    await subAgents.finished("thread-1", "sa-1", { status: "completed", costUsd: 0 });
    subAgents.relay("thread-1", "sa-1", [text("late")], 1);
    expect(logged.map((e) => e.type)).toEqual(["subagent.finished"]);
  });
});
