import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time by role of the processes this benchmark started, from /proc (Linux; empty elsewhere). On two cores a
 * route's latency under load follows the CPU it costs across every process, not the Worker's alone: this shows
 * where a route's CPU goes (the Workers, wrangler's dev server, the database, the load generator).
 */

export type CpuRole = "workerd" | "wrangler (node)" | "database (PGlite)" | "bench (load, Neon proxy)";
export const CPU_ROLES: CpuRole[] = [
  "workerd",
  "wrangler (node)",
  "database (PGlite)",
  "bench (load, Neon proxy)",
];

export interface ProcessSample {
  pid: number;
  ppid: number;
  cmdline: string;
  /** user + system CPU, in clock ticks. */
  ticks: number;
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in hundredths of a second on every architecture we run. */
const MS_PER_TICK = 10;

export function roleOf(sample: ProcessSample, benchPid: number): CpuRole | undefined {
  if (sample.pid === benchPid) return "bench (load, Neon proxy)";
  if (sample.cmdline.includes("db-server")) return "database (PGlite)";
  if (sample.cmdline.includes("workerd")) return "workerd";
  if (sample.cmdline.includes("wrangler")) return "wrangler (node)";
  return undefined;
}

/** Only the bench's own process tree: another job on the machine is not part of a route's cost. */
export function descendantsOf(samples: ProcessSample[], root: number): ProcessSample[] {
  const byParent = new Map<number, ProcessSample[]>();
  for (const s of samples) {
    const siblings = byParent.get(s.ppid);
    if (siblings) siblings.push(s);
    else byParent.set(s.ppid, [s]);
  }
  const out: ProcessSample[] = [];
  const queue = samples.filter((s) => s.pid === root);
  while (queue.length > 0) {
    const next = queue.shift() as ProcessSample;
    out.push(next);
    queue.push(...(byParent.get(next.pid) ?? []));
  }
  return out;
}

/**
 * CPU ms per request by role between two samples of the same tree. A process that started meanwhile counts in
 * full; one that ended meanwhile is missing (the stack's processes live through a scenario).
 */
export function cpuPerRequest(
  before: ProcessSample[],
  after: ProcessSample[],
  requests: number,
  benchPid: number,
): Partial<Record<CpuRole, number>> {
  const previous = new Map(before.map((s) => [s.pid, s.ticks]));
  const out: Partial<Record<CpuRole, number>> = {};
  for (const sample of descendantsOf(after, benchPid)) {
    const role = roleOf(sample, benchPid);
    if (!role || requests <= 0) continue;
    const ms = (sample.ticks - (previous.get(sample.pid) ?? 0)) * MS_PER_TICK;
    out[role] = (out[role] ?? 0) + ms / requests;
  }
  return out;
}

export function sampleProcesses(): ProcessSample[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const samples: ProcessSample[] = [];
  for (const pid of pids) {
    try {
      // The command name in parentheses may hold spaces: fields are counted after its closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      samples.push({
        pid: Number(pid),
        ppid: Number(fields[1]),
        cmdline: readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "),
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return samples;
}

export const totalCpu = (byRole: Partial<Record<CpuRole, number>>): number =>
  Object.values(byRole).reduce((sum, ms) => sum + (ms ?? 0), 0);
