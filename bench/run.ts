import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { repoRoot, startLocalStack } from "../dev/stack";
import { type LoadSettings, measure, type Scenario } from "./measure";
import { compare, formatTable } from "./report";

/**
 * `npm run bench`: each scenario against the static route served by the same Worker in the same run, so the
 * ratios hold whatever machine this runs on. BENCH_SECONDS and BENCH_CONNECTIONS tune the load.
 */
const BASELINE: Scenario = { name: "static /api/version", path: "/api/version" };
const SCENARIOS: Scenario[] = [{ name: "GET /api/health", path: "/api/health" }];

async function main(): Promise<void> {
  const load: LoadSettings = {
    durationSeconds: Number(process.env.BENCH_SECONDS ?? 5),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 10),
  };
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "growqr-bench-"));
  const stack = await startLocalStack({ stateDir, log: () => {} });
  try {
    // Warm up: first requests pay for isolate start and the first database connection.
    for (const scenario of [BASELINE, ...SCENARIOS])
      await measure(stack.apiUrl, scenario, { ...load, durationSeconds: 1 });

    const baseline = await measure(stack.apiUrl, BASELINE, load);
    const results = [baseline];
    for (const scenario of SCENARIOS) results.push(await measure(stack.apiUrl, scenario, load));
    const rows = compare(baseline, results);

    const report = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      load,
      baseline: BASELINE.name,
      results: rows,
    };
    const outDir = path.join(repoRoot, "bench/results");
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);

    console.log(
      `\n${load.connections} connections, ${load.durationSeconds} s per scenario, ${os.cpus().length} CPUs\n`,
    );
    console.log(formatTable(rows));
    console.log("\nwritten to bench/results/latest.json");
    const failures = rows.filter((r) => r.non2xx + r.errors > 0);
    if (failures.length > 0) {
      console.error(`\nscenarios with failed requests: ${failures.map((r) => r.name).join(", ")}`);
      process.exitCode = 1;
    }
  } finally {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error("bench failed:", error instanceof Error ? error.message : error);
  process.exit(1);
});
