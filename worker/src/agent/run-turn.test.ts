import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type DevModel, startDevModel } from "../../../dev/model/model-server";
import type { AgentEventType } from "./agent-events";
import { runTurn, type StoredMessage, type TurnDeps } from "./run-turn";
import { type ToolContext, ToolRegistry } from "./tool-registry";

/** The loop alone (no workerd, no database) against dev/model through the real SDK. */
describe("runTurn", () => {
  let model: DevModel;
  beforeAll(async () => {
    model = await startDevModel();
  });
  afterAll(() => model.close());

  function harness(options: { maxSteps?: number; tools?: ToolRegistry; controller?: AbortController } = {}) {
    const events: Array<{ type: AgentEventType; data: Record<string, unknown> }> = [];
    const saved: StoredMessage[] = [];
    const usage: number[] = [];
    const controller = options.controller ?? new AbortController();
    const deps: TurnDeps = {
      anthropic: new Anthropic({ apiKey: "test", baseURL: model.url, maxRetries: 0 }),
      settings: { model: "claude-test", maxSteps: options.maxSteps ?? 4, maxOutputTokens: 1024 },
      system: [{ type: "text", text: "You are a test." }],
      tools: options.tools ?? new ToolRegistry(),
      toolContext: { userId: "u", threadId: "t", signal: controller.signal } as ToolContext,
      emit: async (type, data) => {
        events.push({ type, data: data as Record<string, unknown> });
      },
      saveMessage: async (message) => {
        saved.push(message);
        return `m${saved.length}`;
      },
      recordUsage: async (step) => {
        usage.push(step);
      },
    };
    return { deps, events, saved, usage, controller };
  }
  const ask = (text: string): Anthropic.MessageParam[] => [{ role: "user", content: text }];
  const echo = new ToolRegistry().register({
    name: "echo",
    description: "Echoes",
    input: z.object({ say: z.string() }),
    run: async (_ctx, { say }) => ({ said: say }),
  });

  it("ends with stop reason step_limit when the model still wants tools", async () => {
    const h = harness({ maxSteps: 1, tools: echo });
    const outcome = await runTurn("turn", "msg", ask('go [[tool:echo {"say":"hi"}]]'), h.deps);
    expect(outcome).toEqual({ status: "completed", stopReason: "step_limit", steps: 1 });
    expect(h.events.map((e) => e.type)).toContain("tool.result");
    // The exchange is stored whole, so the next turn's history stays valid.
    expect(h.saved.map((m) => m.role)).toEqual(["assistant", "user"]);
  });

  it("records usage once per model call", async () => {
    const h = harness({ tools: echo });
    await runTurn("turn", "msg", ask('go [[tool:echo {"say":"hi"}]]'), h.deps);
    expect(h.usage).toEqual([1, 2]);
  });

  it("a usage write that fails fails the turn, and the reply stored beside it is stored once", async () => {
    const h = harness();
    h.deps.recordUsage = async () => {
      throw new Error("database away");
    };
    const outcome = await runTurn("turn", "msg", ask("hello [[words:5]]"), h.deps);
    expect(outcome.status).toBe("failed");
    expect(h.saved.map((m) => m.status)).toEqual(["complete"]);
    const types = h.events.map((e) => e.type);
    expect(types).not.toContain("usage");
    expect(types.slice(-2)).toEqual(["message.assistant", "turn.failed"]);
  });

  it("cancelled while a tool runs: the tool is told, results are stored as cancelled, the turn ends cancelled", async () => {
    const controller = new AbortController();
    const slow = new ToolRegistry().register({
      name: "wait",
      description: "Waits until cancelled",
      input: z.object({}),
      run: (ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("aborted")))),
    });
    const h = harness({ tools: slow, controller });
    const turn = runTurn("turn", "msg", ask("go [[tool:wait {}]]"), h.deps);
    setTimeout(() => controller.abort(), 200);
    expect(await turn).toEqual({ status: "cancelled" });
    expect(h.events.at(-1)?.type).toBe("turn.cancelled");
    expect(JSON.stringify(h.saved.at(-1)?.content)).toContain("Cancelled");
  });

  it("a model error without retries fails the turn with a stable code", async () => {
    const h = harness();
    const outcome = await runTurn("turn", "msg", ask("[[fail:529]] hi"), h.deps);
    expect(outcome).toMatchObject({ status: "failed", code: "model_overloaded" });
    expect(h.events.at(-1)).toMatchObject({ type: "turn.failed", data: { code: "model_overloaded" } });
  });
});
