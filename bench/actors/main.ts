import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { benchActors, formatActorBench } from "./actor-bench";

/**
 * The actor benchmark alone (`npx tsx bench/actors/main.ts`): GrowQR vs the Agents SDK vs a plain DO;
 * `npm run bench` runs it too. Writes bench/results/actors.json. Settings: BENCH_ACTOR_SAMPLES, _WARMUP,
 * _ENCODING, _CLIENTS, _BROADCASTS; BENCH_ACTOR_BASE reuses a fixture Worker started by hand.
 */
async function main(): Promise<void> {
  const result = await benchActors();
  const report = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    actors: result,
  };
  const outDir = path.resolve(import.meta.dirname, "../results");
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, "actors.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${formatActorBench(result)}\n\nwritten to bench/results/actors.json`);
}

main().catch((error: unknown) => {
  console.error("actor bench failed:", error instanceof Error ? error.message : error);
  process.exit(1);
});
