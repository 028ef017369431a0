import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";

/**
 * In production a user's machines (OpenCode, Gitea) run on Fly hardware of their own; here they share the
 * developer's cores with the Worker they serve. OpenCode spends ~10 ms of CPU per streamed text delta (measured:
 * a delta every 10 ms keeps a core busy), so at equal priority it delays the very Worker that relays its events
 * (bench/subagents on 2 cores: relay p99 29–146 ms at equal priority, 13–20 ms with OpenCode at the lowest).
 * A local machine therefore runs at the lowest CPU priority: it still gets every idle cycle, but yields to the
 * platform's own processes, as a separate machine would.
 */
const LOWEST_NICE = 19;

/** Wraps a machine's command so it and every thread it starts run at the lowest priority (`nice` is inherited). */
export function atLowestPriority(command: string, args: string[]): { command: string; args: string[] } {
  return { command: "nice", args: ["-n", String(LOWEST_NICE), command, ...args] };
}

/**
 * `nice` alone is not enough on Linux with autogroup scheduling (the default on desktop kernels and on this
 * machine): a process in a session of its own (ours are, see processes.ts) is weighed as a group against other
 * sessions, and a thread's nice value only counts inside its group. The group's own nice value fixes that.
 * Best effort: kernels without autogroup have no such file, and `nice` already applies there.
 */
export async function lowerSessionPriority(pid: number): Promise<void> {
  const file = `/proc/${pid}/autogroup`;
  if (!existsSync(file)) return;
  await writeFile(file, String(LOWEST_NICE)).catch(() => {});
}
