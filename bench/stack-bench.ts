import type { LocalStack } from "../dev/stack";

/** Latency percentiles of a sample, in ms with one decimal. */
export function percentiles(samples: number[]): { n: number; p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { n: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)) };
}

async function timed(url: string, token: string, method: "GET" | "POST"): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { method, headers: { authorization: `Bearer ${token}` } });
  await response.text();
  if (response.status !== 200) throw new Error(`${method} ${url}: ${response.status}`);
  return performance.now() - started;
}

export interface StackBench {
  users: number;
  coldCreateMs: ReturnType<typeof percentiles>;
  wakeFromSuspendedMs: ReturnType<typeof percentiles>;
  warmEnsureMs: ReturnType<typeof percentiles>;
  plainDoRpcMs: ReturnType<typeof percentiles>;
  warmOverheadP50Ms: number;
  warmOverheadP99Ms: number;
}

/**
 * The provisioner's three latencies through the public API, per user: cold create to ready (real OpenCode
 * under dev/fly), wake from suspended to ready, and warm ensureStack against a plain DO RPC (`GET
 * /api/stack/ping`, same middleware), interleaved request by request so both see the same conditions.
 * Sequential and under the per-user rate limit (300/min) by construction.
 */
export async function benchStack(
  stack: LocalStack,
  users: number,
  warmPairs = 120,
  wakes = 3,
): Promise<StackBench> {
  const cold: number[] = [];
  const wake: number[] = [];
  const warm: number[] = [];
  const plain: number[] = [];
  for (let u = 0; u < users; u++) {
    const token = await stack.issuer.mint(`stack-bench-${u}-${crypto.randomUUID().slice(0, 6)}`, {
      ttlSeconds: 3_600,
    });
    const api = `${stack.apiUrl}/api/stack`;
    cold.push(await timed(`${api}/wake`, token, "POST"));
    for (let i = 0; i < wakes; i++) {
      await timed(`${api}/suspend`, token, "POST");
      wake.push(await timed(`${api}/wake`, token, "POST"));
    }
    for (let i = 0; i < 10; i++) await timed(`${api}/ping`, token, "GET"); // warm-up
    for (let i = 0; i < warmPairs; i++) {
      plain.push(await timed(`${api}/ping`, token, "GET"));
      warm.push(await timed(`${api}/wake`, token, "POST"));
    }
    await timed(`${api}/suspend`, token, "POST");
  }
  const warmEnsureMs = percentiles(warm);
  const plainDoRpcMs = percentiles(plain);
  return {
    users,
    coldCreateMs: percentiles(cold),
    wakeFromSuspendedMs: percentiles(wake),
    warmEnsureMs,
    plainDoRpcMs,
    warmOverheadP50Ms: Math.round((warmEnsureMs.p50 - plainDoRpcMs.p50) * 10) / 10,
    warmOverheadP99Ms: Math.round((warmEnsureMs.p99 - plainDoRpcMs.p99) * 10) / 10,
  };
}

export function formatStackBench(result: StackBench): string {
  const row = (name: string, p: { n: number; p50: number; p99: number }) =>
    `${name.padEnd(34)} n=${String(p.n).padStart(4)}  p50 ${String(p.p50).padStart(7)} ms  p99 ${String(p.p99).padStart(7)} ms`;
  return [
    row("stack: cold create → ready", result.coldCreateMs),
    row("stack: wake suspended → ready", result.wakeFromSuspendedMs),
    row("stack: warm POST /api/stack/wake", result.warmEnsureMs),
    row("stack: plain DO RPC (ping)", result.plainDoRpcMs),
    `warm ensureStack over plain DO RPC: p50 +${result.warmOverheadP50Ms} ms, p99 +${result.warmOverheadP99Ms} ms (target < 5 ms)`,
  ].join("\n");
}
