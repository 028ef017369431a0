import { describe, expect, it } from "vitest";
import { appendEvent } from "../../worker/src/threads/thread-log.repository";
import { apiClient, call, mintToken, signedInClient, stackDb, uniqueUser } from "../support/api";

interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** Reads SSE messages from a response until `stop` says so; returns what was read. */
async function readSse(response: Response, stop: (messages: SseMessage[]) => boolean): Promise<SseMessage[]> {
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) throw new Error("no body");
  const messages: SseMessage[] = [];
  let buffer = "";
  while (!stop(messages)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let boundary = buffer.indexOf("\n\n");
    while (boundary !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const message: SseMessage = { data: "" };
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) message.id = line.slice(4);
        else if (line.startsWith("event: ")) message.event = line.slice(7);
        else if (line.startsWith("data: ")) message.data += line.slice(6);
      }
      if (message.data || message.id) messages.push(message);
      boundary = buffer.indexOf("\n\n");
    }
  }
  await reader.cancel();
  return messages;
}

const eventSeqs = (messages: SseMessage[]) =>
  messages.filter((m) => m.id !== undefined).map((m) => Number(m.id));

describe("live event stream (SSE)", () => {
  it("delivers every event exactly once across a disconnect and a Last-Event-ID reconnect", async () => {
    const { api, token } = await signedInClient("sse");
    const { data: thread } = await api.POST("/threads", { body: {} });
    const me = (await api.GET("/me")).data;
    if (!thread || !me) throw new Error("setup failed");
    const db = stackDb();
    const emit = (n: number) =>
      appendEvent(db, { userId: me.id, threadId: thread.id, type: "text.delta", data: { n } });
    for (let n = 1; n <= 3; n++) await emit(n);

    const url = `/api/threads/${thread.id}/events`;
    const first = await call(url, token, { headers: { accept: "text/event-stream" } });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toContain("text/event-stream");
    // Events written while connected arrive live.
    const writer = (async () => {
      for (let n = 4; n <= 6; n++) await emit(n);
    })();
    const firstBatch = await readSse(first, (messages) => eventSeqs(messages).length >= 6);
    await writer;
    expect(eventSeqs(firstBatch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(JSON.parse(firstBatch.find((m) => m.id === "4")?.data ?? "{}")).toMatchObject({
      seq: 4,
      threadId: thread.id,
      type: "text.delta",
      data: { n: 4 },
    });

    // Disconnected: more events happen meanwhile.
    for (let n = 7; n <= 9; n++) await emit(n);
    const resumed = await call(url, token, {
      headers: { accept: "text/event-stream", "last-event-id": "6" },
    });
    await emit(10);
    const secondBatch = await readSse(resumed, (messages) => eventSeqs(messages).length >= 4);
    await db.$client.end();
    expect(eventSeqs(secondBatch)).toEqual([7, 8, 9, 10]);
  });

  it("starts after ?after= when there is no Last-Event-ID", async () => {
    const { api, token } = await signedInClient("sse-after");
    const { data: thread } = await api.POST("/threads", { body: {} });
    const me = (await api.GET("/me")).data;
    if (!thread || !me) throw new Error("setup failed");
    const db = stackDb();
    for (let n = 1; n <= 4; n++)
      await appendEvent(db, { userId: me.id, threadId: thread.id, type: "x", data: {} });
    await db.$client.end();
    const response = await call(`/api/threads/${thread.id}/events?after=2`, token, {
      headers: { accept: "text/event-stream" },
    });
    expect(eventSeqs(await readSse(response, (m) => eventSeqs(m).length >= 2))).toEqual([3, 4]);
  });
});

describe("live event stream and the session token", () => {
  it("ends the stream when its token expires: no event is sent after that", async () => {
    const username = uniqueUser("sse-expiry");
    const longLived = await mintToken(username);
    const api = apiClient(longLived);
    const { data: thread } = await api.POST("/threads", { body: {} });
    const me = (await api.GET("/me")).data;
    if (!thread || !me) throw new Error("setup failed");
    const db = stackDb();
    const shortLived = await mintToken(username, { ttlSeconds: 4 });

    const response = await call(`/api/threads/${thread.id}/events`, shortLived, {
      headers: { accept: "text/event-stream" },
    });
    expect(response.status).toBe(200);
    const expiresAt = Date.now() + 4_000;
    // Read to the end: the server closes the stream at the token's expiry, events written after it never arrive.
    const late = (async () => {
      while (Date.now() < expiresAt + 2_000) await new Promise((resolve) => setTimeout(resolve, 250));
      await appendEvent(db, { userId: me.id, threadId: thread.id, type: "text.delta", data: { late: true } });
    })();
    const messages = await readSse(response, () => false);
    const endedAt = Date.now();
    await late;

    expect(endedAt).toBeLessThan(expiresAt + 2_000);
    expect(messages.some((m) => m.data.includes('"late":true'))).toBe(false);
  });
});
