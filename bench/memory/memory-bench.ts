import { performance } from "node:perf_hooks";
import ws from "ws";
import type { LocalStack } from "../../dev/stack";
import { createLogger } from "../../platform/logger";
import { threads, users } from "../../schema";
import { createDb } from "../../schema/db";
import { createGitManager } from "../../worker/src/git/git-manager";
import { MemoryCache } from "../../worker/src/memory/memory-cache";
import { MemoryService } from "../../worker/src/memory/memory-service";
import { type Latency, latency, ratio } from "../actors/stats";

export interface MemoryBenchResult {
  readL1: Latency;
  readL3: Latency;
  /** How many times faster a hot read is than one from the repository. */
  l3OverL1P50: number;
  commit: Latency;
}

/**
 * The memory service in this process against the stack's Postgres (Neon driver through the proxy) and its
 * Gitea: `read_memory` from L1 vs L3 on the same file, and `commit_memory` (outbox row + one real commit).
 */
export async function benchMemory(
  stack: LocalStack,
  samples = Number(process.env.BENCH_MEMORY_SAMPLES ?? 50),
) {
  const db = createDb({ databaseUrl: stack.databaseUrl, wsProxy: stack.wsProxy, webSocketConstructor: ws });
  const log = createLogger({ service: "bench" }, () => {});
  try {
    const [user] = await db
      .insert(users)
      .values({ clerkUserId: `bench-memory-${crypto.randomUUID()}` })
      .returning();
    const userId = user?.id ?? "";
    await db.insert(threads).values({ userId });
    const git = createGitManager(
      {
        GITEA_URL: stack.gitea.url,
        GITEA_ADMIN_TOKEN: stack.gitea.adminToken,
        GITEA_TOKEN_KEY: stack.gitea.tokenKey,
      },
      db,
      log,
    );
    const service = (cache: MemoryCache) =>
      new MemoryService({
        db,
        userId,
        userRepo: async () => (await git).userRepo(userId),
        cache,
        scheduleRetry: () => {},
        log,
      });
    const hot = service(new MemoryCache());
    const commits: number[] = [];
    for (let i = 0; i < samples + 3; i++) {
      const start = performance.now();
      await hot.commit({ path: "notes/bench.md", content: `version ${i}\n`, message: `Bench ${i}` });
      if (i >= 3) commits.push(performance.now() - start);
    }
    const timed = async (read: () => Promise<unknown>) => {
      const out: number[] = [];
      for (let i = 0; i < samples + 3; i++) {
        const start = performance.now();
        await read();
        if (i >= 3) out.push(performance.now() - start);
      }
      return out;
    };
    const l1 = await timed(() => hot.read({ path: "notes/bench.md" }));
    // A cache of size 0 never holds anything: every read goes to Gitea.
    const cold = service(new MemoryCache(0));
    const l3 = await timed(() => cold.read({ path: "notes/bench.md" }));
    const readL1 = latency(l1);
    const readL3 = latency(l3);
    return { readL1, readL3, l3OverL1P50: ratio(readL3.p50, readL1.p50), commit: latency(commits) };
  } finally {
    await db.$client.end();
  }
}

export function formatMemoryBench(result: MemoryBenchResult): string {
  return [
    "Memory (service in Node; stack's Postgres and Gitea)",
    `  read_memory from L1: p50 ${result.readL1.p50} ms, p99 ${result.readL1.p99} ms (n=${result.readL1.n})`,
    `  read_memory from L3 (Gitea): p50 ${result.readL3.p50} ms, p99 ${result.readL3.p99} ms → L1 is ${result.l3OverL1P50}× faster at p50`,
    `  commit_memory (outbox + one commit): p50 ${result.commit.p50} ms, p99 ${result.commit.p99} ms (n=${result.commit.n})`,
  ].join("\n");
}
