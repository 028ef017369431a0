import { describe, expect, it } from "vitest";
import { usageRecords } from "../../schema";
import { PLANS } from "../../worker/src/billing/plans";
import { MAX_EVENT_STREAMS_PER_USER } from "../../worker/src/http/limits";
import { connectAgent } from "../support/agent";
import { apiUrl, call, type ErrorBody, mintToken, signedInClient, stackDb, uniqueUser } from "../support/api";

/** Opens an SSE stream of a thread and waits for its `ready` message; `close` ends it from the client side. */
async function openStream(threadId: string, token: string) {
  const controller = new AbortController();
  const response = await call(`/api/threads/${threadId}/events`, token, {
    headers: { accept: "text/event-stream" },
    signal: controller.signal,
  });
  if (response.status === 200) {
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (reader && !text.includes("event: ready")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  }
  return { response, close: () => controller.abort() };
}

describe("live event streams per user", () => {
  it(`holds ${MAX_EVENT_STREAMS_PER_USER} open at once, refuses the next with 429, and frees a slot when one closes`, {
    timeout: 120_000,
  }, async () => {
    const { api, token } = await signedInClient("sse-cap");
    const { data: thread } = await api.POST("/threads", { body: {} });
    if (!thread) throw new Error("setup failed");
    const open = [];
    try {
      for (let i = 0; i < MAX_EVENT_STREAMS_PER_USER; i++) {
        const stream = await openStream(thread.id, token);
        expect(stream.response.status).toBe(200);
        open.push(stream);
      }
      const refused = await openStream(thread.id, token);
      expect(refused.response.status).toBe(429);
      expect(Number(refused.response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await refused.response.json()) as ErrorBody).error.code).toBe("too_many_streams");
      // The JSON page of the same events is not a stream and is still served.
      expect((await call(`/api/threads/${thread.id}/events`, token)).status).toBe(200);

      // Another user is not affected.
      const other = await signedInClient("sse-cap-other");
      const { data: theirs } = await other.api.POST("/threads", { body: {} });
      if (!theirs) throw new Error("setup failed");
      const theirStream = await openStream(theirs.id, other.token);
      expect(theirStream.response.status).toBe(200);
      theirStream.close();

      // Closing one frees its slot as soon as the Worker sees the client gone: when a write to it fails, i.e. at a
      // keep-alive (every 15 s while idle); behind wrangler dev's proxy the first one after the close may still be
      // accepted, so allow two.
      open.shift()?.close();
      let again = await openStream(thread.id, token);
      for (let tries = 0; again.response.status !== 200 && tries < 160; tries++) {
        await again.response.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, 250));
        again = await openStream(thread.id, token);
      }
      open.push(again);
      expect(again.response.status).toBe(200);
    } finally {
      for (const stream of open) stream.close();
    }
  });
});

describe("stack bring-ups by plan", () => {
  it("refuses to create machines for a user whose plan's tokens are used up (402), creating nothing", async () => {
    const token = await mintToken(uniqueUser("stack-402"));
    const me = (await (await call("/api/me", token)).json()) as { id: string };
    await stackDb()
      .insert(usageRecords)
      .values({
        userId: me.id,
        turnKey: `t-${crypto.randomUUID()}`,
        model: "m",
        inputTokens: PLANS.free.allowanceTokens,
        outputTokens: 1,
      });
    const refused = await call("/api/stack/wake", token, { method: "POST" });
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("allowance_exceeded");
    const stack = (await (await call("/api/stack", token)).json()) as { status: string; events: unknown[] };
    expect(stack.status).toBe("none");
    expect(stack.events).toEqual([]);
  });

  it(`allows the free plan ${PLANS.free.stackStartsPerHour} bring-ups an hour, then answers 429 with Retry-After, and a sub-agent cannot bring the stack up either`, async () => {
    const token = await mintToken(uniqueUser("stack-429"));
    for (let i = 0; i < PLANS.free.stackStartsPerHour; i++) {
      const woken = await call("/api/stack/wake", token, { method: "POST" });
      expect(woken.status, `bring-up ${i + 1}: ${await woken.clone().text()}`).toBe(200);
      // A ready stack is answered whatever the count: it starts nothing.
      expect((await call("/api/stack/wake", token, { method: "POST" })).status).toBe(200);
      const suspended = await call("/api/stack/suspend", token, { method: "POST" });
      expect(((await suspended.json()) as { status: string }).status).toBe("suspended");
    }
    const refused = await call("/api/stack/wake", token, { method: "POST" });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("too_many_stack_starts");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(3_000);
    expect(retryAfter).toBeLessThanOrEqual(3_600);
    const before = (await (await call("/api/stack", token)).json()) as { status: string; lastSeq: number };
    expect(before.status).toBe("suspended");

    // The same cap holds when a message makes the Grow Agent delegate: the sub-agent's run asks before it wakes
    // the stack, and fails with the reason instead of bringing machines up.
    const me = (await (await call("/api/me", token)).json()) as { id: string };
    const agent = await connectAgent(apiUrl(), me.id, token);
    try {
      const thread = (await (await call("/api/threads", token, { method: "POST", body: "{}" })).json()) as {
        id: string;
      };
      await agent.conn.sendMessage(thread.id, "delegate: write a line about the sea");
      const events = await agent.until(
        thread.id,
        (e) => e.type.startsWith("turn.") && e.type !== "turn.started",
        90_000,
      );
      const finished = events.find((e) => e.type === "subagent.finished");
      expect(finished?.data, JSON.stringify(events.map((e) => e.type))).toMatchObject({
        status: "failed",
        error: expect.stringMatching(/^too_many_stack_starts: The Free plan allows 4 stack starts an hour/),
      });
      const result = events.find((e) => e.type === "tool.result" && e.data.name === "spawn_sub_agent");
      expect(String(result?.data.content)).toContain("too_many_stack_starts");
    } finally {
      await agent.dispose();
    }
    const after = (await (await call("/api/stack", token)).json()) as { status: string; lastSeq: number };
    expect(after).toMatchObject({ status: "suspended", lastSeq: before.lastSeq });
  }, 240_000);
});
