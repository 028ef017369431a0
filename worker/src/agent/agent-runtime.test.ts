import { uuidv7 } from "uuidv7";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../platform/logger";
import { memoryVersions, users } from "../../../schema";
import { type MigratedDatabase, startMigratedDatabase } from "../../../test/support/local-db";
import type { Env } from "../env";
import { AgentRuntime } from "./agent-runtime";

const log = createLogger({ service: "test" }, () => {});
const tokenKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");

/**
 * The Grow Agent's read of system memory ahead of a turn, against PGlite (L2) and a provisioner that records every
 * call: a call to it is what a running stack counts as activity (its idle-suspend clock restarts).
 */
describe("AgentRuntime.prefetch", () => {
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
      kv: {
        putBatch: async () => {},
        list: async () => [],
        deleteBatch: async () => {},
        get: async () => null,
      },
      broadcast: () => {},
      subAgentActors: { start: async () => {}, cancel: async () => {} },
      scheduleMemoryRetry: () => {},
      scheduleTurnWatch: () => {},
      armSchedules: () => {},
      keepAlive: () => {},
      log,
    });
    runtimes.push(runtime);
    return { runtime, provisionerCalls };
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
});
