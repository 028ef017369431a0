import { readdir, readFile } from "node:fs/promises";
import { cpuSeconds } from "../subagents/process-cpu";

/** What the stack has spent so far: CPU of every workerd process (both Workers, all actors) and database work. */
export interface CostSample {
  workerCpuSeconds: number;
  dbRoundTrips: number;
}

/** Per completed turn, between two samples. */
export interface TurnCost {
  workerCpuMs: number;
  dbRoundTrips: number;
  /** Calls into the main Worker's Durable Objects (fetch, RPC, alarm), when counted; per `file#method` below. */
  doRequests?: number;
  doRequestsByEntry?: Record<string, number>;
}

/** The pids of the workerd processes running now (`wrangler dev` starts one for both Workers). */
async function workerdPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const command = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (command.split("\0")[0]?.endsWith("workerd")) pids.push(Number(entry));
  }
  return pids;
}

/**
 * A sample taken before and after the load window. Worker CPU is read from `/proc` (Linux; 0 elsewhere), so it
 * counts everything workerd did in that window, which during the run is the users' turns. Round trips are counted
 * by the Neon WebSocket proxy; a database fault replaces the proxy and resets its count, so the cost of a turn is
 * only reported for runs without faults.
 */
export async function sampleCost(wsProxy: string): Promise<CostSample> {
  let workerCpuSeconds = 0;
  for (const pid of await workerdPids()) workerCpuSeconds += (await cpuSeconds(pid)) ?? 0;
  const stats = (await (await fetch(`http://${wsProxy}/stats`)).json()) as { roundTrips: number };
  return { workerCpuSeconds, dbRoundTrips: stats.roundTrips };
}

export function costPerTurn(
  before: CostSample,
  after: CostSample,
  turns: number,
  doRequests?: Map<string, number>,
): TurnCost | undefined {
  if (turns <= 0) return undefined;
  const round = (n: number) => Math.round(n * 10) / 10;
  const cost: TurnCost = {
    workerCpuMs: round(((after.workerCpuSeconds - before.workerCpuSeconds) * 1_000) / turns),
    dbRoundTrips: round((after.dbRoundTrips - before.dbRoundTrips) / turns),
  };
  if (!doRequests) return cost;
  const byEntry = [...doRequests]
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => [key, round(n / turns)] as const);
  return {
    ...cost,
    doRequests: round([...doRequests.values()].reduce((a, b) => a + b, 0) / turns),
    doRequestsByEntry: Object.fromEntries(byEntry),
  };
}
