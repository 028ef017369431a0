import { readFile } from "node:fs/promises";

/** Linux reports process times in clock ticks; 100 per second on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) a process has used so far, in seconds; undefined off Linux. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Runs `work` and returns its result with the share of one core the process used meanwhile (percent). */
export async function withCpuShare<T>(
  pid: number | undefined,
  work: () => Promise<T>,
): Promise<{ result: T; cpuPercent?: number }> {
  const before = pid === undefined ? undefined : await cpuSeconds(pid);
  const started = performance.now();
  const result = await work();
  const after = pid === undefined ? undefined : await cpuSeconds(pid);
  const seconds = (performance.now() - started) / 1_000;
  if (before === undefined || after === undefined || seconds <= 0) return { result };
  return { result, cpuPercent: Math.round(((after - before) / seconds) * 100) };
}
