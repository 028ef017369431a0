import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { usageRecords } from "../../schema";
import { errorCode } from "../support/actors";
import { type AgentEvent, connectAgent, streamedText } from "../support/agent";
import { apiUrl, call, mintToken, stackDb, uniqueUser } from "../support/api";

async function user(prefix: string) {
  const token = await mintToken(uniqueUser(prefix));
  const me = (await (await call("/api/me", token)).json()) as { id: string };
  const agent = await connectAgent(apiUrl(), me.id, token);
  const newThread = async () =>
    ((await (await call("/api/threads", token, { method: "POST", body: "{}" })).json()) as { id: string }).id;
  const regenerate = (threadId: string, key?: string, as = token) =>
    call(`/api/threads/${threadId}/regenerate`, as, {
      method: "POST",
      headers: key ? { "idempotency-key": key } : {},
    });
  return { token, id: me.id, agent, newThread, regenerate };
}

const nonce = () => crypto.randomUUID().slice(0, 8);
const ended = (turnId: string) => (e: AgentEvent) =>
  e.type.startsWith("turn.") &&
  !["turn.started", "turn.superseded"].includes(e.type) &&
  e.data.turnId === turnId;

interface ModelRequest {
  body: { messages: Array<{ role: string; content: unknown }> };
}
const modelRequests = async (marker: string) =>
  ((await (await fetch(`${inject("modelUrl")}/_dev/requests`)).json()) as ModelRequest[]).filter((r) =>
    JSON.stringify(r.body).includes(marker),
  );

describe("regenerate a reply (real actor in workerd, dev/model)", () => {
  let alice: Awaited<ReturnType<typeof user>>;
  let bob: Awaited<ReturnType<typeof user>>;
  beforeAll(async () => {
    [alice, bob] = await Promise.all([user("regen-a"), user("regen-b")]);
  });
  afterAll(async () => {
    await alice?.agent.dispose();
    await bob?.agent.dispose();
  });

  it("replaces the last reply with a new turn for the same message, once per key, and the model never sees the old one", async () => {
    const thread = await alice.newThread();
    const marker = `regen-${nonce()}`;
    await alice.agent.conn.sendMessage(thread, `${marker} [[tool:list_threads {}]]`);
    const first = await alice.agent.until(thread);
    const old = first.find((e) => e.type === "turn.started")?.data as { turnId: string; messageId: string };
    const oldCalls = first.filter((e) => e.type === "tool.call").map((e) => e.data.toolUseId as string);
    expect(oldCalls).toHaveLength(1);

    const key = crypto.randomUUID();
    const response = await alice.regenerate(thread, key);
    expect(response.status).toBe(202);
    const started = (await response.json()) as {
      turnId: string;
      supersededTurnId: string;
      messageId: string;
    };
    expect(started).toMatchObject({
      supersededTurnId: old.turnId,
      messageId: old.messageId,
      replayed: false,
    });
    // A retry with the same key (its answer lost, say) starts nothing new.
    const retry = await alice.regenerate(thread, key);
    expect(retry.status).toBe(202);
    expect(await retry.json()).toEqual({ ...started, replayed: true });

    const events = await alice.agent.until(thread, ended(started.turnId));
    expect(events.filter((e) => e.type === "turn.started")).toHaveLength(2);
    const superseded = events.findIndex((e) => e.type === "turn.superseded");
    expect(events[superseded]?.data).toEqual({
      turnId: old.turnId,
      byTurnId: started.turnId,
      messageId: old.messageId,
    });
    // The new turn's start is logged first: from then on it is the reply recovery and a later regenerate see.
    expect(events[superseded - 1]).toMatchObject({
      type: "turn.started",
      data: { turnId: started.turnId, messageId: old.messageId },
    });
    expect(events.at(-1)).toMatchObject({ type: "turn.completed", data: { turnId: started.turnId } });
    expect(streamedText(events, started.turnId)).toContain("Done.");
    // Once it is stored, the key is answered from Postgres too.
    expect(await (await alice.regenerate(thread, key)).json()).toEqual({ ...started, replayed: true });

    // The regenerated turn's first request held the user message alone; a later turn sees the new reply only.
    await alice.agent.conn.sendMessage(thread, "and then?");
    await alice.agent.until(thread, (e) => e.type === "turn.completed" && !events.includes(e));
    const requests = await modelRequests(marker);
    expect(requests).toHaveLength(5);
    expect(requests[2]?.body.messages).toHaveLength(1);
    for (const request of requests.slice(2)) {
      for (const id of oldCalls) expect(JSON.stringify(request.body.messages)).not.toContain(id);
    }
    expect(requests[4]?.body.messages.map((m) => m.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
    ]);

    // The messages API keeps the replaced reply (its tool call, result and text), saying which turn replaced it.
    const listed = (await (await call(`/api/threads/${thread}/messages`, alice.token)).json()) as {
      items: Array<{ role: string; supersededBy: string | null }>;
    };
    expect(listed.items.filter((m) => m.supersededBy === started.turnId)).toHaveLength(3);
    expect(listed.items.filter((m) => m.supersededBy !== null && m.supersededBy !== started.turnId)).toEqual(
      [],
    );

    // Metered as any turn: two model calls each for the first, the regenerated and the follow-up turn.
    const usage = await stackDb().select().from(usageRecords).where(eq(usageRecords.threadId, thread));
    expect(usage).toHaveLength(5);
  });

  it("is refused while a turn runs and when there is no reply to replace", async () => {
    const thread = await alice.newThread();
    const empty = await alice.regenerate(thread);
    expect(empty.status).toBe(409);
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe("nothing_to_regenerate");

    await alice.agent.conn.sendMessage(thread, "slowly [[slow:100]] [[words:30]]");
    const running = await alice.regenerate(thread);
    expect(running.status).toBe(409);
    expect(((await running.json()) as { error: { code: string } }).error.code).toBe("turn_running");
    // The same refusal over the live connection.
    await expect(alice.agent.conn.regenerate(thread)).rejects.toSatisfy(
      (error: unknown) => errorCode(error) === "turn_running",
    );
    const events = await alice.agent.until(thread);
    expect(events.filter((e) => e.type === "turn.started")).toHaveLength(1);
    expect(events.some((e) => e.type === "turn.superseded")).toBe(false);
  });

  it("answers 404 for another user's thread, over REST and on the other user's own connection", async () => {
    const thread = await alice.newThread();
    await alice.agent.conn.sendMessage(thread, "mine");
    await alice.agent.until(thread);
    const response = await bob.regenerate(thread);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("thread_not_found");
    await expect(bob.agent.conn.regenerate(thread)).rejects.toSatisfy(
      (error: unknown) => errorCode(error) === "thread_not_found",
    );
    const malformed = await alice.regenerate("not-a-thread");
    expect([400, 404]).toContain(malformed.status);
    expect(alice.agent.events.filter((e) => e.threadId === thread && e.type === "turn.superseded")).toEqual(
      [],
    );
  });
});
