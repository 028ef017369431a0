import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_TOOL_RESULT_CHARS, type ToolContext, ToolRegistry } from "./tool-registry";

const ctx = { userId: "u", threadId: "t", signal: new AbortController().signal } as ToolContext;

const registry = new ToolRegistry()
  .register({
    name: "add",
    description: "Adds two numbers",
    input: z.strictObject({ a: z.number(), b: z.number().describe("second") }),
    run: async (_ctx, { a, b }) => ({ sum: a + b }),
  })
  .register({
    name: "boom",
    description: "Fails",
    input: z.strictObject({}),
    run: async () => {
      throw new Error("it broke");
    },
  })
  .register({
    name: "huge",
    description: "Returns a lot",
    input: z.strictObject({}),
    run: async () => "x".repeat(MAX_TOOL_RESULT_CHARS * 2),
  });

describe("ToolRegistry", () => {
  it("turns zod schemas into Anthropic tool definitions", () => {
    const [add] = registry.definitions();
    expect(add).toMatchObject({
      name: "add",
      description: "Adds two numbers",
      input_schema: {
        type: "object",
        properties: { a: { type: "number" }, b: { type: "number", description: "second" } },
        required: ["a", "b"],
        additionalProperties: false,
      },
    });
  });

  it("runs a call with validated input", async () => {
    expect(await registry.execute(ctx, { id: "1", name: "add", input: { a: 2, b: 3 } })).toEqual({
      toolUseId: "1",
      name: "add",
      isError: false,
      content: '{"sum":5}',
    });
  });

  it("answers bad input, unknown tools and failures with an error result instead of throwing", async () => {
    const bad = await registry.execute(ctx, { id: "2", name: "add", input: { a: "2" } });
    expect(bad.isError).toBe(true);
    expect(bad.content).toMatch(/Invalid input/);
    expect((await registry.execute(ctx, { id: "3", name: "nope", input: {} })).content).toMatch(
      /Unknown tool/,
    );
    expect(await registry.execute(ctx, { id: "4", name: "boom", input: {} })).toMatchObject({
      isError: true,
      content: '{"error":"it broke"}',
    });
  });

  it("truncates oversized results", async () => {
    const result = await registry.execute(ctx, { id: "5", name: "huge", input: {} });
    expect(result.content.length).toBeLessThan(MAX_TOOL_RESULT_CHARS + 100);
    expect(result.content).toMatch(/truncated/);
  });

  it("refuses a second tool with the same name", () => {
    expect(() =>
      new ToolRegistry()
        .register({ name: "a", description: "", input: z.object({}), run: async () => 1 })
        .register({
          name: "a",
          description: "",
          input: z.object({}),
          run: async () => 2,
        }),
    ).toThrow(/twice/);
  });
});
