import { writeFile } from "node:fs/promises";
import path from "node:path";
import { createClient } from "rivetkit/client";
import { formatProfile, sourceMapResolver, startCpuProfile, summarizeProfile } from "../load/cpu-profile";
import { openInspector } from "../load/inspector";
import { median } from "../rounds";
import { httpSides, type PathSides, startFixture, webSocketSides } from "./actor-bench";
import type { registry } from "./fixture/registry";
import { settingsFromEnv } from "./report";
import { interleaved, latency, ratio, type Side } from "./stats";

/**
 * The loop for working on the actor paths (`npx tsx bench/actors/paths.main.ts`): only the WebSocket and HTTP
 * action paths, without the broadcast, so a round takes seconds rather than minutes. Per path:
 *  1. interleaved latency of the three sides, as actor-bench.ts measures it (BENCH_ACTOR_SAMPLES, default 2000),
 *     repeated BENCH_ACTOR_ROUNDS times (default 1), with the median of each figure over the rounds;
 *  2. with BENCH_ACTOR_PROFILE=1, each side ALONE under the Worker's CPU profiler (BENCH_ACTOR_PROFILE_CALLS
 *     calls, default 2000): busy Worker samples, the bench process's own CPU per call (the client's
 *     share of a round trip), and GrowQR's self time by source and function. Raw profiles go to
 *     bench/results/actors-<path>-<side>.cpuprofile. Profiling slows the Worker: take ratios from step 1.
 * BENCH_ACTOR_PATHS=ws|http limits it to one path.
 */
async function main(): Promise<void> {
  const settings = settingsFromEnv();
  const rounds = Number(process.env.BENCH_ACTOR_ROUNDS ?? 1);
  const profile = process.env.BENCH_ACTOR_PROFILE === "1";
  const profileCalls = Number(process.env.BENCH_ACTOR_PROFILE_CALLS ?? 2000);
  const only = process.env.BENCH_ACTOR_PATHS;
  const fixture = await startFixture();
  const client = createClient<typeof registry>({
    endpoint: `${fixture.base}/api/rivet`,
    encoding: settings.encoding,
  });
  const run = crypto.randomUUID().slice(0, 8);
  try {
    const paths: Array<[string, () => Promise<PathSides>]> = [
      ["ws", () => webSocketSides(fixture.base, client, run)],
      ["http", async () => httpSides(fixture.base, client, run)],
    ];
    for (const [name, open] of paths) {
      if (only && only !== name) continue;
      const sides = await open();
      try {
        await interleaved(settings.warmup, sides.sides);
        const figures: Record<string, number[]> = {};
        for (let r = 0; r < rounds; r++) {
          const samples = await interleaved(settings.samples, sides.sides);
          const [rivet, agents, plain] = [
            latency(samples.rivet),
            latency(samples.agents),
            latency(samples.plain),
          ];
          const row = {
            "rivet p50": rivet.p50,
            "agents p50": agents.p50,
            "plain p50": plain.p50,
            "rivet p99": rivet.p99,
            "agents p99": agents.p99,
            "plain p99": plain.p99,
            "p50 vs agents": ratio(rivet.p50, agents.p50),
            "p50 vs plain": ratio(rivet.p50, plain.p50),
            "p99 vs agents": ratio(rivet.p99, agents.p99),
            "p99 vs plain": ratio(rivet.p99, plain.p99),
          };
          console.log(`${name} round ${r + 1}: ${JSON.stringify(row)}`);
          for (const [k, v] of Object.entries(row)) figures[k] = [...(figures[k] ?? []), v];
        }
        const medians = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, median(v)]));
        console.log(`${name} median of ${rounds}: ${JSON.stringify(medians)}`);
        if (profile && fixture.inspectorUrl) {
          for (const side of ["rivet", "agents", "plain"] as Side[]) {
            await profileSide(fixture.inspectorUrl, `${name}-${side}`, sides.sides[side], profileCalls);
          }
        }
      } finally {
        await sides.close();
      }
    }
  } finally {
    await fixture.stop();
  }
}

async function profileSide(
  inspectorUrl: string,
  label: string,
  call: (i: number) => Promise<void>,
  calls: number,
): Promise<void> {
  const inspector = await openInspector(inspectorUrl);
  try {
    const profiler = await startCpuProfile(inspector);
    const cpu = process.cpuUsage();
    for (let i = 0; i < calls; i++) await call(i);
    const used = process.cpuUsage(cpu);
    const { profile, maps } = await profiler.stop();
    const summary = summarizeProfile(profile, sourceMapResolver(maps), 25);
    const out = path.resolve(import.meta.dirname, `../results/actors-${label}.cpuprofile`);
    await writeFile(out, JSON.stringify(profile));
    const perCall = (ms: number) => ((ms / calls) * 1_000).toFixed(1);
    // The profiler samples far less often than asked here (every 4-11 ms), so busy time is close to wall time:
    // compare sides on their busy sample counts and read the shares, not the milliseconds.
    const busySamples = Math.round(
      (profile.samples?.length ?? 0) * (summary.busyMs / (summary.busyMs + summary.idleMs || 1)),
    );
    console.log(
      `\n${label}: ${busySamples} busy Worker samples over ${calls} calls, bench process CPU ${perCall((used.user + used.system) / 1_000)} µs/call`,
    );
    if (label.endsWith("rivet")) console.log(formatProfile(summary));
  } finally {
    inspector.close();
  }
}

main().catch((error: unknown) => {
  console.error("actor profile failed:", error);
  process.exit(1);
});
