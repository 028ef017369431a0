import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../dev/stack";
import { benchActors, formatActorBench } from "./actors/actor-bench";
import { benchAgent, createModelProbe, formatAgentBench } from "./agent/agent-bench";
import { benchSendPath, formatSendPath } from "./agent/send-path";
import { webInitialJsGzipKb, workerBundleGzipKb } from "./bundle-size";
import { onFreshStack } from "./fresh-stack";
import { BASELINE, benchRoutes } from "./http-routes";
import type { LoadSettings } from "./measure";
import { benchMemory, formatMemoryBench } from "./memory/memory-bench";
import { compareRuns, repeatabilityMarkdown } from "./repeatability";
import { formatCpuTable, formatTable } from "./report";
import { runToCompletion } from "./run-command";
import { benchStack, formatStackBench } from "./stack-bench";
import { benchSubAgents, formatSubAgentBench } from "./subagents/subagent-bench";
import { type BenchReport, KEPT_MARKER, summaryMarkdown, summaryRows } from "./summary";

/**
 * `npm run bench`: each scenario against the static route served by the same Worker in the same run, so the
 * ratios hold whatever machine this runs on. BENCH_SECONDS and BENCH_CONNECTIONS tune the load; BENCH_ONLY=http
 * runs only the HTTP routes (BENCH_PROFILE=1 adds their CPU profiles, BENCH_ROUNDS=n takes the median of n rounds)
 * and writes no report.
 */
async function main(): Promise<void> {
  const load: LoadSettings = {
    durationSeconds: Number(process.env.BENCH_SECONDS ?? 5),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 10),
  };
  if (process.env.BENCH_ONLY === "http") return httpOnly(load);
  const modelProbe = createModelProbe();
  const shared = await onFreshStack(
    "growqr-bench-",
    async (stack, state) => {
      const { rows, roundTrips } = await benchRoutes(stack, load);
      return {
        rows,
        roundTrips,
        machinesInMemory: state.machinesInMemory,
        stackResult: await benchStack(stack, Number(process.env.BENCH_STACKS ?? 2)),
        agentResult: await benchAgent(stack, modelProbe),
        sendPathResult: await benchSendPath(stack),
        memoryResult: await benchMemory(stack),
      };
    },
    { devModel: { onEvent: modelProbe.onEvent } },
  );
  // On a stack of its own: in the same workerd after everything above, the relay had stalls that a fresh stack
  // did not show (figures: docs/status.md, item 1).
  const subAgentResult = await onFreshStack("growqr-bench-sub-", benchSubAgents);
  const bundles = {
    workerGzipKb: await workerBundleGzipKb(),
    webInitialJsGzipKb: await webInitialJsGzipKb(),
  };
  // Starts and stops its own fixture Worker (bench/actors/fixture: RivetKit driver, Agents SDK peer, plain DO).
  const actorsResult = await benchActors();
  const { rows, roundTrips, machinesInMemory, stackResult, agentResult, sendPathResult, memoryResult } =
    shared;

  const report = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version, machinesInMemory },
    load,
    baseline: BASELINE.name,
    results: rows,
    dbRoundTripsPerWarmThreadsRequest: roundTrips,
    stack: stackResult,
    actors: actorsResult,
    agent: agentResult,
    sendPath: sendPathResult,
    memory: memoryResult,
    subAgents: subAgentResult,
    bundles,
  };
  const outDir = path.join(repoRoot, "bench/results");
  await mkdir(outDir, { recursive: true });
  const previous = await previousReport(path.join(outDir, "latest.json"), report.machine);
  const repeat = previous ? compareRuns(previous, report) : [];
  await writeFile(path.join(outDir, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  const summary = summaryRows(report);
  await mkdir(path.join(repoRoot, "docs"), { recursive: true });
  const summaryFile = path.join(repoRoot, "docs/benchmarks.md");
  const kept = await readFile(summaryFile, "utf8").then(
    (text) => (text.includes(KEPT_MARKER) ? text.slice(text.indexOf(KEPT_MARKER)) : ""),
    () => "",
  );
  await writeFile(
    summaryFile,
    summaryMarkdown(summary, {
      measuredAt: report.measuredAt,
      machine: `${report.machine.cpus} CPUs, Node ${report.machine.node}, dev/fly machines ${machinesInMemory ? "in memory (bench/state-dir.ts)" : "on disk"}`,
    }) +
      (previous ? `\n${repeatabilityMarkdown(repeat, previous.measuredAt)}` : "") +
      (kept ? `\n${kept}` : ""),
  );
  // Aligned the way `npm run check` wants every markdown file.
  await runToCompletion(process.execPath, [
    path.join(repoRoot, "node_modules/@biomejs/biome/bin/biome"),
    "format",
    "--write",
    summaryFile,
  ]);

  console.log(
    `\n${load.connections} connections, ${load.durationSeconds} s per scenario, ${os.cpus().length} CPUs\n`,
  );
  console.log(formatTable(rows));
  console.log(`\n${formatCpuTable(rows)}`);
  console.log(`\ndatabase round-trips per warm GET /api/threads: ${roundTrips} (target 1)`);
  console.log(`\n${formatStackBench(stackResult)}`);
  console.log(`\n${formatActorBench(actorsResult)}`);
  console.log(`\n${formatAgentBench(agentResult)}`);
  console.log(`\n${formatSendPath(sendPathResult)}`);
  console.log(`\n${formatMemoryBench(memoryResult)}`);
  console.log(`\n${formatSubAgentBench(subAgentResult)}`);
  if (previous) {
    const within = repeat.filter((r) => r.within).length;
    console.log(
      `\nrepeatability against ${previous.measuredAt}: ${within}/${repeat.length} figures within tolerance`,
    );
    for (const r of repeat.filter((row) => !row.within)) {
      console.log(`  outside: ${r.figure} ${r.previous} → ${r.current}`);
    }
  }
  console.log("\nwritten to bench/results/latest.json and docs/benchmarks.md");
  const failures = rows.filter((r) => r.non2xx + r.errors > 0);
  if (failures.length > 0) {
    console.error(`\nscenarios with failed requests: ${failures.map((r) => r.name).join(", ")}`);
    process.exitCode = 1;
  }
}

/** The HTTP rows alone, for working on a route: printed, not written to the report or docs/benchmarks.md. */
async function httpOnly(load: LoadSettings): Promise<void> {
  const outDir = path.join(repoRoot, "bench/results");
  await mkdir(outDir, { recursive: true });
  const log = (line: string) => console.log(line);
  const profile = process.env.BENCH_PROFILE === "1" ? { outDir, log } : undefined;
  const { rows, roundTrips } = await onFreshStack("growqr-bench-http-", (stack) =>
    benchRoutes(stack, load, { profile, rounds: Number(process.env.BENCH_ROUNDS ?? 1) }),
  );
  console.log(
    `\n${load.connections} connections, ${load.durationSeconds} s per scenario, ${os.cpus().length} CPUs\n`,
  );
  console.log(formatTable(rows));
  console.log(`\n${formatCpuTable(rows)}`);
  console.log(`\ndatabase round-trips per warm GET /api/threads: ${roundTrips} (target 1)`);
  if (rows.some((r) => r.non2xx + r.errors > 0)) process.exitCode = 1;
}

/**
 * The last run's report, if it was made on a machine with as many CPUs and with the machines' state on the same
 * kind of storage (otherwise not comparable; reports from before that was recorded are not either).
 */
async function previousReport(
  file: string,
  machine: { cpus: number; machinesInMemory: boolean },
): Promise<(BenchReport & { measuredAt: string }) | undefined> {
  try {
    const report = JSON.parse(await readFile(file, "utf8")) as BenchReport & {
      measuredAt: string;
      machine?: { cpus?: number; machinesInMemory?: boolean };
    };
    const comparable =
      report.machine?.cpus === machine.cpus && report.machine?.machinesInMemory === machine.machinesInMemory;
    return comparable ? report : undefined;
  } catch {
    return undefined;
  }
}

main().catch((error: unknown) => {
  console.error("bench failed:", error instanceof Error ? error.message : error);
  process.exit(1);
});
