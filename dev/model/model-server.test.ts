import Anthropic, {
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  OverloadedError,
} from "@anthropic-ai/sdk";
import type { MessageParam, Tool } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DevModel, type DevModelEvent, startDevModel } from "./model-server";

/** Contract tests: the real SDK against the dev model, for everything the Grow Agent relies on. */
const MODEL = "claude-dev-test";
const tool = (name: string): Tool => ({
  name,
  description: `${name} tool`,
  input_schema: { type: "object" },
});
const TOOLS = ["commit_memory", "read_memory", "list_memory", "list_threads", "spawn_sub_agent"].map(tool);
const ask = (content: string): MessageParam[] => [{ role: "user", content }];

let model: DevModel;
const events: DevModelEvent[] = [];
let client: Anthropic;
beforeAll(async () => {
  model = await startDevModel({ onEvent: (e) => events.push(e) });
  client = new Anthropic({ apiKey: "dev", baseURL: model.url });
});
afterAll(async () => {
  await model?.close();
});
beforeEach(() => {
  model.reset();
  events.length = 0;
});

describe("dev model through @anthropic-ai/sdk", () => {
  it("streams text in several deltas, and the assembled message equals the non-streaming one", async () => {
    const messages = ask("Tell me something about the garden behind the house");
    const deltas: string[] = [];
    const stream = client.messages.stream({ model: MODEL, max_tokens: 200, messages });
    stream.on("text", (delta) => deltas.push(delta));
    const streamed = await stream.finalMessage();
    const plain = await client.messages.create({ model: MODEL, max_tokens: 200, messages });

    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join("")).toBe("You said: Tell me something about the garden behind the house");
    expect(streamed.content).toEqual(plain.content);
    expect(streamed.stop_reason).toBe("end_turn");
    expect(plain).toMatchObject({ type: "message", role: "assistant", model: MODEL, stop_sequence: null });
    expect(plain.id).toMatch(/^msg_/);
    expect(streamed.usage).toEqual(plain.usage);
    expect(plain.usage.output_tokens).toBe(
      Math.ceil(plain.content.map((b) => (b.type === "text" ? b.text : "")).join("").length / 4),
    );
  });

  it("sends the real event sequence with a request-id header", async () => {
    const response = await fetch(`${model.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "k", "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({
        model: MODEL,
        max_tokens: 50,
        stream: true,
        messages: ask("one two three four five"),
      }),
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("request-id")).toMatch(/^req_/);
    const names = [...(await response.text()).matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    const collapsed = names.filter((name, i) => name !== "content_block_delta" || names[i - 1] !== name);
    expect(collapsed).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("assembles a tool call's input from several input_json_delta chunks", async () => {
    const input = {
      path: "notes/tea.md",
      content: "Green tea, no sugar. [[not a directive]]",
      tags: ["a", "b"],
    };
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 500,
      tools: TOOLS,
      messages: ask(`Please [[tool:commit_memory ${JSON.stringify(input)}]]`),
    });
    const chunks: string[] = [];
    for await (const event of stream)
      if (event.type === "content_block_delta" && event.delta.type === "input_json_delta")
        chunks.push(event.delta.partial_json);
    const message = await stream.finalMessage();

    expect(chunks.filter(Boolean).length).toBeGreaterThan(2);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content[0]).toEqual({ type: "text", text: "Let me do that." });
    expect(message.content[1]).toMatchObject({ type: "tool_use", name: "commit_memory", input });
  });

  it("calls two tools in one response, with distinct ids", async () => {
    const message = await client.messages
      .stream({
        model: MODEL,
        max_tokens: 500,
        tools: TOOLS,
        messages: ask('[[tool:list_threads {}]] and [[tool:read_memory {"path":"notes/a.md"}]]'),
      })
      .finalMessage();
    const calls = message.content.filter((b) => b.type === "tool_use");
    expect(calls.map((c) => [c.name, c.input])).toEqual([
      ["list_threads", {}],
      ["read_memory", { path: "notes/a.md" }],
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    expect(calls[0]?.id).toMatch(/^toolu_/);
  });

  it("runs a whole tool loop: tool_use, then a summary of the tool_result", async () => {
    const params = { model: MODEL, max_tokens: 500, tools: TOOLS };
    const first = await client.messages
      .stream({ ...params, messages: ask("remember I like green tea") })
      .finalMessage();
    const call = first.content.find((b) => b.type === "tool_use");
    expect(call).toMatchObject({
      name: "commit_memory",
      input: {
        path: "notes/i-like-green-tea.md",
        content: "I like green tea",
        message: "Remember: I like green tea",
      },
    });
    const second = await client.messages
      .stream({
        ...params,
        messages: [
          ...ask("remember I like green tea"),
          { role: "assistant", content: first.content },
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: call?.id ?? "", content: "committed abc123" }],
          },
        ],
      })
      .finalMessage();
    expect(second.stop_reason).toBe("end_turn");
    expect(second.content).toEqual([
      { type: "text", text: "Done. commit_memory returned: committed abc123" },
    ]);
  });

  it("retries a 429 transparently (retry-after: 0), seen as two requests", async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: ask("hello [[fail:429 times=1 id=rl-1]]"),
    });
    expect(message.content).toEqual([{ type: "text", text: "You said: hello" }]);
    const seen = model.requests();
    expect(seen.map((r) => r.status)).toEqual([429, 200]);
    expect(seen[1]?.headers["x-stainless-retry-count"]).toBe("1");
  });

  it("raises OverloadedError (529) once the SDK's retries run out", async () => {
    const impatient = client.withOptions({ maxRetries: 1 });
    const error = await impatient.messages
      .create({ model: MODEL, max_tokens: 100, messages: ask("[[fail:529 times=5 id=ov-1]]") })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OverloadedError);
    expect(error).toMatchObject({ status: 529, type: "overloaded_error" });
    expect((error as APIError).requestID).toMatch(/^req_/);
    expect(model.requests()).toHaveLength(2);
  });

  it("raises InternalServerError for a 500", async () => {
    const error = await client.messages
      .create({ model: MODEL, max_tokens: 100, messages: ask("[[fail:500]]") }, { maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 500, type: "api_error" });
  });

  it("breaks a stream midway with an overloaded_error event, which the SDK throws", async () => {
    const deltas: string[] = [];
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 200,
      messages: ask("a long answer please, with many words in it [[fail-midstream]]"),
    });
    stream.on("text", (delta) => deltas.push(delta));
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ type: "overloaded_error" });
    expect(deltas.length).toBe(3);
  });

  it("answers 401 without an API key and 400 for a bad body", async () => {
    const anonymous = new Anthropic({
      apiKey: "unused",
      baseURL: model.url,
      defaultHeaders: { "x-api-key": null, authorization: null },
    });
    await expect(
      anonymous.messages.create({ model: MODEL, max_tokens: 10, messages: ask("hi") }),
    ).rejects.toBeInstanceOf(AuthenticationError);

    const error = await client.messages
      .create({ model: MODEL, max_tokens: 0, messages: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as APIError).apiMessage).toMatch(/max_tokens/);
    expect((error as APIError).apiMessage).toMatch(/messages: at least one message is required/);
  });

  it("answers unknown routes with not_found_error", async () => {
    await expect(client.models.list()).rejects.toBeInstanceOf(NotFoundError);
  });

  it("reports cache creation on the first request and cache reads after", async () => {
    const params = {
      model: MODEL,
      max_tokens: 100,
      system: [
        {
          type: "text" as const,
          text: "You are the Grow Agent. ".repeat(50),
          cache_control: { type: "ephemeral" as const },
        },
      ],
      tools: TOOLS,
    };
    const first = await client.messages.create({ ...params, messages: ask("first") });
    const second = await client.messages.stream({ ...params, messages: ask("second") }).finalMessage();
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBeGreaterThan(0);

    const logged = model.requests()[0]?.body as {
      system: Array<{ cache_control?: unknown }>;
      tools: unknown[];
    };
    expect(logged.system[0]?.cache_control).toEqual({ type: "ephemeral" });
    expect(logged.tools).toHaveLength(TOOLS.length);
    // This SDK sends the key as `authorization: Bearer …`; either header is redacted in the log.
    expect(JSON.stringify(model.requests()[0]?.headers)).not.toContain("dev");
    expect(model.requests()[0]?.headers.authorization).toBe("[redacted]");
  });

  it("stops at max_tokens", async () => {
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 20,
      messages: ask("[[words:500]]"),
    });
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage.output_tokens).toBe(20);
  });

  it("notices a client that goes away during a slow stream", async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 200,
      messages: ask("[[slow:50]] [[words:40]]"),
    });
    const ended = stream.done().catch((error: unknown) => error);
    await new Promise<void>((resolve) => stream.once("text", () => resolve()));
    stream.abort();
    expect(await ended).toBeInstanceOf(APIUserAbortError);
    await expect.poll(() => events.some((e) => e.type === "client_closed"), { timeout: 2000 }).toBe(true);
    expect(events.filter((e) => e.type === "message_stop")).toHaveLength(0);
  });
});

describe("dev model HTTP details", () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${model.url}/v1/messages`, {
      method: "POST",
      headers: {
        "x-api-key": "k",
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
        ...headers,
      },
      body,
    });

  it("requires anthropic-version, accepts a Bearer token, and rejects bodies over 4 MiB", async () => {
    const valid = JSON.stringify({ model: MODEL, max_tokens: 10, messages: ask("hi") });
    const noVersion = await fetch(`${model.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "k" },
      body: valid,
    });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: "anthropic-version: header is required" },
    });

    const bearer = await post(valid, { "x-api-key": "", authorization: "Bearer t" });
    expect(bearer.status).toBe(200);

    const huge = await post(JSON.stringify({ pad: "x".repeat(4 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    const body = (await huge.json()) as { error: { type: string }; request_id: string };
    expect(body.error.type).toBe("request_too_large");
    expect(body.request_id).toBe(huge.headers.get("request-id"));
  });

  it("serves the request log and resets it", async () => {
    await post(JSON.stringify({ model: MODEL, max_tokens: 10, messages: ask("logged") }));
    const log = (await (await fetch(`${model.url}/_dev/requests`)).json()) as Array<{
      path: string;
      status: number;
    }>;
    expect(log).toMatchObject([{ path: "/v1/messages", status: 200 }]);
    expect((await fetch(`${model.url}/_dev/reset`, { method: "POST" })).status).toBe(200);
    expect(model.requests()).toEqual([]);
  });
});
