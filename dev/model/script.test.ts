import { describe, expect, it } from "vitest";
import { readDirectives } from "./directives";
import type { MessagesRequest } from "./request";
import { MARKDOWN_REPLY, type Plan, planReply, type ReplyPlan, type ScriptContext } from "./script";

const tools = (...names: string[]) =>
  names.map((name) => ({ name, input_schema: { type: "object" as const } }));
const request = (content: string, extra: Partial<MessagesRequest> = {}): MessagesRequest => ({
  model: "m",
  max_tokens: 1000,
  messages: [{ role: "user", content }],
  ...extra,
});

function context(failures: Record<string, number> = {}): ScriptContext {
  let next = 0;
  return { failuresSoFar: (key) => failures[key] ?? 0, newToolUseId: () => `toolu_${++next}` };
}

function reply(plan: Plan): ReplyPlan {
  if (plan.kind !== "reply") throw new Error(`expected a reply, got ${plan.status}`);
  return plan;
}

describe("readDirectives", () => {
  it("parses every directive, case-insensitively, and strips them from the rest", () => {
    const found = readDirectives(
      'Hi [[FAIL:429 times=2 id=n1 retry-after=3]] [[fail-midstream]] [[Slow:25]] [[words:7]] [[tool:a {"x":"]]"}]] [[tool:b]] there',
    );
    expect(found).toEqual({
      fail: { status: 429, times: 2, key: "n1", retryAfterSeconds: 3 },
      failMidstream: true,
      markdown: false,
      slowMs: 25,
      words: 7,
      tools: [
        { name: "a", input: { x: "]]" } },
        { name: "b", input: {} },
      ],
      rest: "Hi there",
    });
  });

  it("keys a fail directive without id by its text, and keeps unknown [[…]] in the text", () => {
    const found = readDirectives("[[fail:500]] keep [[this]]");
    expect(found.fail).toEqual({ status: 500, key: "[[fail:500]]" });
    expect(found.rest).toBe("keep [[this]]");
  });

  it("marks a tool directive whose input is not a JSON object", () => {
    expect(readDirectives("[[tool:a [1,2]]]").tools).toEqual([{ name: "a", invalid: "[1,2]" }]);
  });
});

describe("planReply", () => {
  it("echoes the last user message without directives", () => {
    const plan = reply(planReply(request("Hello   there [[slow:10]]"), context()));
    expect(plan.content).toEqual([{ type: "text", text: "You said: Hello there" }]);
    expect(plan).toMatchObject({
      stopReason: "end_turn",
      stopSequence: null,
      slowMs: 10,
      failMidstream: false,
    });
    expect(plan.outputTokens).toBe(Math.ceil("You said: Hello there".length / 4));
  });

  it("uses the text of the last user message only", () => {
    const plan = reply(
      planReply(
        {
          ...request("first"),
          messages: [
            { role: "user", content: "first" },
            { role: "assistant", content: "ok" },
            { role: "user", content: [{ type: "text", text: "second" }] },
          ],
        },
        context(),
      ),
    );
    expect(plan.content).toEqual([{ type: "text", text: "You said: second" }]);
  });

  it("fails `times` times per key, then answers", () => {
    const prompt = "go [[fail:429 times=2 id=k]]";
    expect(planReply(request(prompt), context({ k: 1 }))).toEqual({
      kind: "error",
      status: 429,
      errorType: "rate_limit_error",
      message: expect.any(String),
      retryAfterSeconds: 0,
      failureKey: "k",
    });
    expect(reply(planReply(request(prompt), context({ k: 2 }))).content).toEqual([
      { type: "text", text: "You said: go" },
    ]);
    expect(planReply(request("[[fail:529]]"), context({ "[[fail:529]]": 99 }))).toMatchObject({
      kind: "error",
      errorType: "overloaded_error",
    });
    expect(planReply(request("[[fail:400 times=1]]"), context())).toMatchObject({
      errorType: "invalid_request_error",
    });
    expect(planReply(request("[[fail:500 times=1]]"), context())).not.toHaveProperty("retryAfterSeconds");
  });

  it("answers [[markdown]] with a heading, a list, a table and a ts code block, newlines kept", () => {
    const plan = reply(planReply(request("Show me [[Markdown]]"), context()));
    expect(plan.content).toEqual([{ type: "text", text: MARKDOWN_REPLY }]);
    expect(MARKDOWN_REPLY).toMatch(/^## /m);
    expect(MARKDOWN_REPLY).toMatch(/^\| --- \| --- \|$/m);
    expect(MARKDOWN_REPLY).toMatch(/^```ts\n[\s\S]*\n```$/m);
    expect(plan.stopReason).toBe("end_turn");
  });

  it("writes n words for [[words:n]]", () => {
    const plan = reply(planReply(request("[[words:12]]"), context()));
    const [block] = plan.content;
    expect(block?.type === "text" && block.text.split(" ")).toHaveLength(12);
  });

  it("calls offered tools from directives, preceded by a short text", () => {
    const plan = reply(
      planReply(
        request('[[tool:read_memory {"path":"a.md"}]] [[tool:list_threads]]', {
          tools: tools("read_memory", "list_threads"),
        }),
        context(),
      ),
    );
    expect(plan.stopReason).toBe("tool_use");
    expect(plan.content).toEqual([
      { type: "text", text: "Let me do that." },
      { type: "tool_use", id: "toolu_1", name: "read_memory", input: { path: "a.md" } },
      { type: "tool_use", id: "toolu_2", name: "list_threads", input: {} },
    ]);
  });

  it("calls one tool when parallel tool use is disabled", () => {
    const plan = reply(
      planReply(
        request("[[tool:a]] [[tool:b]]", {
          tools: tools("a", "b"),
          tool_choice: { type: "auto", disable_parallel_tool_use: true },
        }),
        context(),
      ),
    );
    expect(plan.content.filter((b) => b.type === "tool_use")).toHaveLength(1);
  });

  it("says a tool is unavailable when the request does not offer it, or tool_choice is none", () => {
    for (const extra of [{}, { tools: tools("a"), tool_choice: { type: "none" as const } }]) {
      const plan = reply(planReply(request("[[tool:a]]", extra), context()));
      expect(plan.stopReason).toBe("end_turn");
      expect(plan.content).toEqual([
        { type: "text", text: "The tool a is unavailable in this conversation." },
      ]);
    }
  });

  it("leaves a directive for a tool it does not offer to whoever does: delegation keeps it in the task", () => {
    const prompt = 'delegate: [[tool:write {"filePath":"a.txt","content":"hi"}]]';
    const plan = reply(planReply(request(prompt, { tools: tools("spawn_sub_agent") }), context()));
    expect(plan.content.find((b) => b.type === "tool_use")).toMatchObject({
      name: "spawn_sub_agent",
      input: { task: prompt },
    });
    const inner = reply(planReply(request(prompt, { tools: tools("write", "bash") }), context()));
    expect(inner.content.find((b) => b.type === "tool_use")).toMatchObject({
      name: "write",
      input: { filePath: "a.txt", content: "hi" },
    });
  });

  it.each([
    [
      "remember my cat is called Tom",
      "commit_memory",
      {
        path: "notes/my-cat-is-called-tom.md",
        content: "my cat is called Tom",
        message: "Remember: my cat is called Tom",
      },
    ],
    ["What do you remember about my cat?", "list_memory", { prefix: "" }],
    ["Please list my threads", "list_threads", {}],
    ["what is the stack status?", "get_stack_status", {}],
    ["delegate: build a website", "spawn_sub_agent", { task: "delegate: build a website" }],
  ])("understands %j", (prompt, name, input) => {
    const offered = tools(
      "commit_memory",
      "list_memory",
      "read_memory",
      "list_threads",
      "get_stack_status",
      "spawn_sub_agent",
    );
    const plan = reply(planReply(request(prompt, { tools: offered }), context()));
    expect(plan.content[1]).toEqual({ type: "tool_use", id: "toolu_1", name, input });
  });

  it("reads memory by path when only read_memory is offered, and echoes when no tool fits", () => {
    const plan = reply(
      planReply(request("what do you remember about tea", { tools: tools("read_memory") }), context()),
    );
    expect(plan.content[1]).toMatchObject({ name: "read_memory", input: { path: "notes/tea.md" } });
    expect(reply(planReply(request("remember tea"), context())).content).toEqual([
      { type: "text", text: "You said: remember tea" },
    ]);
  });

  it("summarises tool results in the follow-up step, keeping the slow directive", () => {
    const plan = reply(
      planReply(
        {
          ...request(""),
          tools: tools("list_threads", "read_memory"),
          messages: [
            { role: "user", content: "[[slow:5]] [[tool:list_threads]] [[tool:read_memory {}]]" },
            {
              role: "assistant",
              content: [
                { type: "tool_use", id: "t1", name: "list_threads", input: {} },
                { type: "tool_use", id: "t2", name: "read_memory", input: {} },
              ],
            },
            {
              role: "user",
              content: [
                {
                  type: "tool_result",
                  tool_use_id: "t1",
                  content: [{ type: "text", text: "x".repeat(300) }],
                },
                { type: "tool_result", tool_use_id: "t2", content: "not found", is_error: true },
              ],
            },
          ],
        },
        context(),
      ),
    );
    expect(plan.content).toEqual([
      {
        type: "text",
        text: `Done. list_threads returned: ${"x".repeat(200)}\nread_memory failed: not found`,
      },
    ]);
    expect(plan).toMatchObject({ stopReason: "end_turn", slowMs: 5 });
  });

  it("truncates at max_tokens, dropping tool calls that do not fit", () => {
    const long = reply(planReply(request("[[words:100]]", { max_tokens: 5 }), context()));
    expect(long).toMatchObject({ stopReason: "max_tokens", outputTokens: 5 });
    const tool = reply(
      planReply(
        request(`[[tool:a {"big":"${"y".repeat(100)}"}]]`, { max_tokens: 10, tools: tools("a") }),
        context(),
      ),
    );
    expect(tool.stopReason).toBe("max_tokens");
    expect(tool.content).toEqual([{ type: "text", text: "Let me do that." }]);
  });

  it("stops at the earliest stop sequence", () => {
    const plan = reply(
      planReply(request("alpha beta gamma", { stop_sequences: ["gamma", "beta"] }), context()),
    );
    expect(plan).toMatchObject({ stopReason: "stop_sequence", stopSequence: "beta" });
    expect(plan.content).toEqual([{ type: "text", text: "You said: alpha " }]);
  });
});
