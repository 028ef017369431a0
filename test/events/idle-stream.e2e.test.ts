import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, startTestStack, type TestStack } from "../support/stack";

/** Database round trips so far, counted by the stack's Neon WebSocket proxy (schema/ws-proxy.ts). */
async function roundTrips(stack: TestStack): Promise<number> {
  const stats = (await (await fetch(`http://${stack.wsProxy}/stats`)).json()) as { roundTrips: number };
  return stats.roundTrips;
}

const turnEnded = (type: string) => type.startsWith("turn.") && type !== "turn.started";

/**
 * Its own stack, so the only database client is what this test drives: the count is exact, with no other test's
 * traffic in it.
 */
describe("an idle app", () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Usage reaches the Stripe meter a second after it is written (a minute in production).
    stack = await startTestStack({ workerVars: { USAGE_REPORT_DELAY_SECONDS: "1" } });
  }, 180_000);
  afterAll(() => stack?.stop());

  it("a live event stream (SSE) issues no database query while nothing happens, and still delivers the next turn", {
    timeout: 90_000,
  }, async () => {
    const { token, authed } = await signIn(stack, "idle-stream");
    const thread = (await (await authed("/api/threads", { method: "POST", body: "{}" })).json()) as {
      id: string;
    };
    const send = (text: string) =>
      authed(`/api/threads/${thread.id}/messages`, { method: "POST", body: JSON.stringify({ text }) });
    expect((await send("Say hello")).status).toBe(202);

    const response = await fetch(`${stack.apiUrl}/api/threads/${thread.id}/events`, {
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    });
    expect(response.status).toBe(200);
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
    if (!reader) throw new Error("no body");
    let text = "";
    const types = () => [...text.matchAll(/"type":"([^"]+)"/g)].map((m) => m[1] as string);
    const readUntil = async (done: () => boolean) => {
      while (!done()) {
        const { value, done: ended } = await reader.read();
        if (ended) throw new Error(`stream ended early: ${text}`);
        text += value;
      }
    };
    await readUntil(() => types().some(turnEnded));

    // Let the turn's last writes (usage, the actor's mirror) settle, then watch the database while nobody types.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const before = await roundTrips(stack);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const idle = (await roundTrips(stack)) - before;

    // The counter does count: one authenticated read costs at least one round trip.
    const probeFrom = await roundTrips(stack);
    expect((await authed("/api/threads")).status).toBe(200);
    const probe = (await roundTrips(stack)) - probeFrom;

    // The same open stream gets the next turn, pushed by the agent.
    expect((await send("Again")).status).toBe(202);
    await readUntil(() => types().filter(turnEnded).length >= 2);
    await reader.cancel();

    expect(probe).toBeGreaterThan(0);
    expect(idle).toBe(0);
  });

  it("with nobody active nothing queries the database: usage is reported once, after it is written, and nothing polls", {
    timeout: 60_000,
  }, async () => {
    const { authed } = await signIn(stack, "idle-billing");
    // A Stripe customer, so the usage has somewhere to go (dev/stripe).
    expect((await authed("/api/billing/checkout", { method: "POST", body: '{"plan":"pro"}' })).status).toBe(
      200,
    );
    const thread = (await (await authed("/api/threads", { method: "POST", body: "{}" })).json()) as {
      id: string;
    };
    const sent = await authed(`/api/threads/${thread.id}/messages`, {
      method: "POST",
      body: JSON.stringify({ text: "Say hello" }),
    });
    expect(sent.status).toBe(202);

    const metered = async () => {
      const state = (await (await fetch(`${stack.stripe?.url}/_dev/state`)).json()) as {
        meterTotals: Record<string, number>;
      };
      return Object.values(state.meterTotals).reduce((sum, n) => sum + n, 0);
    };
    const deadline = Date.now() + 20_000;
    while ((await metered()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const reported = await metered();
    expect(reported).toBeGreaterThan(0);

    // Reported: no alarm is left, and no cron polls. Nothing touches Postgres while nobody does anything.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const before = await roundTrips(stack);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect((await roundTrips(stack)) - before).toBe(0);
    expect(await metered()).toBe(reported);
  });
});
