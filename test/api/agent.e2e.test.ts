import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { usageRecords } from "../../schema";
import { eventually } from "../support/actors";
import { type AgentEvent, connectAgent, streamedText } from "../support/agent";
import { apiUrl, call, mintToken, stackDb, uniqueUser } from "../support/api";

interface Thread {
  id: string;
}

interface SentMessage {
  messageId: string;
  queued: boolean;
  replayed: boolean;
}

async function user(prefix: string) {
  const username = uniqueUser(prefix);
  const token = await mintToken(username);
  const me = (await (await call("/api/me", token)).json()) as { id: string };
  const agent = await connectAgent(apiUrl(), me.id, token);
  const newThread = async () =>
    (await (await call("/api/threads", token, { method: "POST", body: "{}" })).json()) as Thread;
  return { username, token, id: me.id, agent, newThread };
}

const nonce = () => crypto.randomUUID().slice(0, 8);

/** Every event of a thread from the log, as an API consumer resuming from seq 0 would read it. */
async function loggedEvents(token: string, threadId: string): Promise<AgentEvent[]> {
  const all: AgentEvent[] = [];
  for (;;) {
    const response = await call(`/api/threads/${threadId}/events?after=${all.length}&limit=100`, token);
    const page = (await response.json()) as { items: AgentEvent[] };
    all.push(...page.items);
    if (page.items.length < 100) return all;
  }
}

async function messagesOf(token: string, threadId: string) {
  const body = (await (await call(`/api/threads/${threadId}/messages?limit=100`, token)).json()) as {
    items: Array<{
      id: string;
      role: string;
      status: string;
      content: Array<{ type: string; text?: string }>;
    }>;
  };
  return body.items;
}

const ofTurn = (events: AgentEvent[], type: string) => events.filter((e) => e.type === type);

describe("Grow Agent turns (real actor in workerd, dev/model)", () => {
  let alice: Awaited<ReturnType<typeof user>>;
  let bob: Awaited<ReturnType<typeof user>>;
  beforeAll(async () => {
    [alice, bob] = await Promise.all([user("alice"), user("bob")]);
  });
  afterAll(async () => {
    await alice?.agent.dispose();
    await bob?.agent.dispose();
  });

  it("streams deltas in order with gapless seqs, exactly as the log has them", async () => {
    const thread = await alice.newThread();
    // Deltas 5 ms apart, batched per 25 ms window (pending-emits.ts): still several text.delta events.
    const sent = await alice.agent.conn.sendMessage(thread.id, "Tell me a story [[slow:5]] [[words:40]]");
    expect(sent.queued).toBe(false);
    const events = await alice.agent.until(thread.id);

    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual([
      "message.user",
      "turn.started",
      ...Array(ofTurn(events, "text.delta").length).fill("text.delta"),
      "usage",
      "message.assistant",
      "turn.completed",
    ]);
    expect(ofTurn(events, "text.delta").length).toBeGreaterThan(3);
    expect(streamedText(events).split(/\s+/).filter(Boolean)).toHaveLength(40);
    // What a client saw live is what a resuming client reads from the log (shipped there in the background).
    await eventually(async () => expect(await loggedEvents(alice.token, thread.id)).toEqual(events));

    const messages = await messagesOf(alice.token, thread.id);
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
    expect(messages[1]?.content[0]?.text).toBe(streamedText(events));
  });

  it("runs both tools of a two-tool turn, feeds their results back and finishes", async () => {
    const thread = await alice.newThread();
    await alice.agent.conn.sendMessage(
      thread.id,
      "Check things [[tool:list_threads {}]] [[tool:get_stack_status {}]]",
    );
    const events = await alice.agent.until(thread.id);

    const calls = ofTurn(events, "tool.call");
    expect(calls.map((e) => e.data.name).sort()).toEqual(["get_stack_status", "list_threads"]);
    const results = ofTurn(events, "tool.result");
    expect(results.map((e) => [e.data.name, e.data.isError]).sort()).toEqual([
      ["get_stack_status", false],
      ["list_threads", false],
    ]);
    expect(
      JSON.parse(results.find((e) => e.data.name === "list_threads")?.data.content).threads,
    ).toContainEqual(expect.objectContaining({ id: thread.id }));
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "turn.completed", data: { steps: 2, stopReason: "end_turn" } });
    // Results come after their calls and before the final answer.
    const lastResult = Math.max(...results.map((e) => e.seq));
    expect(
      ofTurn(events, "text.delta")
        .filter((e) => e.data.step === 2)
        .every((e) => e.seq > lastResult),
    ).toBe(true);

    const messages = await messagesOf(alice.token, thread.id);
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(messages[2]?.content.map((b) => b.type)).toEqual(["tool_result", "tool_result"]);

    const usage = await stackDb()
      .select()
      .from(usageRecords)
      .where(and(eq(usageRecords.userId, alice.id), eq(usageRecords.threadId, thread.id)));
    expect(usage).toHaveLength(2);
    expect(usage.every((u) => u.inputTokens > 0 && u.outputTokens > 0)).toBe(true);
  });

  it("cancels mid-stream, keeps the partial text, and the thread goes on", async () => {
    const thread = await alice.newThread();
    await alice.agent.conn.sendMessage(thread.id, "Long answer please [[slow:100]] [[words:200]]");
    await alice.agent.until(thread.id, (e) => e.type === "text.delta");
    expect(await alice.agent.conn.cancel(thread.id)).toEqual({ cancelled: true });
    const events = await alice.agent.until(thread.id);
    expect(events.at(-1)?.type).toBe("turn.cancelled");

    const partial = ofTurn(events, "message.assistant");
    expect(partial.map((e) => e.data.status)).toEqual(["partial"]);
    const messages = await messagesOf(alice.token, thread.id);
    expect(messages.at(-1)).toMatchObject({ role: "assistant", status: "partial" });
    expect(messages.at(-1)?.content[0]?.text).toBe(streamedText(events));
    expect(streamedText(events).split(/\s+/).length).toBeLessThan(200);

    await alice.agent.conn.sendMessage(thread.id, "Still there?");
    const after = await alice.agent.until(thread.id, (e) => e.type === "turn.completed");
    expect(after.at(-1)?.type).toBe("turn.completed");
  });

  it("queues a second message behind the running turn instead of interleaving", async () => {
    const thread = await alice.newThread();
    await alice.agent.conn.sendMessage(thread.id, "first [[slow:30]] [[words:15]]");
    const second = await alice.agent.conn.sendMessage(thread.id, "second");
    expect(second.queued).toBe(true);
    const events = await alice.agent.until(
      thread.id,
      () =>
        ofTurn(
          alice.agent.events.filter((e) => e.threadId === thread.id),
          "turn.completed",
        ).length === 2,
    );
    const turns = ofTurn(events, "turn.started").map((e) => e.data.turnId);
    expect(turns).toHaveLength(2);
    const firstEnd = events.find((e) => e.type === "turn.completed" && e.data.turnId === turns[0]);
    const secondStart = events.find((e) => e.type === "turn.started" && e.data.turnId === turns[1]);
    expect(secondStart?.seq).toBeGreaterThan(firstEnd?.seq ?? Number.POSITIVE_INFINITY);
    expect(events.filter((e) => e.data.turnId === turns[1]).every((e) => e.seq > (firstEnd?.seq ?? 0))).toBe(
      true,
    );
    // The second turn answered the second message, with the first exchange before it.
    expect(streamedText(events, turns[1])).toContain("second");
  });

  it("retries a 429 from the model and succeeds", async () => {
    const thread = await alice.newThread();
    const id = nonce();
    await alice.agent.conn.sendMessage(thread.id, `hello [[fail:429 times=1 id=${id}]]`);
    const events = await alice.agent.until(thread.id);
    expect(events.at(-1)?.type).toBe("turn.completed");
    const requests = (await (await fetch(`${inject("modelUrl")}/_dev/requests`)).json()) as Array<{
      status?: number;
      body: unknown;
    }>;
    const mine = requests.filter((r) => JSON.stringify(r.body).includes(id));
    expect(mine.map((r) => r.status)).toEqual([429, 200]);
  });

  it("leaves a clean error event and a usable thread when the model fails", async () => {
    const thread = await alice.newThread();
    await alice.agent.conn.sendMessage(thread.id, "break please [[fail:500]]");
    const events = await alice.agent.until(thread.id, undefined, 30_000);
    expect(events.at(-1)).toMatchObject({
      type: "turn.failed",
      data: { code: "model_unavailable", retryable: true },
    });
    expect(JSON.stringify(events.at(-1)?.data)).not.toMatch(/stack|at .*\.ts/);

    await alice.agent.conn.sendMessage(thread.id, "and now?");
    const after = await alice.agent.until(thread.id, (e) => e.type === "turn.completed");
    expect(after.at(-1)?.type).toBe("turn.completed");
  });

  it("never mixes two users' turns", async () => {
    const [aliceThread, bobThread] = await Promise.all([alice.newThread(), bob.newThread()]);
    await Promise.all([
      alice.agent.conn.sendMessage(aliceThread.id, "alice-secret [[words:30]]"),
      bob.agent.conn.sendMessage(bobThread.id, "bob-secret [[words:30]]"),
    ]);
    const [aliceEvents, bobEvents] = await Promise.all([
      alice.agent.until(aliceThread.id),
      bob.agent.until(bobThread.id),
    ]);
    expect(bob.agent.events.some((e) => e.threadId === aliceThread.id)).toBe(false);
    expect(alice.agent.events.some((e) => e.threadId === bobThread.id)).toBe(false);
    expect(JSON.stringify(aliceEvents)).not.toContain("bob-secret");
    expect(JSON.stringify(bobEvents)).not.toContain("alice-secret");
    // Bob cannot drive Alice's thread through his own agent either.
    await expect(bob.agent.conn.sendMessage(aliceThread.id, "hi")).rejects.toSatisfy(
      (e) => (e as { code?: string }).code === "thread_not_found",
    );
  });
});

describe("POST /api/threads/:id/messages", () => {
  it("drives the same actor: the turn shows up in the thread's events", async () => {
    const username = uniqueUser("api");
    const token = await mintToken(username);
    const thread = (await (
      await call("/api/threads", token, { method: "POST", body: "{}" })
    ).json()) as Thread;
    const sent = await call(`/api/threads/${thread.id}/messages`, token, {
      method: "POST",
      body: JSON.stringify({ text: "hello over REST" }),
    });
    expect(sent.status).toBe(202);
    expect(await sent.json()).toMatchObject({ queued: false, messageId: expect.any(String) });
    let events: AgentEvent[] = [];
    for (let i = 0; i < 100 && !events.some((e) => e.type === "turn.completed"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      events = await loggedEvents(token, thread.id);
    }
    expect(events.at(-1)?.type).toBe("turn.completed");
    expect(streamedText(events)).toContain("hello over REST");
  });

  it("answers bad input with clear 4xx and stores nothing", async () => {
    const token = await mintToken(uniqueUser("bad"));
    const other = await mintToken(uniqueUser("other"));
    const thread = (await (
      await call("/api/threads", token, { method: "POST", body: "{}" })
    ).json()) as Thread;
    const send = (t: string, threadId: string, body: unknown) =>
      call(`/api/threads/${threadId}/messages`, t, { method: "POST", body: JSON.stringify(body) });

    const empty = await send(token, thread.id, { text: "   " });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe("message_empty");
    const long = await send(token, thread.id, { text: "x".repeat(16_001) });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { code: string } }).error.code).toBe("message_too_long");
    expect((await send(token, thread.id, { txt: "typo" })).status).toBe(400);
    expect((await send(token, crypto.randomUUID(), { text: "hi" })).status).toBe(404);
    expect((await send(other, thread.id, { text: "hi" })).status).toBe(404);
    expect((await call(`/api/threads/${thread.id}/cancel`, other, { method: "POST" })).status).toBe(404);
    expect(await messagesOf(token, thread.id)).toEqual([]);
    expect(await loggedEvents(token, thread.id)).toEqual([]);
  });

  it("stores a message resent with the same Idempotency-Key once and runs one turn", async () => {
    const token = await mintToken(uniqueUser("resend"));
    const thread = (await (
      await call("/api/threads", token, { method: "POST", body: "{}" })
    ).json()) as Thread;
    const send = (key: string, text = "only once please") =>
      call(`/api/threads/${thread.id}/messages`, token, {
        method: "POST",
        headers: { "idempotency-key": key },
        body: JSON.stringify({ text }),
      });
    const key = crypto.randomUUID();
    // Two at once (a client that retried before the first answer came back), then one more later.
    const [first, second] = await Promise.all([send(key), send(key)]);
    expect([first.status, second.status]).toEqual([202, 202]);
    const answers = [(await first.json()) as SentMessage, (await second.json()) as SentMessage];
    expect(answers[0]?.messageId).toBe(answers[1]?.messageId);
    expect(answers.map((a) => a.replayed).sort()).toEqual([false, true]);
    let events: AgentEvent[] = [];
    for (let i = 0; i < 100 && !events.some((e) => e.type === "turn.completed"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      events = await loggedEvents(token, thread.id);
    }
    expect(ofTurn(events, "turn.completed")).toHaveLength(1);
    const later = await send(key);
    expect(await later.json()).toEqual({ messageId: answers[0]?.messageId, queued: false, replayed: true });

    const users = (await messagesOf(token, thread.id)).filter((m) => m.role === "user");
    expect(users).toHaveLength(1);
    expect(ofTurn(await loggedEvents(token, thread.id), "message.user")).toHaveLength(1);
    expect(ofTurn(await loggedEvents(token, thread.id), "turn.started")).toHaveLength(1);
    // The key of a stored message with other text is refused, and nothing is stored.
    const reused = await send(key, "something else");
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe("idempotency_key_reused");
    expect((await messagesOf(token, thread.id)).filter((m) => m.role === "user")).toHaveLength(1);
    // A new key is a new message, even with the same text.
    expect(((await (await send(crypto.randomUUID())).json()) as SentMessage).replayed).toBe(false);
    expect((await messagesOf(token, thread.id)).filter((m) => m.role === "user")).toHaveLength(2);
  });

  it("keeps idempotency keys per thread and user, and refuses a malformed key", async () => {
    const alice = await mintToken(uniqueUser("key-a"));
    const bob = await mintToken(uniqueUser("key-b"));
    const threadOf = async (token: string) =>
      ((await (await call("/api/threads", token, { method: "POST", body: "{}" })).json()) as Thread).id;
    const [a1, a2, b1] = await Promise.all([threadOf(alice), threadOf(alice), threadOf(bob)]);
    const key = `shared-${crypto.randomUUID()}`;
    const send = (token: string, threadId: string, idempotencyKey: string) =>
      call(`/api/threads/${threadId}/messages`, token, {
        method: "POST",
        headers: { "idempotency-key": idempotencyKey },
        body: JSON.stringify({ text: "same key elsewhere" }),
      });
    for (const [token, threadId] of [
      [alice, a1],
      [alice, a2],
      [bob, b1],
    ] as const) {
      const sent = await send(token, threadId, key);
      expect(sent.status).toBe(202);
      expect(((await sent.json()) as SentMessage).replayed).toBe(false);
    }
    // Bob cannot learn about Alice's message by replaying her key on her thread.
    expect((await send(bob, a1, key)).status).toBe(404);

    const bad = await send(alice, a1, "x".repeat(201));
    expect(bad.status).toBe(400);
    const control = await send(alice, a1, "tab\there");
    expect(control.status).toBe(400);
  });

  it("refuses a new turn with 402 once the plan's tokens are used up, and says so in the thread", async () => {
    const token = await mintToken(uniqueUser("spent"));
    const me = (await (await call("/api/me", token)).json()) as { id: string };
    const thread = (await (
      await call("/api/threads", token, { method: "POST", body: "{}" })
    ).json()) as Thread;
    await stackDb()
      .insert(usageRecords)
      .values({
        userId: me.id,
        turnKey: `spent-${me.id}`,
        model: "test",
        inputTokens: 150_000,
        outputTokens: 60_000,
      });
    const sent = await call(`/api/threads/${thread.id}/messages`, token, {
      method: "POST",
      body: JSON.stringify({ text: "one more please" }),
    });
    expect(sent.status).toBe(402);
    const body = (await sent.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("allowance_exceeded");
    expect(body.error.message).toMatch(/Upgrade to Pro/);
    const events = await loggedEvents(token, thread.id);
    expect(events.map((e) => e.type)).toEqual(["agent.notice"]);
    expect(events[0]?.data).toMatchObject({ code: "allowance_exceeded", upgradePath: "/billing" });
    expect(await messagesOf(token, thread.id)).toEqual([]);
  });

  it("reports the model in use", async () => {
    const token = await mintToken(uniqueUser("model"));
    const body = await (await call("/api/agent", token)).json();
    expect(body).toMatchObject({ model: expect.any(String), local: true });
    expect((await call("/api/agent", undefined)).status).toBe(401);
  });
});
