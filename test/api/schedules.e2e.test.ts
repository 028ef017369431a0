import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usageRecords } from "../../schema";
import { PLANS } from "../../worker/src/billing/plans";
import { eventually } from "../support/actors";
import { call, type ErrorBody, signUp, stackDb } from "../support/api";

interface Schedule {
  id: string;
  status: string;
  nextRunAt: string | null;
  upcoming: string[];
  threadId: string | null;
}
interface Run {
  id: string;
  status: string;
  slotAt: string;
  threadId: string | null;
  errorCode: string | null;
  tokens: number | null;
  finishedAt: string | null;
}

const json = async <T>(response: Response | Promise<Response>) => (await (await response).json()) as T;
const post = (token: string, path: string, body: unknown) =>
  call(path, token, { method: "POST", body: JSON.stringify(body) });
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

async function newThread(token: string): Promise<string> {
  return (await json<{ id: string }>(post(token, "/api/threads", {}))).id;
}

async function schedule(token: string, body: Record<string, unknown>): Promise<Schedule> {
  const response = await post(token, "/api/schedules", { timeZone: "Europe/Berlin", ...body });
  expect(response.status, await response.clone().text()).toBe(201);
  return json<Schedule>(response);
}

const runsOf = async (token: string, id: string) =>
  (await json<{ items: Run[] }>(call(`/api/schedules/${id}/runs`, token))).items;

async function userMessages(token: string, threadId: string): Promise<string[]> {
  const page = await json<{ items: Array<{ role: string; content: Array<{ text?: string }> }> }>(
    call(`/api/threads/${threadId}/messages?limit=100`, token),
  );
  return page.items.filter((m) => m.role === "user").map((m) => m.content.map((b) => b.text ?? "").join(""));
}

async function eventTypes(token: string, threadId: string) {
  const page = await json<{ items: Array<{ type: string; data: Record<string, unknown> }> }>(
    call(`/api/threads/${threadId}/events?limit=500`, token),
  );
  return page.items;
}

describe("schedules (the growAgent's own alarm, dev/model)", () => {
  let alice: Awaited<ReturnType<typeof signUp>>;
  let bob: Awaited<ReturnType<typeof signUp>>;
  const db = stackDb();
  beforeAll(async () => {
    [alice, bob] = await Promise.all([signUp("sched-a"), signUp("sched-b")]);
  });
  afterAll(async () => {
    await db.$client.end();
  });

  it("runs a one-off at its slot, once, in its thread, with its turn's tokens in the history", async () => {
    const threadId = await newThread(alice.token);
    const created = await schedule(alice.token, {
      prompt: "Morning summary [[words:6]]",
      runAt: soon(2_000),
      threadId,
    });
    expect(created).toMatchObject({ status: "active", threadId });
    expect(created.upcoming).toEqual([created.nextRunAt]);

    const [run] = await eventually(async () => {
      const runs = await runsOf(alice.token, created.id);
      expect(runs.map((r) => r.status)).toEqual(["succeeded"]);
      return runs;
    }, 30_000);
    expect(run).toMatchObject({ threadId, errorCode: null, slotAt: created.nextRunAt });
    expect(run?.tokens).toBeGreaterThan(0);
    expect(await userMessages(alice.token, threadId)).toEqual(["Morning summary [[words:6]]"]);
    const events = await eventTypes(alice.token, threadId);
    expect(events.filter((e) => e.type === "schedule.run")).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ scheduleId: created.id, status: "started" }),
      }),
    ]);
    expect(await json<Schedule>(call(`/api/schedules/${created.id}`, alice.token))).toMatchObject({
      status: "done",
      nextRunAt: null,
    });
  });

  it("opens a new thread for a run without a target", async () => {
    const created = await schedule(alice.token, {
      title: "Digest",
      prompt: "Digest [[words:3]]",
      runAt: soon(1_500),
    });
    const run = await eventually(async () => {
      const [first] = await runsOf(alice.token, created.id);
      expect(first?.status).toBe("succeeded");
      return first as Run;
    }, 30_000);
    expect(run.threadId).toBeTruthy();
    expect(await userMessages(alice.token, run.threadId as string)).toEqual(["Digest [[words:3]]"]);
    await call(`/api/schedules/${created.id}`, alice.token, { method: "DELETE" });
  });

  it("a paused or deleted schedule does not run; resuming a passed one-off ends it", async () => {
    const threadId = await newThread(alice.token);
    const paused = await schedule(alice.token, {
      prompt: "paused [[words:2]]",
      runAt: soon(1_500),
      threadId,
    });
    const deleted = await schedule(alice.token, {
      prompt: "deleted [[words:2]]",
      runAt: soon(1_500),
      threadId,
    });
    const patch = await call(`/api/schedules/${paused.id}`, alice.token, {
      method: "PATCH",
      body: JSON.stringify({ status: "paused" }),
    });
    expect(await json<Schedule>(patch)).toMatchObject({ status: "paused", nextRunAt: null });
    expect((await call(`/api/schedules/${deleted.id}`, alice.token, { method: "DELETE" })).status).toBe(204);
    // A witness a second later in the same thread: once it ran, the earlier slots had their chance.
    const witness = await schedule(alice.token, {
      prompt: "witness [[words:2]]",
      runAt: soon(2_500),
      threadId,
    });
    await eventually(async () => {
      expect((await runsOf(alice.token, witness.id)).map((r) => r.status)).toEqual(["succeeded"]);
    }, 30_000);
    expect(await userMessages(alice.token, threadId)).toEqual(["witness [[words:2]]"]);
    expect(await runsOf(alice.token, paused.id)).toEqual([]);
    expect((await call(`/api/schedules/${deleted.id}/runs`, alice.token)).status).toBe(404);
    const resumed = await call(`/api/schedules/${paused.id}`, alice.token, {
      method: "PATCH",
      body: JSON.stringify({ status: "active" }),
    });
    expect(await json<Schedule>(resumed)).toMatchObject({ status: "done", nextRunAt: null });
    await call(`/api/schedules/${paused.id}`, alice.token, { method: "DELETE" });
    await call(`/api/schedules/${witness.id}`, alice.token, { method: "DELETE" });
  });

  it("shows a cron's next slots, and refuses bad cron strings, zones and past times", async () => {
    const cron = await schedule(alice.token, {
      prompt: "weekday notes",
      cron: "0 8 * * 1-5",
      timeZone: "America/New_York",
    });
    expect(cron.upcoming).toHaveLength(5);
    for (const slot of cron.upcoming) {
      const local = new Intl.DateTimeFormat("en-US", {
        timeZone: "America/New_York",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        weekday: "short",
      }).format(new Date(slot));
      expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 08:00$/);
    }
    await call(`/api/schedules/${cron.id}`, alice.token, { method: "DELETE" });
    for (const body of [
      { prompt: "x", cron: "every day", timeZone: "UTC" },
      { prompt: "x", cron: "0 8 * * *", timeZone: "Mars/Olympus" },
      { prompt: "x", runAt: new Date(Date.now() - 60_000).toISOString(), timeZone: "UTC" },
      { prompt: "x", cron: "0 8 * * *", runAt: soon(60_000), timeZone: "UTC" },
    ]) {
      const response = await post(alice.token, "/api/schedules", body);
      expect(response.status).toBe(400);
      expect((await json<ErrorBody>(response)).error.code).toBe("invalid_schedule");
    }
  });

  it("another user's schedules and threads are 404", async () => {
    const own = await schedule(alice.token, { prompt: "mine", cron: "0 8 * * *" });
    for (const [method, path, body] of [
      ["GET", `/api/schedules/${own.id}`, undefined],
      ["GET", `/api/schedules/${own.id}/runs`, undefined],
      ["PATCH", `/api/schedules/${own.id}`, JSON.stringify({ status: "paused" })],
      ["DELETE", `/api/schedules/${own.id}`, undefined],
    ] as const) {
      expect((await call(path, bob.token, { method, body })).status, `${method} ${path}`).toBe(404);
    }
    const aliceThread = await newThread(alice.token);
    const response = await post(bob.token, "/api/schedules", {
      prompt: "x",
      cron: "0 8 * * *",
      timeZone: "UTC",
      threadId: aliceThread,
    });
    expect(response.status).toBe(404);
    expect((await json<{ items: unknown[] }>(call("/api/schedules", bob.token))).items).toEqual([]);
    expect(await json<Schedule>(call(`/api/schedules/${own.id}`, alice.token))).toMatchObject({
      status: "active",
    });
    await call(`/api/schedules/${own.id}`, alice.token, { method: "DELETE" });
  });

  it("keeps to the plan's number of schedules", async () => {
    const carol = await signUp("sched-c");
    for (let i = 0; i < PLANS.free.maxSchedules; i++)
      await schedule(carol.token, { prompt: `n${i}`, cron: "0 8 * * *" });
    const response = await post(carol.token, "/api/schedules", {
      prompt: "one more",
      cron: "0 8 * * *",
      timeZone: "UTC",
    });
    expect(response.status).toBe(402);
    expect((await json<ErrorBody>(response)).error.code).toBe("too_many_schedules");
  });

  it("the Grow Agent's schedule_task creates a schedule for the thread's owner, once the user agreed", async () => {
    const threadId = await newThread(alice.token);
    const input = {
      prompt: "Summarise my notes",
      cron: "0 8 * * 1-5",
      timeZone: "Europe/Berlin",
      confirmed: true,
    };
    const unconfirmed = { ...input, confirmed: false };
    const text = `Yes, do it [[tool:schedule_task ${JSON.stringify(input)}]] [[tool:schedule_task ${JSON.stringify(unconfirmed)}]]`;
    const sent = await post(alice.token, `/api/threads/${threadId}/messages`, { text });
    expect(sent.status).toBe(202);
    const results = await eventually(async () => {
      const found = (await eventTypes(alice.token, threadId)).filter((e) => e.type === "tool.result");
      expect(found).toHaveLength(2);
      return found;
    }, 30_000);
    expect(results.map((e) => e.data.isError).sort()).toEqual([false, true]);
    const mine = (await json<{ items: Schedule[] }>(call("/api/schedules", alice.token))).items.filter(
      (s) => s.threadId === threadId,
    );
    // The model's `confirmed` is not the user's: it waits, paused, for the user to turn it on.
    expect(mine).toEqual([expect.objectContaining({ status: "paused", threadId })]);
    const ok = results.find((e) => !e.data.isError);
    expect(JSON.parse(String(ok?.data.content))).toMatchObject({
      scheduleId: mine[0]?.id,
      timeZone: "Europe/Berlin",
    });
    expect((await json<{ items: unknown[] }>(call("/api/schedules", bob.token))).items).toEqual([]);
    await call(`/api/schedules/${mine[0]?.id}`, alice.token, { method: "DELETE" });
  });

  it("a run refused by the used-up allowance is recorded failed with the plan's error", async () => {
    const dave = await signUp("sched-d");
    await db.insert(usageRecords).values({
      userId: dave.id,
      turnKey: `t-${crypto.randomUUID()}`,
      model: "m",
      inputTokens: PLANS.free.allowanceTokens,
    });
    const threadId = await newThread(dave.token);
    const created = await schedule(dave.token, { prompt: "over [[words:2]]", runAt: soon(1_500), threadId });
    const run = await eventually(async () => {
      const [first] = await runsOf(dave.token, created.id);
      expect(first?.status).toBe("failed");
      return first as Run;
    }, 30_000);
    expect(run).toMatchObject({ errorCode: "allowance_exceeded", tokens: null });
    expect(run.finishedAt).toBeTruthy();
    expect(await userMessages(dave.token, threadId)).toEqual([]);
    const events = await eventTypes(dave.token, threadId);
    expect(events.filter((e) => e.type === "schedule.run").map((e) => e.data.status)).toEqual([
      "started",
      "failed",
    ]);
  });
});
