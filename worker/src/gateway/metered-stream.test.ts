import { describe, expect, it } from "vitest";
import { meterStream } from "./metered-stream";
import type { CallUsage } from "./usage-counter";

const START =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":120,"output_tokens":1,"cache_read_input_tokens":30}}}\n\n';
const delta = (output: number) =>
  `event: message_delta\ndata: {"type":"message_delta","delta":{},"usage":{"output_tokens":${output}}}\n\n`;
const bytes = (text: string) => new TextEncoder().encode(text);

/** An upstream the test feeds by hand; aborting it errors its reader, as an aborted fetch body does. */
function fakeUpstream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  let aborted = false;
  return {
    stream,
    send: (text: string) => controller.enqueue(bytes(text)),
    end: () => controller.close(),
    abort: () => {
      if (aborted) return;
      aborted = true;
      controller.error(new DOMException("aborted", "AbortError"));
    },
    get aborted() {
      return aborted;
    },
  };
}

function meterOf(upstream: ReturnType<typeof fakeUpstream>, startGraceMs = 1_000) {
  const writes: { at: "start" | "end"; usage: CallUsage | undefined }[] = [];
  const stream = meterStream(upstream.stream, {
    abortUpstream: upstream.abort,
    onStart: async (usage) => void writes.push({ at: "start", usage: structuredClone(usage) }),
    onEnd: async (usage) => void writes.push({ at: "end", usage }),
    startGraceMs,
  });
  return { ...stream, writes };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("meterStream", () => {
  it("passes every byte through, records input at message_start and the whole output at the end", async () => {
    const upstream = fakeUpstream();
    const { toCaller, metered, writes } = meterOf(upstream);
    upstream.send(START);
    await tick();
    // Metered before any output has passed: hanging up now cannot skip the input.
    expect(writes).toEqual([
      {
        at: "start",
        usage: expect.objectContaining({
          usage: expect.objectContaining({ input_tokens: 120, output_tokens: 1 }),
        }),
      },
    ]);
    upstream.send(delta(40));
    upstream.end();
    expect(await new Response(toCaller).text()).toBe(START + delta(40));
    await metered;
    expect(writes.at(-1)?.usage?.usage).toMatchObject({
      input_tokens: 120,
      output_tokens: 40,
      cache_read_input_tokens: 30,
    });
    expect(upstream.aborted).toBe(false);
  });

  it("aborts upstream when the caller hangs up mid-answer and meters what was generated until then", async () => {
    const upstream = fakeUpstream();
    const { toCaller, metered, writes } = meterOf(upstream);
    const reader = toCaller.getReader();
    upstream.send(START);
    upstream.send(delta(7));
    await reader.read();
    await reader.cancel();
    expect(upstream.aborted).toBe(true);
    await metered;
    expect(writes.map((w) => w.at)).toEqual(["start", "end"]);
    expect(writes.at(-1)?.usage?.usage).toMatchObject({ input_tokens: 120, output_tokens: 7 });
  });

  it("after a hang-up before message_start, keeps reading until it comes (its input was paid), then aborts", async () => {
    const upstream = fakeUpstream();
    const { toCaller, metered, writes } = meterOf(upstream);
    await toCaller.cancel();
    expect(upstream.aborted).toBe(false);
    upstream.send(START);
    await metered;
    expect(upstream.aborted).toBe(true);
    expect(writes.at(-1)?.usage?.usage).toMatchObject({ input_tokens: 120, output_tokens: 1 });
  });

  it("gives up waiting for message_start after the grace period (nothing was reported, nothing to bill)", async () => {
    const upstream = fakeUpstream();
    const { toCaller, metered, writes } = meterOf(upstream, 20);
    await toCaller.cancel();
    await metered;
    expect(upstream.aborted).toBe(true);
    expect(writes).toEqual([{ at: "end", usage: undefined }]);
  });

  it("passes an upstream break to the caller and still meters what came", async () => {
    const upstream = fakeUpstream();
    const { toCaller, metered, writes } = meterOf(upstream);
    upstream.send(START);
    upstream.send(delta(3));
    await tick();
    upstream.abort();
    await expect(new Response(toCaller).text()).rejects.toThrow();
    await metered;
    expect(writes.at(-1)?.usage?.usage).toMatchObject({ output_tokens: 3 });
  });

  it("still meters when a database write fails (metered never rejects)", async () => {
    const upstream = fakeUpstream();
    const stream = meterStream(upstream.stream, {
      abortUpstream: upstream.abort,
      onStart: () => Promise.reject(new Error("db down")),
      onEnd: () => Promise.reject(new Error("db down")),
      startGraceMs: 10,
    });
    upstream.send(START);
    upstream.end();
    await new Response(stream.toCaller).text();
    await expect(stream.metered).resolves.toBeUndefined();
  });
});
