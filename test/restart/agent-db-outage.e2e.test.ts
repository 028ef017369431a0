import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode } from "../support/actors";
import { type AgentEvent, connectAgent } from "../support/agent";
import { signIn, startTestStack, type TestStack } from "../support/stack";

/**
 * Its own stack (not the shared API one): cutting the database here would fail every other test's requests.
 * A Postgres outage during an actor action must be a clear, retryable refusal, not RivetKit's `internal_error`.
 */
describe("Grow Agent while the database is unreachable", () => {
  let stack: TestStack;
  let token: string;
  let userId: string;
  let authed: Awaited<ReturnType<typeof signIn>>["authed"];

  beforeAll(async () => {
    stack = await startTestStack();
    ({ token, userId, authed } = await signIn(stack, "outage-user"));
  }, 120_000);
  afterAll(() => stack?.stop());

  it("refuses sendMessage with `unavailable` (REST: 503 + Retry-After), stores nothing, and works once it is back", async () => {
    const thread = (await (await authed("/api/threads", { method: "POST", body: "{}" })).json()) as {
      id: string;
    };
    const agent = await connectAgent(stack.apiUrl, userId, token);
    try {
      // A NUL is refused by the actor itself with a user error, not a failed insert.
      await expect(agent.conn.sendMessage(thread.id, "a\u0000b")).rejects.toSatisfy(
        (e) => errorCode(e) === "message_invalid",
      );
      // A first turn, so the actor's pool holds live connections when the database goes away.
      await agent.conn.sendMessage(thread.id, "first");
      await agent.until(thread.id, (e) => e.type === "turn.completed");

      const outage = stack.interruptDatabase(8_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const refused = await agent.conn.sendMessage(thread.id, "during the outage").then(
        () => undefined,
        (error: unknown) => error as { code?: string; message?: string },
      );
      expect(refused?.code).toBe("unavailable");
      expect(refused?.message).toBe("The database is unreachable; try again shortly");

      const rest = await authed(`/api/threads/${thread.id}/messages`, {
        method: "POST",
        body: JSON.stringify({ text: "during the outage, over REST" }),
      });
      const body = (await rest.json()) as { error?: { code: string; message: string } };
      expect(rest.status, JSON.stringify(body)).toBe(503);
      expect(rest.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(["unavailable", "database_unavailable"]).toContain(body.error?.code);
      expect(body.error?.message).toBe("The database is unreachable; try again shortly");
      await outage;

      const sent = await agent.conn.sendMessage(thread.id, "after the outage");
      expect(sent.queued).toBe(false);
      await agent.until(
        thread.id,
        (e) => e.type === "turn.completed" && agent.events.some((u) => isUserMessage(u, sent.messageId)),
      );

      // Nothing of the refused attempts was stored: two user messages and two answers, in order.
      const messages = (await (await authed(`/api/threads/${thread.id}/messages`)).json()) as {
        items: Array<{ id: string; role: string; content: Array<{ text?: string }> }>;
      };
      const userTexts = messages.items.filter((m) => m.role === "user").map((m) => m.content[0]?.text);
      expect(userTexts).toEqual(["first", "after the outage"]);
      const events = await logUntil(thread.id, (log) => log.filter(isTurnEnd).length >= 2);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.type === "message.user").map((e) => e.data.text)).toEqual([
        "first",
        "after the outage",
      ]);
      expect(events.filter(isTurnEnd).map((e) => e.type)).toEqual(["turn.completed", "turn.completed"]);
    } finally {
      await agent.dispose();
    }
  }, 120_000);

  const isUserMessage = (e: AgentEvent, messageId: string) =>
    e.type === "message.user" && e.data.messageId === messageId;
  const isTurnEnd = (e: AgentEvent) => e.type.startsWith("turn.") && e.type !== "turn.started";

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
