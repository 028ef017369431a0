import { describe, expect, it } from "vitest";
import { appendEvent, appendEvents } from "../../worker/src/threads/thread-log.repository";
import { apiClient, call, mintToken, signedInClient, stackDb, uniqueUser } from "../support/api";

type Api = ReturnType<typeof apiClient>;

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

/** Sends a message through the REST API and waits until its turn has ended (read from the JSON page). */
async function runTurn(api: Api, threadId: string, text: string): Promise<number> {
  const sent = await api.POST("/threads/{id}/messages", {
    params: { path: { id: threadId } },
    body: { text },
  });
  if (sent.response.status !== 202) throw new Error(`send failed: ${sent.response.status}`);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const page = await api.GET("/threads/{id}/events", {
      params: { path: { id: threadId }, query: { after: 0, limit: 500 } },
    });
    const items = typeof page.data === "object" ? page.data.items : [];
    const ended = items.filter((e) => turnEnded(e.type)).length;
    const sentCount = items.filter((e) => e.type === "message.user").length;
    if (ended >= sentCount && sentCount > 0) return items.at(-1)?.seq ?? 0;
    if (Date.now() > deadline) throw new Error("turn did not end");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const turnEnded = (type: string) => type.startsWith("turn.") && type !== "turn.started";
const turnEnds = (messages: SseMessage[]) =>
  messages.filter((m) => m.id !== undefined && turnEnded(JSON.parse(m.data).type)).length;

describe("live event stream (SSE)", () => {
  it("sends the backlog, then the agent's live events as they happen, each exactly once across a Last-Event-ID reconnect", async () => {
    const { api, token } = await signedInClient("sse");
    const { data: thread } = await api.POST("/threads", { body: {} });
    if (!thread) throw new Error("setup failed");
    const backlog = await runTurn(api, thread.id, "Say hello");

    const url = `/api/threads/${thread.id}/events`;
    const first = await call(url, token, { headers: { accept: "text/event-stream" } });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toContain("text/event-stream");
    // The second turn runs while the stream is open: its events are pushed by the agent, not read from the log.
    const reading = readSse(first, (messages) => turnEnds(messages) >= 2);
    await api.POST("/threads/{id}/messages", {
      params: { path: { id: thread.id } },
      body: { text: "Again" },
    });
    const firstBatch = await reading;
    const seen = eventSeqs(firstBatch);
    expect(seen.length).toBeGreaterThan(backlog);
    expect(seen).toEqual(seen.map((_, i) => i + 1));
    const live = firstBatch
      .filter((m) => m.id !== undefined && Number(m.id) > backlog)
      .map((m) => JSON.parse(m.data));
    expect(live[0]).toMatchObject({ threadId: thread.id, type: "message.user" });
    expect(live.at(-1)?.type).toBe("turn.completed");

    // Disconnected: a third turn happens meanwhile; the resumed stream starts right after the last id it had.
    const lastSeen = seen.at(-1) ?? 0;
    const end = await runTurn(api, thread.id, "Once more");
    const resumed = await call(url, token, {
      headers: { accept: "text/event-stream", "last-event-id": String(lastSeen) },
    });
    const secondBatch = await readSse(resumed, (messages) => (eventSeqs(messages).at(-1) ?? 0) >= end);
    expect(eventSeqs(secondBatch)).toEqual(
      Array.from({ length: end - lastSeen }, (_, i) => lastSeen + i + 1),
    );
  });

  it("ends the stream when the thread is deleted", async () => {
    const { api, token } = await signedInClient("sse-deleted");
    const { data: thread } = await api.POST("/threads", { body: {} });
    if (!thread) throw new Error("setup failed");
    const response = await call(`/api/threads/${thread.id}/events`, token, {
      headers: { accept: "text/event-stream" },
    });
    const reading = readSse(response, () => false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const deletedAt = Date.now();
    await api.DELETE("/threads/{id}", { params: { path: { id: thread.id } } });
    const messages = await reading;
    expect(Date.now() - deletedAt).toBeLessThan(5_000);
    expect(messages.map((m) => m.event)).toContain("ready");
  });

  it("sends a backlog of many reads' worth, each event once and in order, then goes on live", async () => {
    const { api, token } = await signedInClient("sse-long");
    const { data: thread } = await api.POST("/threads", { body: {} });
    const me = (await api.GET("/me")).data;
    if (!thread || !me) throw new Error("setup failed");
    const db = stackDb();
    const backlog = 1_250;
    await appendEvents(db, {
      userId: me.id,
      threadId: thread.id,
      events: Array.from({ length: backlog }, (_, n) => ({ type: "x", data: { n } })),
    });
    await db.$client.end();
    const response = await call(`/api/threads/${thread.id}/events`, token, {
      headers: { accept: "text/event-stream" },
    });
    const reading = readSse(response, (messages) => turnEnds(messages) >= 1);
    await api.POST("/threads/{id}/messages", {
      params: { path: { id: thread.id } },
      body: { text: "After" },
    });
    const seqs = eventSeqs(await reading);
    expect(seqs.length).toBeGreaterThan(backlog);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
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
