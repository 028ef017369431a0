import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

const COLORS = [36, 35, 33, 32, 34, 31];
let nextColor = 0;

// wrangler retries Cloudflare's edge for `Request.cf` and prints a stack each time; offline that is pure noise.
const NOISE = /workers\.cloudflare\.com|Request\.cf|GetAddrInfoReqWrap|^\s*at .*node:(dns|internal)/;

/** Writes each line with a coloured `[name]` prefix so one terminal can carry every service. */
export function prefixedLog(name: string): (line: string) => void {
  const color = COLORS[nextColor++ % COLORS.length];
  const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
  const prefix = useColor ? `\x1b[${color}m[${name}]\x1b[0m ` : `[${name}] `;
  return (line) => process.stdout.write(`${prefix}${line}\n`);
}

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): ManagedProcess {
  const log = options.log ?? prefixedLog(name);
  // Own process group, so stop() also reaches grandchildren (workerd under wrangler, esbuild under vite).
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      if (line.trim() && !NOISE.test(line)) log(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    // A command that cannot be started (missing, not executable) never exits: report it and count it as ended.
    child.once("error", (error) => {
      log(`could not start ${command}: ${error.message}`);
      resolve(null);
    });
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };

  return {
    name,
    child,
    exited,
    async stop() {
      signalGroup("SIGTERM");
      const forced = setTimeout(() => signalGroup("SIGKILL"), 5_000);
      await exited;
      clearTimeout(forced);
      // The group leader may exit first; make sure nothing it started lingers on a port.
      signalGroup("SIGKILL");
    },
  };
}

/** Polls `url` until it answers with one of `okStatuses`, or fails after `timeoutMs`. */
export async function waitForHttp(
  url: string,
  { timeoutMs = 60_000, okStatuses = [200] }: { timeoutMs?: number; okStatuses?: number[] } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "no answer";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (okStatuses.includes(response.status)) return;
      lastError = `status ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${lastError})`);
}
