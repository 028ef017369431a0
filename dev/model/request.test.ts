import { describe, expect, it } from "vitest";
import { parseMessagesRequest } from "./request";

const base = { model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
const tools = [{ name: "t", input_schema: { type: "object" } }];
const problem = (body: unknown) => {
  const parsed = parseMessagesRequest(body);
  return parsed.ok ? undefined : parsed.message;
};

describe("parseMessagesRequest", () => {
  it("accepts the Grow Agent's shapes, including SDK response blocks sent back as history", () => {
    const parsed = parseMessagesRequest({
      ...base,
      system: [{ type: "text", text: "sys", cache_control: { type: "ephemeral", ttl: "1h" } }],
      tools,
      tool_choice: { type: "auto" },
      stream: true,
      temperature: 0.5,
      metadata: { user_id: "u1" },
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "hi" },
            { type: "image", source: { type: "base64" } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "text", text: "ok", citations: null },
            { type: "tool_use", id: "x", name: "t", input: {}, caller: { type: "direct" } },
          ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "x", content: "done" }] },
      ],
    });
    expect(parsed.ok).toBe(true);
  });

  it.each([
    [{ ...base, max_tokens: undefined }, "max_tokens: Field required"],
    [{ ...base, max_tokens: 0 }, "max_tokens: Too small"],
    [{ ...base, messages: [] }, "messages: at least one message is required"],
    [{ ...base, messages: [{ role: "system", content: "x" }] }, "messages.0.role: Invalid option"],
    [{ ...base, extra: 1 }, "extra: Extra inputs are not permitted"],
    [{ ...base, messages: [{ role: "user", content: [{ type: "nope" }] }] }, "messages.0.content.0.type"],
    [
      { ...base, messages: [{ role: "user", content: "" }] },
      "messages.0: all messages must have non-empty content",
    ],
    [
      { ...base, messages: [{ role: "user", content: [{ type: "text", text: "" }] }] },
      "text content blocks must be non-empty",
    ],
    [{ ...base, tools: [{ name: "bad name", input_schema: { type: "object" } }] }, "tools.0.name"],
  ])("rejects %j", (body, message) => {
    expect(problem(body)).toContain(message);
  });

  it("enforces tool_use / tool_result pairing like the real API", () => {
    const use = { role: "assistant", content: [{ type: "tool_use", id: "a", name: "t", input: {} }] };
    const result = (...ids: string[]) => ({
      role: "user",
      content: ids.map((id) => ({ type: "tool_result", tool_use_id: id })),
    });
    expect(problem({ ...base, messages: [base.messages[0], use, result("a")] })).toContain(
      "must define tools",
    );
    expect(
      problem({ ...base, tools, messages: [base.messages[0], use, { role: "user", content: "next" }] }),
    ).toContain("`tool_use` ids were found without `tool_result` blocks immediately after: a");
    expect(problem({ ...base, tools, messages: [base.messages[0], use, result("a", "b")] })).toContain(
      "unexpected `tool_use_id`",
    );
    expect(problem({ ...base, tools, messages: [base.messages[0], use, result("a")] })).toBeUndefined();
    expect(problem({ ...base, tools, messages: [base.messages[0], use] })).toBeUndefined();
  });
});
