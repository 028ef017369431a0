import { describe, expect, it } from "vitest";
import { opencodeEvents, ServerSentEventParser } from "./opencode-event-stream";

const bytes = (text: string) => new TextEncoder().encode(text);
const sse = (event: object) => `data: ${JSON.stringify(event)}\n\n`;

describe("ServerSentEventParser", () => {
  it("returns every event a chunk completes, in order, and keeps a partial one for the next chunk", () => {
    const parser = new ServerSentEventParser();
    const a = { type: "message.part.delta", properties: { delta: "a" } };
    const b = { type: "message.part.delta", properties: { delta: "b" } };
    const c = { type: "session.idle", properties: {} };
    const stream = sse(a) + sse(b) + sse(c);
    const cut = stream.indexOf("session.idle");
    expect(parser.push(bytes(stream.slice(0, cut)))).toEqual([a, b]);
    expect(parser.push(bytes(stream.slice(cut)))).toEqual([c]);
  });

  it("finds an event end split across chunks, byte by byte, with CRLF line ends", () => {
    const parser = new ServerSentEventParser();
    const text = `data: {"type":"big","properties":{"text":"${"x".repeat(500)}"}}\r\n\r\ndata: {"type":"next"}\r\n\r\n`;
    const events = [...bytes(text)].flatMap((byte) => parser.push(new Uint8Array([byte])));
    expect(events.map((e) => e.type)).toEqual(["big", "next"]);
  });

  it("joins a multi-byte character split across chunks", () => {
    const parser = new ServerSentEventParser();
    const encoded = bytes(sse({ type: "t", properties: { delta: "é😀" } }));
    const middle = encoded.indexOf(0xf0) + 2;
    expect(parser.push(encoded.slice(0, middle))).toEqual([]);
    expect(parser.push(encoded.slice(middle))).toEqual([{ type: "t", properties: { delta: "é😀" } }]);
  });

  it("accepts CRLF line ends, multi-line data, ids and comments; skips data that is not an event", () => {
    const parser = new ServerSentEventParser();
    const text =
      ': keep-alive\r\n\r\nid: 7\r\ndata: {"type":"x",\r\ndata: "properties":{}}\r\n\r\n' +
      "data: not json\n\ndata: [1]\n\nevent: ping\n\n";
    expect(parser.push(bytes(text))).toEqual([{ type: "x", properties: {} }]);
  });
});

describe("opencodeEvents", () => {
  it("reads GET /event with the connection's headers and yields one array per chunk", async () => {
    const seen: Request[] = [];
    const chunks = [sse({ type: "server.connected" }), sse({ type: "a" }) + sse({ type: "b" })];
    const fetchStub = async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Request(input, init));
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(bytes(next));
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    };
    const batches = [];
    for await (const batch of opencodeEvents({
      baseUrl: "http://sandbox.test",
      headers: { authorization: "Basic x" },
      signal: new AbortController().signal,
      fetch: fetchStub as typeof fetch,
    })) {
      batches.push(batch.map((e) => e.type));
    }
    expect(batches).toEqual([["server.connected"], ["a", "b"]]);
    expect(seen[0]?.url).toBe("http://sandbox.test/event");
    expect(seen[0]?.headers.get("authorization")).toBe("Basic x");
  });

  it("fails with the status when OpenCode refuses the stream", async () => {
    const stream = opencodeEvents({
      baseUrl: "http://sandbox.test",
      headers: {},
      signal: new AbortController().signal,
      fetch: (async () => new Response("no", { status: 401 })) as typeof fetch,
    });
    await expect(stream.next()).rejects.toThrow("OpenCode refused its event stream (401)");
  });
});
