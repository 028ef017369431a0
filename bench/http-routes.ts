import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { LocalStack } from "../dev/stack";
import { formatProfile, sourceMapResolver, startCpuProfile, summarizeProfile } from "./load/cpu-profile";
import { type Inspector, openInspector } from "./load/inspector";
import { nativeByCaller } from "./load/native-callers";
import { type LoadSettings, type Measurement, measure, type Scenario } from "./measure";
import { cpuPerRequest, sampleProcesses, totalCpu } from "./process-cpu";
import { compare } from "./report";
import { combineRounds } from "./rounds";
import { dbRoundTrips, seedUsersWithThreads } from "./seed";

/**
 * The static route every HTTP scenario is compared with: served by the same Worker in the same run, so the ratios
 * hold whatever machine this runs on.
 */
export const BASELINE: Scenario = { name: "static /api/version", path: "/api/version" };
const THREADS_PER_USER = 20;

export interface RouteProfileOptions {
  /** Where each scenario's raw profile is written (`<dir>/http-<n>.cpuprofile`, for DevTools or speedscope). */
  outDir: string;
  log: (line: string) => void;
}

/**
 * The HTTP routes against the static baseline route of the same Worker, and the warm request's round trips. With
 * `profile`, each measured scenario is also sampled through the Workers' inspector and its self time printed with
 * the Worker CPU per request (busy time over requests served in the window). With several `rounds`, each round
 * measures the baseline and then every route, and each figure is the median over the rounds (rounds.ts).
 */
export async function benchRoutes(
  stack: LocalStack,
  load: LoadSettings,
  options: { profile?: RouteProfileOptions | undefined; rounds?: number } = {},
) {
  const { profile } = options;
  const roundCount = Math.max(1, options.rounds ?? 1);
  // One user per connection, and new users for each round (the warm-up is round 0): each user's requests stay
  // under the per-user rate limit (300 a minute) up to 300 × connections / BENCH_SECONDS requests/s (600 with the
  // defaults), so a fast route is not answered with 429s.
  const tokens = await seedUsersWithThreads(stack, load.connections * (roundCount + 1), THREADS_PER_USER);
  const scenariosOf = (round: number): Scenario[] => [
    { name: "GET /api/health", path: "/api/health" },
    {
      name: `GET /api/threads (auth, ${THREADS_PER_USER} threads)`,
      path: `/api/threads?limit=${THREADS_PER_USER}`,
      connectionHeaders: tokens
        .slice(round * load.connections, (round + 1) * load.connections)
        .map((token) => ({ authorization: `Bearer ${token}` })),
    },
  ];
  // Warm up: first requests pay for isolate start, the first database connection and the user lookup.
  for (const scenario of [BASELINE, ...scenariosOf(0)]) {
    await measure(stack.apiUrl, scenario, { ...load, durationSeconds: 1 });
  }
  const roundTrips = await dbRoundTrips(
    `${stack.apiUrl}/api/threads?limit=${THREADS_PER_USER}`,
    tokens[0] ?? "",
  );

  const inspector = profile ? await openInspector(stack.inspectorUrl()) : undefined;
  try {
    const measured = async (scenario: Scenario) => {
      const before = sampleProcesses();
      const result = await measure(stack.apiUrl, scenario, load);
      const cpu = cpuPerRequest(before, sampleProcesses(), result.requests, process.pid);
      return { ...result, cpuMsPerRequest: cpu, cpuTotalMsPerRequest: totalCpu(cpu) };
    };
    const run = (scenario: Scenario, n: number) =>
      inspector && profile ? profiled(inspector, profile, n, () => measured(scenario)) : measured(scenario);
    const rounds = [];
    for (let round = 1; round <= roundCount; round++) {
      const baseline = await run(BASELINE, 0);
      const results = [baseline];
      for (const [i, scenario] of scenariosOf(round).entries()) results.push(await run(scenario, i + 1));
      rounds.push(compare(baseline, results));
    }
    return { rows: combineRounds(rounds), roundTrips };
  } finally {
    inspector?.close();
  }
}

async function profiled(
  inspector: Inspector,
  { outDir, log }: RouteProfileOptions,
  n: number,
  run: () => Promise<Measurement>,
): Promise<Measurement> {
  const profiler = await startCpuProfile(inspector);
  const result = await run();
  const { profile, maps } = await profiler.stop();
  await writeFile(path.join(outDir, `http-${n}.cpuprofile`), JSON.stringify(profile));
  const resolve = sourceMapResolver(maps);
  const summary = summarizeProfile(profile, resolve, 20);
  const perRequest = result.requests > 0 ? summary.busyMs / result.requests : 0;
  log(`\n${result.name}: ${result.requests} requests, Worker JS ${perRequest.toFixed(2)} ms per request`);
  log(formatProfile(summary));
  log("  native functions by caller:");
  for (const r of nativeByCaller(profile, resolve, 12)) {
    log(`    ${(r.share * 100).toFixed(1).padStart(5)}%  ${String(r.ms).padStart(6)} ms  ${r.label}`);
  }
  return result;
}
