import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/actors";
import type { AgentEvent } from "../support/agent";
import { signIn, startTestStack, type TestStack } from "../support/stack";

interface Run {
  status: string;
  errorCode: string | null;
}

/**
 * Its own stack: restarting `wrangler dev` would cut the shared API stack's connections. Only REST calls after
 * the restart, and none of them wakes the growAgent: what runs the slot is its own alarm.
 */
describe("schedules across a wrangler dev restart", () => {
  let stack: TestStack;
  let authed: Awaited<ReturnType<typeof signIn>>["authed"];

  beforeAll(async () => {
    stack = await startTestStack({ workerVars: { AGENT_TURN_WATCH_SECONDS: "2" } });
    ({ authed } = await signIn(stack, "schedule-restart"));
  }, 120_000);
  afterAll(() => stack?.stop());

  const json = async <T>(path: string, init?: RequestInit) => (await (await authed(path, init)).json()) as T;
  const newThread = async () =>
    (await json<{ id: string }>("/api/threads", { method: "POST", body: "{}" })).id;
  const create = (threadId: string, prompt: string, inMs: number) =>
    json<{ id: string }>("/api/schedules", {
      method: "POST",
      body: JSON.stringify({
        prompt,
        threadId,
        timeZone: "UTC",
        runAt: new Date(Date.now() + inMs).toISOString(),
      }),
    });
  const runs = async (id: string) => (await json<{ items: Run[] }>(`/api/schedules/${id}/runs`)).items;
  const userTexts = async (threadId: string) =>
    (
      await json<{ items: Array<{ role: string; content: Array<{ text?: string }> }> }>(
        `/api/threads/${threadId}/messages?limit=100`,
      )
    ).items
      .filter((m) => m.role === "user")
      .map((m) => m.content[0]?.text);
  const events = async (threadId: string) =>
    (await json<{ items: AgentEvent[] }>(`/api/threads/${threadId}/events?limit=500`)).items;

  it("a run cut by a restart in its slot is not run again", async () => {
    const threadId = await newThread();
    const prompt = "A long scheduled one [[slow:150]] [[words:400]]";
    const schedule = await create(threadId, prompt, 1_500);
    await eventually(async () => {
      expect((await events(threadId)).filter((e) => e.type === "text.delta").length).toBeGreaterThan(3);
    }, 30_000);

    await stack.restartWorkers();

    // The turn-watch alarm ends the cut turn; the run's history says so, and the slot was sent once.
    await eventually(async () => {
      expect(await runs(schedule.id)).toEqual([
        expect.objectContaining({ status: "failed", errorCode: "interrupted" }),
      ]);
    }, 60_000);
    // A later slot in the same thread runs after the restart: by then every alarm of the first had fired.
    const witness = await create(threadId, "witness [[words:2]]", 1_000);
    await eventually(async () => {
      expect((await runs(witness.id)).map((r) => r.status)).toEqual(["succeeded"]);
    }, 60_000);
    expect(await userTexts(threadId)).toEqual([prompt, "witness [[words:2]]"]);
    expect((await events(threadId)).filter((e) => e.type === "schedule.run").length).toBe(2);
  }, 300_000);

  it("a slot due around a Worker restart runs once, from the alarm that survived it", async () => {
    const threadId = await newThread();
    const schedule = await create(threadId, "while down [[words:3]]", 2_000);
    await stack.restartWorkers();
    await eventually(async () => {
      expect((await runs(schedule.id)).map((r) => r.status)).toEqual(["succeeded"]);
    }, 60_000);
    expect(await userTexts(threadId)).toEqual(["while down [[words:3]]"]);
  }, 300_000);
});
