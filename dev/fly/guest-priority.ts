import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";

/**
 * In production a user's machines (OpenCode, Gitea) run on Fly hardware of their own; here they share the
 * developer's cores with the Worker they serve. OpenCode spends ~10 ms of CPU per streamed text delta, so at equal
 * priority it delays the very Worker that relays its events (figures: docs/status.md). A local
 * machine therefore runs at the lowest CPU priority: it still gets every idle cycle, but yields to the platform's
 * own processes, as a separate machine would.
 */
const LOWEST_NICE = 19;
/** Without CAP_SYS_ADMIN, Linux allows one autogroup change per 100 ms machine-wide (EAGAIN otherwise). */
const AUTOGROUP_RETRY_MS = 110;
const AUTOGROUP_ATTEMPTS = 20;

/** Wraps a machine's command so it and every thread it starts run at the lowest priority (`nice` is inherited). */
export function atLowestPriority(command: string, args: string[]): { command: string; args: string[] } {
  return { command: "nice", args: ["-n", String(LOWEST_NICE), command, ...args] };
}

/**
 * `nice` alone is not enough on Linux with autogroup scheduling (the default on desktop kernels and on this
 * machine): a process in a session of its own (ours are, see processes.ts) is weighed as a group against other
 * sessions, and a thread's nice value only counts inside its group. The group's own nice value fixes that.
 * Kernels without autogroup have no such file, and `nice` already applies there. A stack starts its machines
 * together, so a change refused for the rate limit is retried; any other failure is logged, never fatal.
 */
export async function lowerSessionPriority(pid: number, log: (line: string) => void): Promise<void> {
  const file = `/proc/${pid}/autogroup`;
  if (!existsSync(file)) return;
  for (let attempt = 1; ; attempt++) {
    try {
      await writeFile(file, String(LOWEST_NICE));
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EAGAIN" && attempt < AUTOGROUP_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, AUTOGROUP_RETRY_MS));
        continue;
      }
      log(`could not lower the machine's CPU priority for its session (${code ?? String(error)})`);
      return;
    }
  }
}

export interface CpuPriority {
  /** The process's nice value. */
  nice: number;
  /** Its autogroup's nice value; undefined without autogroup scheduling. */
  sessionNice?: number;
}

/** What a process really runs at, read back from /proc (Linux only). */
export async function readCpuPriority(pid: number): Promise<CpuPriority> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const nice = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
  const autogroup = await readFile(`/proc/${pid}/autogroup`, "utf8").catch(() => undefined);
  const sessionNice = autogroup?.match(/nice (-?\d+)/)?.[1];
  return { nice, ...(sessionNice === undefined ? {} : { sessionNice: Number(sessionNice) }) };
}
