import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorClient, spawnSubAgent } from "../support/actors";
import { type AgentEvent, connectAgent, streamedText } from "../support/agent";
import { signIn, startTestStack, type TestStack } from "../support/stack";

/**
 * Its own stack (not the shared API one): restarting `wrangler dev` here would cut every other test's
 * connections. The restart is what a deploy or a crashed isolate does to Durable Objects.
 */
describe("actors across a wrangler dev restart", () => {
  let stack: TestStack;
  let token: string;
  let userId: string;
  let authed: Awaited<ReturnType<typeof signIn>>["authed"];

  beforeAll(async () => {
    stack = await startTestStack({ workerVars: { AGENT_TURN_WATCH_SECONDS: "2" } });
    ({ token, userId, authed } = await signIn(stack, "restart-user"));
  }, 120_000);
  afterAll(() => stack?.stop());

  it("keeps actor state, marks the running turn interrupted and runs the queued message", async () => {
    const thread = (await (await authed("/api/threads", { method: "POST", body: "{}" })).json()) as {
      id: string;
    };
    const before = await connectAgent(stack.apiUrl, userId, token);
    const { createdAt } = await before.conn.whoami();
    // Clients cannot create sub-agents (only the Grow Agent can): this one is spawned by a real turn.
    const subAgentId = await spawnSubAgent(stack.apiUrl, { id: userId, token }, "outlive the restart");
    const sub = actorClient(stack.apiUrl, token).subAgent.get([userId, subAgentId], { params: { token } });
    const subBefore = await sub.describe();

    await before.conn.sendMessage(thread.id, "A long one [[slow:150]] [[words:400]]");
    const queued = await before.conn.sendMessage(thread.id, "and then this");
    expect(queued.queued).toBe(true);
    await before.until(
      thread.id,
      () => before.events.filter((e) => e.threadId === thread.id && e.type === "text.delta").length >= 5,
    );
    await before.dispose();

    await stack.restartWorkers();

    const after = await connectAgent(stack.apiUrl, userId, token);
    try {
      expect((await after.conn.whoami()).createdAt).toBe(createdAt);
      expect(await sub.describe()).toEqual(subBefore);

      // Waking the actor recovers: the interrupted turn ends, then the queued message gets its turn.
      const events = await logUntil(thread.id, (log) => log.some((e) => e.type === "turn.completed"));
      const interruptedTurn = events.find((e) => e.type === "turn.started")?.data.turnId;
      expect(events.find((e) => e.type === "turn.interrupted")?.data.turnId).toBe(interruptedTurn);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));

      const messages = (await (await authed(`/api/threads/${thread.id}/messages`)).json()) as {
        items: Array<{ role: string; status: string; content: Array<{ text?: string }> }>;
      };
      const partial = messages.items.find((m) => m.status === "partial");
      expect(partial?.role).toBe("assistant");
      // Everything that had streamed (and was logged) before the restart is kept, nothing more.
      expect(partial?.content[0]?.text).toBe(streamedText(events, interruptedTurn));
      const completedTurn = events.find((e) => e.type === "turn.completed")?.data.turnId;
      expect(streamedText(events, completedTurn)).toContain("and then this");
    } finally {
      await after.dispose();
    }
  }, 300_000);

  it("ends a turn cut by a restart even when no client comes back (the turn-watch alarm wakes the actor)", async () => {
    const thread = (await (await authed("/api/threads", { method: "POST", body: "{}" })).json()) as {
      id: string;
    };
    const client = await connectAgent(stack.apiUrl, userId, token);
    await client.conn.sendMessage(thread.id, "Another long one [[slow:150]] [[words:400]]");
    await client.until(thread.id, () => client.events.filter((e) => e.threadId === thread.id).length >= 5);
    await client.dispose();

    await stack.restartWorkers();

    // Only REST reads from here on: they never wake the actor, so whatever ends the turn is the alarm.
    const events = await logUntil(thread.id, (log) => log.some((e) => e.type === "turn.interrupted"));
    const turnId = events.find((e) => e.type === "turn.started")?.data.turnId;
    expect(events.find((e) => e.type === "turn.interrupted")?.data.turnId).toBe(turnId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  }, 120_000);

  async function logUntil(threadId: string, done: (events: AgentEvent[]) => boolean): Promise<AgentEvent[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const page = (await (await authed(`/api/threads/${threadId}/events?limit=100`)).json()) as {
        items: AgentEvent[];
      };
      if (done(page.items) || Date.now() > deadline) return page.items;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
});
