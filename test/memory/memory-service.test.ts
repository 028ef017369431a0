import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevGitea, startDevGitea } from "../../dev/gitea/server";
import { createLogger } from "../../platform/logger";
import { outbox, threads, users } from "../../schema";
import type { Database } from "../../schema/db";
import { createGitManager } from "../../worker/src/git/git-manager";
import { MemoryCache } from "../../worker/src/memory/memory-cache";
import { MemoryService } from "../../worker/src/memory/memory-service";
import { cloneAndLog } from "../support/gitea";
import { type MigratedDatabase, startMigratedDatabase } from "../support/local-db";

const log = createLogger({ service: "test" }, () => {});

/** The memory service in Node against the dev Gitea (real git) and PGlite through the Neon driver. */
describe("memory service", () => {
  let local: MigratedDatabase;
  let db: Database;
  let gitea: DevGitea;
  let giteaDir: string;
  let giteaPort: number;
  const adminToken = `admin-${crypto.randomUUID()}`;
  const tokenKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");

  const startGitea = async () => {
    gitea = await startDevGitea({ dataDir: giteaDir, adminToken, port: giteaPort });
    giteaPort = Number(new URL(gitea.url).port);
  };

  async function newUser() {
    const [user] = await db
      .insert(users)
      .values({ clerkUserId: `u-${crypto.randomUUID()}` })
      .returning();
    const [thread] = await db
      .insert(threads)
      .values({ userId: user?.id ?? "" })
      .returning();
    const retries: number[] = [];
    const env = {
      GITEA_URL: `http://127.0.0.1:${giteaPort}`,
      GITEA_ADMIN_TOKEN: adminToken,
      GITEA_TOKEN_KEY: tokenKey,
    };
    const git = createGitManager(env, db, log);
    const memory = new MemoryService({
      db,
      userId: user?.id ?? "",
      userRepo: async () => (await git).userRepo(user?.id ?? ""),
      cache: new MemoryCache(),
      scheduleRetry: (ms) => retries.push(ms),
      log,
    });
    return { userId: user?.id ?? "", threadId: thread?.id ?? "", memory, retries, git };
  }

  async function gitLog(userId: string, git: ReturnType<typeof createGitManager>) {
    const repo = await (await git).userRepo(userId);
    const clone = await cloneAndLog(`${gitea.url}/${repo.owner}/${repo.repo}.git`, {
      username: gitea.adminUsername,
      password: adminToken,
    });
    await clone.cleanup();
    return { log: clone.log, owner: repo.owner };
  }

  beforeAll(async () => {
    local = await startMigratedDatabase();
    db = local.db;
    giteaDir = await mkdtemp(path.join(os.tmpdir(), "memory-gitea-"));
    giteaPort = 0;
    await startGitea();
  });
  afterAll(async () => {
    await gitea?.close();
    await local?.close();
    await rm(giteaDir, { recursive: true, force: true });
  });

  it("commits, reads, lists and shows history; git log has one commit per write by the user", async () => {
    const { userId, memory, git } = await newUser();
    const first = await memory.commit({
      path: "notes/fly.md",
      content: "# Fly\nv1",
      message: "Start Fly notes",
    });
    expect(first).toMatchObject({ status: "committed", commitSha: expect.stringMatching(/^[0-9a-f]{40}$/) });
    await memory.commit({ path: "notes/fly.md", content: "# Fly\nv2", message: "Add v2" });
    await memory.commit({ path: "system/profile.md", content: "Name: Alice", message: "Profile" });

    expect(await memory.read({ path: "notes/fly.md" })).toMatchObject({ content: "# Fly\nv2", source: "l1" });
    const cold = new MemoryService({ ...memoryDeps(memory), cache: new MemoryCache() });
    expect(await cold.read({ path: "notes/fly.md" })).toMatchObject({ content: "# Fly\nv2", source: "git" });
    expect(await cold.read({ path: "notes/none.md" })).toBeNull();

    expect((await memory.list({ prefix: "" })).map((e) => [e.path, e.type])).toEqual(
      expect.arrayContaining([
        ["notes", "dir"],
        ["system", "dir"],
      ]),
    );
    expect((await memory.list({ prefix: "notes" })).map((e) => e.path)).toEqual(["notes/fly.md"]);
    expect((await memory.history({ path: "notes/fly.md" })).map((c) => c.message)).toEqual([
      "Add v2",
      "Start Fly notes",
    ]);
    expect(await memory.systemFiles()).toEqual([{ path: "system/profile.md", content: "Name: Alice" }]);

    const { log: history, owner } = await gitLog(userId, git);
    const ours = history.filter((c) => ["Start Fly notes", "Add v2", "Profile"].includes(c.subject));
    expect(ours.map((c) => c.subject)).toEqual(["Profile", "Add v2", "Start Fly notes"]);
    expect(new Set(ours.map((c) => c.author))).toEqual(new Set([owner]));
  });

  it("a retried write with the same idempotency key commits once", async () => {
    const { userId, memory, git } = await newUser();
    const write = { path: "notes/once.md", content: "once", message: "Once", idempotencyKey: "req-1" };
    const [a, b] = [await memory.commit(write), await memory.commit(write)];
    expect(a).toMatchObject({ writeId: (b as { writeId: string }).writeId });
    expect((await gitLog(userId, git)).log.filter((c) => c.subject === "Once")).toHaveLength(1);
  });

  it("with git down, 20 writes are acknowledged and readable; after it returns all 20 land once, in order", async () => {
    const { userId, memory, retries, git } = await newUser();
    await memory.commit({ path: "notes/warm.md", content: "bootstrapped", message: "Warm up" });
    await gitea.close();
    try {
      for (let i = 0; i < 20; i++) {
        const result = await memory.commit({
          path: `notes/n${i % 5}.md`,
          content: `v${i}`,
          message: `Write ${i}`,
        });
        expect(result.status).toBe("pending");
      }
      expect(retries.length).toBeGreaterThan(0);
      const cold = new MemoryService({ ...memoryDeps(memory), cache: new MemoryCache() });
      expect(await cold.read({ path: "notes/n4.md" })).toMatchObject({ content: "v19", source: "pending" });
    } finally {
      await startGitea();
    }
    const delivered = await memory.drain();
    expect(delivered.size).toBe(20);
    expect(await memory.drain()).toEqual(new Map());
    const written = (await gitLog(userId, git)).log
      .map((c) => c.subject)
      .filter((s) => s.startsWith("Write "));
    expect(written.reverse()).toEqual(Array.from({ length: 20 }, (_, i) => `Write ${i}`));
    const rows = await db.select().from(outbox).where(eq(outbox.userId, userId));
    expect(rows.every((r) => r.status === "done")).toBe(true);
  });

  it("refuses bad paths and oversized content before anything is stored", async () => {
    const { userId, memory } = await newUser();
    for (const bad of [
      "../x.md",
      "/abs.md",
      ".git/config",
      "a\\b.md",
      "nul\u0000.md",
      `${"a".repeat(256)}.md`,
    ]) {
      await expect(memory.commit({ path: bad, content: "x" })).rejects.toMatchObject({ status: 400 });
    }
    await expect(
      memory.commit({ path: "big.md", content: "x".repeat(256 * 1024 + 1) }),
    ).rejects.toMatchObject({
      status: 413,
    });
    expect(await db.select().from(outbox).where(eq(outbox.userId, userId))).toEqual([]);
  });

  it("keeps session/ notes per thread in Postgres (L2), never in git", async () => {
    const { threadId, memory } = await newUser();
    expect(await memory.commit({ path: "session/plan.md", content: "step 1", threadId })).toEqual({
      status: "saved",
      path: "session/plan.md",
      layer: "session",
    });
    expect(await memory.read({ path: "session/plan.md", threadId })).toMatchObject({
      content: "step 1",
      source: "session",
    });
    expect(await memory.list({ prefix: "session", threadId })).toEqual([
      { path: "session/plan.md", type: "file", size: 6 },
    ]);
    expect((await memory.list({ prefix: "" })).some((e) => e.path === "session")).toBe(false);
  });
});

/** The deps a MemoryService was built with, to build a second one with a cold cache. */
function memoryDeps(service: MemoryService) {
  return (service as unknown as { deps: ConstructorParameters<typeof MemoryService>[0] }).deps;
}
