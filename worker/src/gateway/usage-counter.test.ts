import { describe, expect, it } from "vitest";
import { SseUsageCounter, usageOfMessage, usageOfStream } from "./usage-counter";

/** A real-shaped Messages API stream: input usage in message_start, cumulative output in message_delta. */
const STREAM = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":120,"output_tokens":1,"cache_read_input_tokens":30,"cache_creation_input_tokens":40}}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"héllo ✓ wörld"}}\n\n',
  'event: ping\ndata: {"type":"ping"}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":17}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
].join("");

const EXPECTED = {
  model: "claude-sonnet-4-5",
  messageId: "msg_1",
  usage: {
    input_tokens: 120,
    output_tokens: 17,
    cache_read_input_tokens: 30,
    cache_creation_input_tokens: 40,
  },
};

const bytes = (text: string) => new TextEncoder().encode(text);

function countIn(chunks: Uint8Array[]) {
  const counter = new SseUsageCounter();
  for (const chunk of chunks) counter.push(chunk);
  counter.end();
  return counter.result;
}

/** The stream's bytes cut at the given offsets. */
const cut = (all: Uint8Array, at: number[]) =>
  [0, ...at, all.length].slice(1).map((end, i) => all.slice([0, ...at][i], end));

describe("SseUsageCounter", () => {
  it("reads input from message_start and the last cumulative output from message_delta", () => {
    expect(countIn([bytes(STREAM)])).toEqual(EXPECTED);
  });

  it("counts the same whichever byte boundaries the chunks have (inside lines, UTF-8 characters, CRLF)", () => {
    const all = bytes(STREAM);
    // Every single cut point, and byte-by-byte.
    for (let at = 1; at < all.length; at++) expect(countIn(cut(all, [at]))).toEqual(EXPECTED);
    expect(countIn(Array.from(all, (b) => Uint8Array.of(b)))).toEqual(EXPECTED);
    const crlf = bytes(STREAM.replaceAll("\n", "\r\n"));
    for (let at = 1; at < crlf.length; at += 7) expect(countIn(cut(crlf, [at, at + 3]))).toEqual(EXPECTED);
  });

  it("keeps what was reported when the stream breaks off, and counts nothing without a message", () => {
    const upToDelta = STREAM.slice(0, STREAM.indexOf("event: message_delta") + 120);
    expect(countIn([bytes(upToDelta)])?.usage).toMatchObject({ input_tokens: 120, output_tokens: 9 });
    expect(
      countIn([bytes('event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n')]),
    ).toBe(undefined);
    expect(countIn([bytes("data: {not json\n\ndata: [1,2]\n\n")])).toBe(undefined);
  });

  it("does not let a negative or non-numeric count through", () => {
    const odd =
      'data: {"type":"message_start","message":{"model":"m","usage":{"input_tokens":-5,"output_tokens":"9"}}}\n\n';
    expect(countIn([bytes(odd)])?.usage).toMatchObject({ input_tokens: 0, output_tokens: 0 });
  });
});

describe("usageOfStream / usageOfMessage", () => {
  it("reads a whole stream, as the gateway's metering branch does", async () => {
    const all = bytes(STREAM);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of cut(all, [10, 300, 301, 900])) controller.enqueue(chunk);
        controller.close();
      },
    });
    expect(await usageOfStream(stream)).toEqual(EXPECTED);
  });

  it("keeps what was read before the upstream connection broke", async () => {
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0)
          controller.enqueue(bytes(STREAM.slice(0, STREAM.indexOf("event: content_block_start"))));
        else controller.error(new Error("connection reset"));
      },
    });
    expect((await usageOfStream(stream))?.usage.input_tokens).toBe(120);
  });

  it("reads a non-streaming Message, and nothing from anything else", () => {
    expect(
      usageOfMessage({
        type: "message",
        id: "msg_2",
        model: "claude-haiku-4-5",
        usage: { input_tokens: 5, output_tokens: 7 },
      }),
    ).toEqual({
      model: "claude-haiku-4-5",
      messageId: "msg_2",
      usage: {
        input_tokens: 5,
        output_tokens: 7,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
    });
    expect(usageOfMessage({ type: "error", error: {} })).toBeUndefined();
    expect(usageOfMessage(undefined)).toBeUndefined();
  });
});
