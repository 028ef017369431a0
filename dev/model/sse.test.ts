import { describe, expect, it } from "vitest";
import type { ApiMessage } from "./message";
import { formatSse, jsonChunks, streamEvents, textChunks } from "./sse";

const message = (content: ApiMessage["content"]): ApiMessage => ({
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "m",
  content,
  stop_reason: "tool_use",
  stop_sequence: null,
  usage: {
    input_tokens: 10,
    cache_creation_input_tokens: 4,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 4, ephemeral_1h_input_tokens: 0 },
    output_tokens: 9,
    service_tier: "standard",
  },
});

describe("chunking", () => {
  it("splits text into deltas of one to three words that join back exactly", () => {
    const text = "  one two three four five six seven\n eight ";
    const chunks = textChunks(text);
    expect(chunks.join("")).toBe(text);
    expect(chunks.length).toBeGreaterThan(3);
    expect(textChunks("")).toEqual([]);
  });

  it("splits JSON into several pieces after an empty one", () => {
    const json = JSON.stringify({ path: "notes/a.md", content: "hello world, hello again" });
    const chunks = jsonChunks(json);
    expect(chunks[0]).toBe("");
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.join("")).toBe(json);
  });
});

describe("streamEvents", () => {
  it("emits the real sequence and rebuilds the message", () => {
    const content: ApiMessage["content"] = [
      { type: "text", text: "Let me do that." },
      { type: "tool_use", id: "toolu_1", name: "a", input: { x: 1 } },
    ];
    const events = streamEvents(message(content));
    expect(events.map((e) => e.event).filter((e, i, all) => e !== all[i - 1])).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const e of events) expect(e.data.type).toBe(e.event);

    const start = events[0]?.data.message as Record<string, unknown>;
    expect(start).toMatchObject({ id: "msg_1", content: [], stop_reason: null, stop_sequence: null });
    expect(start.usage).toMatchObject({ input_tokens: 10, cache_creation_input_tokens: 4, output_tokens: 1 });
    expect(
      events.find((e) => e.event === "content_block_start" && e.data.index === 1)?.data.content_block,
    ).toEqual({
      type: "tool_use",
      id: "toolu_1",
      name: "a",
      input: {},
    });
    const deltas = (index: number) =>
      events
        .filter((e) => e.event === "content_block_delta" && e.data.index === index)
        .map((e) => e.data.delta as { text?: string; partial_json?: string });
    expect(
      deltas(0)
        .map((d) => d.text)
        .join(""),
    ).toBe("Let me do that.");
    expect(
      JSON.parse(
        deltas(1)
          .map((d) => d.partial_json)
          .join(""),
      ),
    ).toEqual({ x: 1 });
    expect(events.at(-2)?.data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: {
        input_tokens: 10,
        cache_creation_input_tokens: 4,
        cache_read_input_tokens: 0,
        output_tokens: 9,
      },
    });
  });

  it("breaks off after three text deltas with an overloaded_error event", () => {
    const events = streamEvents(message([{ type: "text", text: "a b c d e f g h i j k l" }]), {
      failMidstream: true,
    });
    expect(events.filter((e) => e.event === "content_block_delta")).toHaveLength(3);
    expect(events.at(-1)).toEqual({
      event: "error",
      data: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    });
    expect(events.map((e) => e.event)).not.toContain("message_stop");
  });

  it("formats named SSE events", () => {
    expect(formatSse({ event: "ping", data: { type: "ping" } })).toBe(
      'event: ping\ndata: {"type":"ping"}\n\n',
    );
  });
});
