import { performance } from "node:perf_hooks";
import type { LocalStack } from "../../dev/stack";
import { type Latency, latency } from "../actors/stats";
import { benchUser } from "../agent/bench-user";

export interface MemoryBenchResult {
  /** The user's Gitea machine up. */
  warm: {
    /** A committed file: the newest version from Postgres (L2), no Gitea call. */
    readL2: Latency;
    /** A file only git has (bootstrap's README): the user's Gitea machine through the provisioner and the edge. */
    readGit: Latency;
    /** Outbox row + one commit in the user's repository, answered `committed`. */
    commit: Latency;
  };
  /** The stack suspended before each sample (`POST /api/stack/suspend`). */
  suspended: {
    readL2: Latency;
    /** 503 `memory_waking`, then retried every 50 ms until the content comes: the wake plus the read. */
    readMiss: Latency;
    /** The write's answer: stored, then up to the wake's wait (`committed` or `pending`). */
    commitAcknowledged: Latency;
    /** Until the commit is in the repository's history. */
    commitInGit: Latency;
  };
}

/**
 * Memory as a user reaches it: over REST to the Worker, through the Grow Agent for writes, the provisioner for the
 * machine's address, dev/fly's edge to the user's own Gitea machine (dev/gitea). Warm figures and figures on a
 * suspended stack, from the same run.
 */
export async function benchMemory(
  stack: LocalStack,
  samples = Number(process.env.BENCH_MEMORY_SAMPLES ?? 50),
  suspendedSamples = Number(process.env.BENCH_MEMORY_SUSPENDED_SAMPLES ?? 8),
): Promise<MemoryBenchResult> {
  const user = await benchUser(stack, "bench-memory");
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.apiUrl}${path}`, { ...init, headers: user.headers });
  let version = 0;
  const write = async () => {
    const message = `Bench ${++version}`;
    const response = await api("/api/memory/file", {
      method: "PUT",
      body: JSON.stringify({ path: "notes/bench.md", content: `version ${version}\n`, message }),
    });
    if (!response.ok) throw new Error(`memory write answered ${response.status}: ${await response.text()}`);
    await response.body?.cancel();
    return message;
  };
  const read = async (path: string) => {
    const response = await api(`/api/memory/file?path=${encodeURIComponent(path)}`);
    const body = await response.text();
    return { status: response.status, body };
  };
  const readOk = async (path: string) => {
    const { status, body } = await read(path);
    if (status !== 200) throw new Error(`memory read of ${path} answered ${status}: ${body}`);
  };
  const newestCommit = async () => {
    const response = await api("/api/memory/history?path=notes%2Fbench.md&limit=1");
    if (!response.ok) return undefined;
    return ((await response.json()) as { items: Array<{ message: string }> }).items[0]?.message;
  };
  const suspend = async () => {
    const response = await api("/api/stack/suspend", { method: "POST" });
    await response.body?.cancel();
  };
  const timed = async (times: number, run: () => Promise<unknown>, before?: () => Promise<unknown>) => {
    const out: number[] = [];
    for (let i = 0; i < times; i++) {
      await before?.();
      const start = performance.now();
      await run();
      out.push(performance.now() - start);
    }
    return out;
  };

  // Warm-up: the first write creates the Gitea machine and bootstraps the repository.
  for (let i = 0; i < 3; i++) await write();
  const warm = {
    commit: latency(await timed(samples, write)),
    readL2: latency(await timed(samples, () => readOk("notes/bench.md"))),
    readGit: latency(await timed(samples, () => readOk("system/README.md"))),
  };

  await suspend();
  const suspendedReadL2 = latency(await timed(samples, () => readOk("notes/bench.md")));
  const readMiss = latency(
    await timed(
      suspendedSamples,
      async () => {
        for (;;) {
          const { status } = await read("system/README.md");
          if (status === 200) return;
          if (status !== 503) throw new Error(`a read on a suspended stack answered ${status}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      suspend,
    ),
  );
  const acknowledged: number[] = [];
  const inGit: number[] = [];
  for (let i = 0; i < suspendedSamples; i++) {
    await suspend();
    const start = performance.now();
    const message = await write();
    acknowledged.push(performance.now() - start);
    while ((await newestCommit()) !== message) await new Promise((resolve) => setTimeout(resolve, 50));
    inGit.push(performance.now() - start);
  }
  return {
    warm,
    suspended: {
      readL2: suspendedReadL2,
      readMiss,
      commitAcknowledged: latency(acknowledged),
      commitInGit: latency(inGit),
    },
  };
}

export function formatMemoryBench({ warm, suspended }: MemoryBenchResult): string {
  const row = (name: string, l: Latency) => `  ${name}: p50 ${l.p50} ms, p99 ${l.p99} ms (n=${l.n})`;
  return [
    "Memory over REST (the Worker, the Grow Agent for writes, the user's own Gitea machine under dev/fly)",
    row("read_memory, L2 hit (Postgres)", warm.readL2),
    row("read_memory from git (the user's Gitea machine)", warm.readGit),
    row("commit_memory", warm.commit),
    row("suspended stack: read_memory, L2 hit (no wake)", suspended.readL2),
    row("suspended stack: read_memory, miss (wakes Gitea, then reads)", suspended.readMiss),
    row("suspended stack: commit_memory acknowledged", suspended.commitAcknowledged),
    row("suspended stack: commit_memory in git", suspended.commitInGit),
  ].join("\n");
}
