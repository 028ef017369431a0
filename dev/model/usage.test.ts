import { describe, expect, it } from "vitest";
import type { MessagesRequest } from "./request";
import { inputUsage, measureInput, PromptCache } from "./usage";

const request = (extra: Partial<MessagesRequest> = {}): MessagesRequest => ({
  model: "m",
  max_tokens: 10,
  messages: [{ role: "user", content: "hello there" }],
  ...extra,
});
const system = (text: string, ttl?: "1h") => [
  { type: "text" as const, text, cache_control: { type: "ephemeral" as const, ...(ttl && { ttl }) } },
];

describe("usage", () => {
  it("counts about four characters a token, with nothing cached by default", () => {
    const usage = inputUsage(measureInput(request({ system: "s".repeat(40) })), new PromptCache());
    expect(usage).toEqual({
      input_tokens: Math.ceil((40 + "user: hello there".length) / 4),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    });
  });

  it("writes a cached prefix once, then reads it; a different prefix or model is a new write", () => {
    const cache = new PromptCache();
    const first = inputUsage(measureInput(request({ system: system("x".repeat(400)) })), cache);
    const again = inputUsage(
      measureInput(
        request({ system: system("x".repeat(400)), messages: [{ role: "user", content: "other" }] }),
      ),
      cache,
    );
    expect(first.cache_creation_input_tokens).toBe(100);
    expect(first.cache_creation.ephemeral_5m_input_tokens).toBe(100);
    expect(first.input_tokens).toBe(Math.ceil("user: hello there".length / 4));
    expect(again).toMatchObject({ cache_read_input_tokens: 100, cache_creation_input_tokens: 0 });
    expect(
      inputUsage(measureInput(request({ system: system("y".repeat(400)) })), cache)
        .cache_creation_input_tokens,
    ).toBe(100);
    expect(
      inputUsage(measureInput(request({ model: "n", system: system("x".repeat(400)) })), cache)
        .cache_creation_input_tokens,
    ).toBe(100);
  });

  it("puts the breakpoint on the last marked block (tools, system, messages order) and honours ttl", () => {
    const tools = [
      { name: "t", input_schema: { type: "object" as const }, cache_control: { type: "ephemeral" as const } },
    ];
    const toolsOnly = measureInput(request({ tools, system: "not cached" }));
    expect(toolsOnly.cached?.chars).toBe(
      JSON.stringify({ name: "t", input_schema: { type: "object" } }).length,
    );
    const withMessage = measureInput(
      request({
        system: system("s", "1h"),
        messages: [
          { role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] },
        ],
      }),
    );
    expect(withMessage.cached?.chars).toBe(withMessage.chars);
    expect(measureInput(request({ system: system("s", "1h") })).cached?.ttl).toBe("1h");
    expect(measureInput(request({ cache_control: { type: "ephemeral" } })).cached?.chars).toBe(
      measureInput(request()).chars,
    );
  });

  it("forgets the oldest prefixes beyond its limit", () => {
    const cache = new PromptCache(2);
    expect([
      cache.hitOrWrite("a"),
      cache.hitOrWrite("b"),
      cache.hitOrWrite("c"),
      cache.hitOrWrite("a"),
    ]).toEqual([false, false, false, false]);
    expect(cache.hitOrWrite("c")).toBe(true);
  });
});
