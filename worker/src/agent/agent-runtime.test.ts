import { and, eq } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../platform/logger";
import { events, memoryVersions, threads, users } from "../../../schema";
import { type MigratedDatabase, startMigratedDatabase } from "../../../test/support/local-db";
import type { Env } from "../env";
import { AgentRuntime } from "./agent-runtime";

const log = createLogger({ service: "test" }, () => {});

/** The actor's storage, in memory: the outbox events are written to before Postgres. */
function memoryKv() {
  const entries = new Map<string, string>();
  return {
    putBatch: async (batch: [string, string][]) => {
      for (const [key, value] of batch) entries.set(key, value);
    },
    list: async (prefix: string) =>
      [...entries].filter(([key]) => key.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b)),
    deleteBatch: async (keys: string[]) => {
      for (const key of keys) entries.delete(key);
    },
    get: async (key: string) => entries.get(key) ?? null,
  };
}
const tokenKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");

/**
 * The Grow Agent's runtime against PGlite and a provisioner that records every call (a call to it is what a running
 * stack counts as activity: its idle-suspend clock restarts): the read of system memory ahead of a turn, and sends.
 */
describe("AgentRuntime", () => {
  let local: MigratedDatabase;
  const runtimes: AgentRuntime[] = [];
  beforeAll(async () => {
    local = await startMigratedDatabase();
  });
  afterAll(async () => {
    await Promise.all(runtimes.map((runtime) => runtime.db.$client.end().catch(() => {})));
    await local?.close();
  });

  async function userWithSystemFile(content: string) {
    const [user] = await local.db
      .insert(users)
      .values({ clerkUserId: `u-${crypto.randomUUID()}` })
      .returning();
    const userId = user?.id ?? "";
    await local.db.insert(memoryVersions).values({
      id: uuidv7(),
      userId,
      path: "system/me.md",
      content,
      message: "Me",
      commitSha: "0".repeat(40),
      writeId: uuidv7(),
    });
    const provisionerCalls: string[] = [];
    // A suspended stack: a read through it lists from L2 too, so the calls are all that tell the two reads apart.
    const record = (name: string) => async () => {
      provisionerCalls.push(name);
      return { status: "suspended", up: [], edgeUrl: "http://127.0.0.1:9" };
    };
    const env = {
      DATABASE_URL: local.settings.databaseUrl,
      DB_WS_PROXY: local.settings.wsProxy,
      GITEA_TOKEN_KEY: tokenKey,
      PROVISIONER: { stackConnection: record("stackConnection"), ensureStack: record("ensureStack") },
    } as unknown as Env;
    const runtime = new AgentRuntime({
      env,
      userId,
      kv: memoryKv(),
      broadcast: () => {},
      subAgentActors: { start: async () => {}, cancel: async () => {} },
      scheduleMemoryRetry: () => {},
      scheduleTurnWatch: () => {},
      armSchedules: () => {},
      keepAlive: () => {},
      log,
    });
    runtimes.push(runtime);
    return { runtime, provisionerCalls, userId };
  }

  it("reads system/ from L2 without a call to the provisioner, and the turn after it uses that read", async () => {
    const { runtime, provisionerCalls } = await userWithSystemFile("Name: Alice");
    await runtime.prefetch();
    expect(provisionerCalls).toEqual([]);
    expect(await runtime.memory.systemFiles()).toEqual([{ path: "system/me.md", content: "Name: Alice" }]);
    expect(provisionerCalls).toEqual([]);
  });

  it("a turn with nothing read ahead still reads through the user's stack, as before", async () => {
    const { runtime, provisionerCalls } = await userWithSystemFile("Name: Bob");
    expect(await runtime.memory.systemFiles()).toEqual([{ path: "system/me.md", content: "Name: Bob" }]);
    expect(provisionerCalls).toEqual(["stackConnection"]);
  });

  it("gives resends that come while the original is being stored its answer: one message, one turn", async () => {
    const { runtime, userId } = await userWithSystemFile("Name: Carol");
    const [thread] = await local.db.insert(threads).values({ userId }).returning();
    const threadId = thread?.id ?? "";
    // The original's answer from Postgres comes late: its message is committed, and a resend's lookup finds it,
    // while the original has not yet marked it as its own.
    const pool = runtime.db.$client;
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    pool.query = (async (...args: unknown[]) => {
      const result = await query(...args);
      const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string }).text;
      if (/insert into "messages"/i.test(text ?? ""))
        await new Promise((resolve) => setTimeout(resolve, 300));
      return result;
    }) as typeof pool.query;
    const send = () => runtime.sendMessage(threadId, "Hello", { idempotencyKey: "k-burst" });
    const original = send();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const sends = await Promise.all([original, ...Array.from({ length: 4 }, send)]);
    expect(new Set(sends.map((answer) => answer.messageId)).size).toBe(1);
    expect(sends.filter((answer) => !answer.replayed)).toHaveLength(1);
    // The turn ends (no model is configured here: it fails) and its events reach Postgres.
    const logged = async (type: string) =>
      (
        await local.db
          .select()
          .from(events)
          .where(and(eq(events.threadId, threadId), eq(events.type, type)))
      ).length;
    await expect.poll(() => logged("turn.failed"), { timeout: 15_000 }).toBeGreaterThan(0);
    expect({
      messages: await logged("message.user"),
      started: await logged("turn.started"),
      failed: await logged("turn.failed"),
    }).toEqual({ messages: 1, started: 1, failed: 1 });
  });
});
