import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGiteaMachine } from "../../dev/gitea/machine";
import { createLogger } from "../../platform/logger";
import { GITEA_ADMIN_USER } from "../../provisioner/src/stack/stack-record";
import { memoryVersions, outbox, threads, users } from "../../schema";
import type { Database } from "../../schema/db";
import { createGitManager } from "../../worker/src/git/git-manager";
import { GiteaError } from "../../worker/src/git/gitea-error";
import { MemoryCache } from "../../worker/src/memory/memory-cache";
import {
  MAX_WRITE_ATTEMPTS,
  MemoryService,
  type WriteFailureNotice,
} from "../../worker/src/memory/memory-service";
import { cloneAndLog } from "../support/gitea";
import { type MigratedDatabase, startMigratedDatabase } from "../support/local-db";

const log = createLogger({ service: "test" }, () => {});

/** The memory service in Node against the dev Gitea (real git) and PGlite through the Neon driver. */
describe("memory service", () => {
  let local: MigratedDatabase;
  let db: Database;
  let gitea: Awaited<ReturnType<typeof startGiteaMachine>>;
  let giteaDir: string;
  let giteaPort: number;
  /** The user's Gitea machine (dev/gitea in machine mode), its admin from the stack's secret. */
  const adminPassword = `admin-${crypto.randomUUID()}`;
  const tokenKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");

  const startGitea = async () => {
    gitea = await startGiteaMachine(
      { dataDir: giteaDir, port: giteaPort, adminUser: GITEA_ADMIN_USER, adminPassword },
      () => {},
    );
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
    const failures: WriteFailureNotice[] = [];
    /** The service's clock: moved forward to stand for the retry alarm's time. */
    const clock = { offset: 0 };
    const git = createGitManager({
      env: { GITEA_TOKEN_KEY: tokenKey },
      db,
      userId: user?.id ?? "",
      log,
      connection: async () => ({
        status: "ready",
        up: ["gitea"],
        edgeUrl: `http://127.0.0.1:${giteaPort}`,
        giteaMachineId: "local",
        giteaAdminPassword: adminPassword,
      }),
      wake: async () => true,
      background: () => {},
    });
    const memory = new MemoryService({
      db,
      userId: user?.id ?? "",
      userRepo: async (options) => (await git).userRepo(options),
      cache: new MemoryCache(),
      scheduleRetry: (ms) => retries.push(ms),
      onWriteFailed: (failure) => failures.push(failure),
      now: () => Date.now() + clock.offset,
      log,
    });
    return { userId: user?.id ?? "", threadId: thread?.id ?? "", memory, retries, failures, clock, git };
  }

  async function gitLog(userId: string, git: ReturnType<typeof createGitManager>) {
    const repo = await (await git).userRepo({ wake: true });
    if (!repo) throw new Error(`no repository for ${userId}`);
    const clone = await cloneAndLog(`${gitea.url}/${repo.owner}/${repo.repo}.git`, {
      username: GITEA_ADMIN_USER,
      password: adminPassword,
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
    // L2: the newest committed version, from Postgres, without asking Gitea; a file only git has comes from git.
    expect(await cold.read({ path: "notes/fly.md" })).toMatchObject({ content: "# Fly\nv2", source: "l2" });
    expect(await cold.read({ path: "system/README.md" })).toMatchObject({ source: "git" });
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

  it("system files: reads at once share one load, and a change made during a load is what the next read sees", async () => {
    const { memory } = await newUser();
    await memory.commit({ path: "system/style.md", content: "v1", message: "Style" });
    const [first, second] = await Promise.all([memory.systemFiles(), memory.systemFiles()]);
    expect(second).toBe(first);
    await memory.commit({ path: "system/style.md", content: "v2", message: "Style 2" });
    const loading = memory.systemFiles();
    await memory.commit({ path: "system/style.md", content: "v3", message: "Style 3" });
    await loading;
    expect(await memory.systemFiles()).toEqual([{ path: "system/style.md", content: "v3" }]);
  });

  it("system files ahead of a turn: the prefetch reads L2 alone, the turn reads through to git once that read is a minute old", async () => {
    const { memory, git, clock } = await newUser();
    await memory.commit({ path: "system/me.md", content: "me", message: "Me" });
    // A file only git has: nothing but bootstrap writes one (decision 0008), so L2 cannot list it.
    const repo = await (await git).userRepo({ wake: true });
    if (!repo) throw new Error("no repository");
    await repo.client.createFile(repo.owner, repo.repo, "system/git-only.md", {
      content: "from git",
      message: "Outside GrowQR",
      branch: repo.defaultBranch,
    });
    let stackCalls = 0;
    const cold = new MemoryService({
      ...memoryDeps(memory),
      cache: new MemoryCache(),
      userRepo: async (options) => {
        stackCalls++;
        return (await git).userRepo(options);
      },
    });
    await cold.prefetchSystemFiles();
    expect(await cold.systemFiles()).toEqual([{ path: "system/me.md", content: "me" }]);
    expect(stackCalls).toBe(0);
    clock.offset += 61_000;
    expect(await cold.systemFiles()).toEqual([
      { path: "system/git-only.md", content: "from git" },
      { path: "system/me.md", content: "me" },
    ]);
    expect(stackCalls).toBeGreaterThan(0);
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
    // Gitea being down was nobody's write's fault: none was charged an attempt for it.
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(rows.map(() => ["done", 0]));
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

  it("a Gitea machine lost with its volume: the next write rebuilds the repository from memory_versions, history and all", async () => {
    const { userId, memory, git } = await newUser();
    await memory.commit({ path: "notes/a.md", content: "a1", message: "A one" });
    await memory.commit({ path: "system/me.md", content: "me", message: "Me" });
    await memory.commit({ path: "notes/a.md", content: "a2", message: "A two" });
    // A version git refuses for good (stored before the path rules existed): the restore must not stop at it.
    await db.insert(memoryVersions).values({
      userId,
      path: ".git./x",
      content: "poison",
      message: "Poison",
      commitSha: "0".repeat(40),
      writeId: crypto.randomUUID(),
    });

    // A new, empty machine on the same address: no user, no token, no repository.
    await gitea.close();
    const lostDir = giteaDir;
    giteaDir = await mkdtemp(path.join(os.tmpdir(), "memory-gitea-new-"));
    await startGitea();
    await rm(lostDir, { recursive: true, force: true });

    // L2 still answers reads while the repository is gone.
    const cold = new MemoryService({ ...memoryDeps(memory), cache: new MemoryCache() });
    expect(await cold.read({ path: "notes/a.md" })).toMatchObject({ content: "a2", source: "l2" });
    expect(await memory.commit({ path: "notes/b.md", content: "b1", message: "B one" })).toMatchObject({
      status: "committed",
    });
    const subjects = (await gitLog(userId, git)).log.map((c) => c.subject);
    // Newest first: the new write after every restored version, in their order (bootstrap's README first).
    expect(subjects.slice(0, 4)).toEqual(["B one", "A two", "Me", "A one"]);
    const repo = await (await git).userRepo({ wake: true });
    expect(repo?.restoreCursor).toBeNull();
    const file = await repo?.client.getFile(repo.owner, repo.repo, "notes/a.md");
    expect(file?.content).toBe("a2");
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

  /** The user's outbox rows, oldest first. */
  const rowsOf = async (userId: string) =>
    (await db.select().from(outbox).where(eq(outbox.userId, userId))).sort((a, b) =>
      a.id.localeCompare(b.id),
    );
  const subjects = async (userId: string, git: ReturnType<typeof createGitManager>) =>
    (await gitLog(userId, git)).log.map((c) => c.subject);

  it("a poisoned write stored before the path rules (.git./x) does not hold back the next, which reaches git", async () => {
    const { userId, memory, git, failures } = await newUser();
    await memory.commit({ path: "notes/warm.md", content: "repo exists", message: "Warm up" });
    // As an old row would be: stored before validation refused such paths (git refuses it on every attempt).
    await db.insert(outbox).values({
      userId,
      kind: "memory.write",
      idempotencyKey: `${userId}:old-poison`,
      payload: { path: ".git./x", content: "poison", message: "Poison" },
    });
    const next = await memory.commit({ path: "notes/next.md", content: "after the poison", message: "Next" });
    expect(next.status).toBe("committed");
    expect(await subjects(userId, git)).toContain("Next");
    const poisoned = (await rowsOf(userId)).find((r) => (r.payload as { path: string }).path === ".git./x");
    expect(poisoned).toMatchObject({ status: "failed", failureReason: "invalid_path" });
    expect(poisoned?.lastError).toMatch(/git/);
    expect((await memory.failedWrites()).map((w) => [w.path, w.reason])).toEqual([
      [".git./x", "invalid_path"],
    ]);
    expect(failures.map((f) => f.path)).toEqual([".git./x"]);
  });

  it("a write Gitea refuses (422) is set aside at once with its reason, and the thread is told", async () => {
    const { userId, threadId, memory, git, failures } = await newUser();
    await memory.commit({ path: "notes/a.md", content: "a", message: "A" });
    // "notes" is a directory: Gitea will never take a file there.
    const refused = await memory.commit({ path: "notes", content: "x", message: "Refused", threadId });
    expect(refused).toMatchObject({
      status: "failed",
      reason: "rejected",
      error: expect.stringMatching(/422/),
    });
    expect(failures).toEqual([expect.objectContaining({ path: "notes", reason: "rejected", threadId })]);
    // Not retried, not in the way, not read back as if it were memory.
    expect(await memory.commit({ path: "notes/b.md", content: "b", message: "B" })).toMatchObject({
      status: "committed",
    });
    expect(await memory.read({ path: "notes/b.md" })).toMatchObject({ content: "b" });
    expect((await subjects(userId, git)).filter((s) => ["A", "B", "Refused"].includes(s))).toEqual([
      "B",
      "A",
    ]);
    expect((await memory.failedWrites()).map((w) => [w.path, w.reason, w.attempts])).toEqual([
      ["notes", "rejected", 1],
    ]);
    // Once a later write of a failed write's path lands, the failure is no longer listed.
    await db.insert(outbox).values({
      userId,
      kind: "memory.write",
      idempotencyKey: `${userId}:failed-earlier`,
      payload: { path: "notes/c.md", content: "c0", message: "C0" },
      status: "failed",
      failureReason: "rejected",
      lastError: "Gitea answered 422: refused",
    });
    expect((await memory.failedWrites()).map((w) => w.path)).toEqual(["notes/c.md", "notes"]);
    await memory.commit({ path: "notes/c.md", content: "c1", message: "C1" });
    expect((await memory.failedWrites()).map((w) => w.path)).toEqual(["notes"]);
  });

  it("a write that keeps failing is retried with growing backoff, holds back only its own path, then is set aside", async () => {
    const { userId, memory, git, clock, retries } = await newUser();
    await memory.commit({ path: "f.md", content: "a file", message: "File" });
    // A file cannot also be a directory: git fails this commit inside Gitea (a 500), every time.
    // Waits are measured from just before the call that made the attempt: the service plans from that moment, and
    // the attempt itself (Gitea's in-request retries) and what follows take wall time the wait must not lose.
    let triedAt = Date.now() + clock.offset;
    const stuck = await memory.commit({ path: "f.md/child.md", content: "x", message: "Stuck" });
    expect(stuck.status).toBe("pending");
    const behind = await memory.commit({ path: "f.md/child.md", content: "y", message: "Behind" });
    expect(behind.status).toBe("pending");
    expect(await memory.commit({ path: "other.md", content: "o", message: "Other" })).toMatchObject({
      status: "committed",
    });
    expect(await subjects(userId, git)).toContain("Other");

    const stuckRow = async () =>
      (await rowsOf(userId)).find((r) => r.id === (stuck as { writeId: string }).writeId);
    const waits: number[] = [];
    for (let round = 0; round < MAX_WRITE_ATTEMPTS + 2; round++) {
      const row = await stuckRow();
      if (row?.status !== "pending") break;
      waits.push(row.nextAttemptAt.getTime() - triedAt);
      // Before it is due, a drain leaves it (and the write behind it) alone.
      await memory.drain();
      expect((await stuckRow())?.attempts).toBe(row.attempts);
      clock.offset += 2 * 3_600_000;
      triedAt = Date.now() + clock.offset;
      await memory.drain();
    }
    const row = await stuckRow();
    expect(row).toMatchObject({
      status: "failed",
      failureReason: "retries_exhausted",
      attempts: MAX_WRITE_ATTEMPTS,
    });
    expect(row?.lastError).toMatch(/Gitea answered 5\d\d/);
    // Backoff: each wait longer than the one before (5-10 s first, about 20 min at the end).
    expect(waits[0]).toBeGreaterThan(4_000);
    expect(waits.at(-1)).toBeGreaterThan(9 * 60_000);
    expect(retries.length).toBeGreaterThan(0);
    // The write behind it, on the same path, was never tried while it waited, and goes on now.
    const behindRow = (await rowsOf(userId)).find((r) => r.id === (behind as { writeId: string }).writeId);
    expect(behindRow).toMatchObject({ status: "pending", attempts: 1 });
  }, 120_000);

  it("a Gitea outage of a day charges no write and sets none aside: the writes wait, readable, and land when it returns", async () => {
    const { userId, memory, git, clock, retries, failures } = await newUser();
    await memory.commit({ path: "notes/warm.md", content: "repo exists", message: "Warm up" });
    // Gitea down in each of the ways that count as an outage (unreachable, bad gateway, overloaded, our token refused).
    const outage = [0, 503, 401, 429, 502, 504];
    const down = { on: true, calls: 0 };
    const deps = memoryDeps(memory);
    const service = new MemoryService({
      ...deps,
      userRepo: async (options) => {
        const repo = await deps.userRepo(options);
        if (!repo || !down.on) return repo;
        const failing = new Proxy(repo.client, {
          get: (_client, name) => async () => {
            throw new GiteaError(String(name), outage[down.calls++ % outage.length] ?? 0, "down", undefined);
          },
        });
        return { ...repo, client: failing };
      },
    });
    const first = await service.commit({ path: "notes/day.md", content: "v1", message: "Day 1" });
    const second = await service.commit({ path: "notes/day.md", content: "v2", message: "Day 2" });
    const other = await service.commit({ path: "notes/other.md", content: "o", message: "Other path" });
    for (const result of [first, second, other]) expect(result.status).toBe("pending");
    const ids = [first, second, other].map((r) => (r as { writeId: string }).writeId);
    const ours = async () => (await rowsOf(userId)).filter((r) => ids.includes(r.id));

    // A day of drains (the retry alarm, every half hour), far past the ~1 h a failing write gets before it is set aside.
    const retriesBefore = retries.length;
    for (let drain = 0; drain < 48; drain++) {
      clock.offset += 30 * 60_000;
      expect(await service.drain()).toEqual(new Map());
    }
    expect((await ours()).map((r) => [r.status, r.attempts])).toEqual([
      ["pending", 0],
      ["pending", 0],
      ["pending", 0],
    ]);
    expect(failures).toEqual([]);
    expect(down.calls).toBeGreaterThanOrEqual(48);
    // The run's own waits back off, and stay capped (20 min) however long the outage lasts.
    const waits = retries.slice(retriesBefore);
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(20 * 60_000);
    expect(waits.at(-1)).toBeGreaterThan(9 * 60_000);
    // Meanwhile reads show the newest write, from L1 and from the outbox alike.
    expect(await service.read({ path: "notes/day.md" })).toMatchObject({ content: "v2", source: "l1" });
    const cold = new MemoryService({ ...memoryDeps(service), cache: new MemoryCache() });
    expect(await cold.read({ path: "notes/day.md" })).toMatchObject({ content: "v2", source: "pending" });
    // Listings show each waiting path once, sized as its newest write, over L2's committed files (here without
    // the repository's own entries: the Gitea machine is asleep).
    const offline = new MemoryService({ ...memoryDeps(service), userRepo: async () => null });
    expect(await offline.list({ prefix: "notes" })).toEqual([
      { path: "notes/day.md", type: "file", size: 2, pending: true },
      { path: "notes/other.md", type: "file", size: 1, pending: true },
      { path: "notes/warm.md", type: "file", size: 11 },
    ]);
    expect(await offline.list({ prefix: "" })).toEqual([{ path: "notes", type: "dir", size: 0 }]);

    down.on = false;
    clock.offset += 30 * 60_000;
    expect([...(await service.drain()).keys()].sort()).toEqual([...ids].sort());
    expect((await ours()).map((r) => [r.status, r.attempts])).toEqual([
      ["done", 0],
      ["done", 0],
      ["done", 0],
    ]);
    const landed = await subjects(userId, git);
    expect(landed).toContain("Other path");
    expect(landed.filter((s) => s.startsWith("Day "))).toEqual(["Day 2", "Day 1"]);
  }, 120_000);

  it("120 writes waiting behind a path's head in backoff do not hide another path's write", async () => {
    const { userId, memory, git } = await newUser();
    await memory.commit({ path: "f.md", content: "a file", message: "File" });
    // A file cannot also be a directory: Gitea fails this commit (a 500) and the write backs off.
    const stuck = await memory.commit({ path: "f.md/child.md", content: "x", message: "Stuck" });
    expect(stuck.status).toBe("pending");
    // Its backoff made long enough that it cannot come due while this test runs.
    await db
      .update(outbox)
      .set({ nextAttemptAt: new Date(Date.now() + 3_600_000) })
      .where(eq(outbox.id, (stuck as { writeId: string }).writeId));
    await db.insert(outbox).values(
      Array.from({ length: 120 }, (_, i) => ({
        userId,
        kind: "memory.write",
        idempotencyKey: `${userId}:behind-${i}`,
        payload: { path: "f.md/child.md", content: `behind ${i}`, message: `Behind ${i}` },
      })),
    );

    const next = await memory.commit({ path: "b.md", content: "b", message: "Path B" });
    expect(next.status).toBe("committed");
    expect(await subjects(userId, git)).toContain("Path B");
    // The held path was left alone: its head still waits for its retry, nothing behind it was tried.
    const held = (await rowsOf(userId)).filter(
      (r) => (r.payload as { path: string }).path === "f.md/child.md",
    );
    expect(held).toHaveLength(121);
    expect(held.map((r) => [r.status, r.attempts])).toEqual([
      ["pending", 1],
      ...Array.from({ length: 120 }, () => ["pending", 0]),
    ]);
    // And a read shows the newest of the 121 waiting writes, not one of the oldest hundred.
    const cold = new MemoryService({ ...memoryDeps(memory), cache: new MemoryCache() });
    expect(await cold.read({ path: "f.md/child.md" })).toMatchObject({
      content: "behind 119",
      source: "pending",
    });
  }, 60_000);

  it("a reused Idempotency-Key with a different write is refused (422); the same write replays the first answer", async () => {
    const { userId, memory } = await newUser();
    const first = await memory.commit({
      path: "notes/k.md",
      content: "one",
      message: "K",
      idempotencyKey: "key-1",
    });
    expect(first.status).toBe("committed");
    for (const other of [
      { path: "notes/k.md", content: "two", message: "K" },
      { path: "notes/other.md", content: "one", message: "K" },
      { path: "notes/k.md", content: "one", message: "Different" },
    ]) {
      await expect(memory.commit({ ...other, idempotencyKey: "key-1" })).rejects.toMatchObject({
        status: 422,
        code: "idempotency_key_reused",
      });
    }
    expect(
      await memory.commit({ path: "notes/k.md", content: "one", message: "K", idempotencyKey: "key-1" }),
    ).toEqual(first);
    expect(await rowsOf(userId)).toHaveLength(1);
    expect(await memory.read({ path: "notes/k.md" })).toMatchObject({ content: "one" });
  });

  it("a committed write keeps no content in the outbox, only what a replay needs", async () => {
    const { userId, memory } = await newUser();
    const result = await memory.commit({ path: "notes/secret.md", content: "my secret", message: "S" });
    expect(result.status).toBe("committed");
    const [row] = await rowsOf(userId);
    expect(row?.status).toBe("done");
    expect(JSON.stringify(row?.payload)).not.toContain("my secret");
    expect(row?.payload).toEqual({
      path: "notes/secret.md",
      message: "S",
      contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      commitSha: (result as { commitSha: string }).commitSha,
    });
  });
});

/** The deps a MemoryService was built with, to build a second one with a cold cache. */
function memoryDeps(service: MemoryService) {
  return (service as unknown as { deps: ConstructorParameters<typeof MemoryService>[0] }).deps;
}
