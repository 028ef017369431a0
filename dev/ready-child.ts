import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface ReadyChild<T> {
  /** What the script printed as its first line (JSON) once it was ready. */
  ready: T;
  /** Exits when the child does: a server that dies under a test or benchmark should not go unnoticed. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Runs a dev server script (TypeScript, through tsx on this Node) as a child process that prints one JSON line when
 * ready. For servers that must not share an event loop with the caller (a CPU-heavy embedded database next to a
 * latency benchmark) or that cannot load under the caller's resolve conditions (the workerd test project).
 */
export async function startReadyChild<T>(script: string, args: string[] = []): Promise<ReadyChild<T>> {
  const child = spawnScript(script, args);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = await new Promise<T>((resolve, reject) => {
    void exited.then((code) => reject(new Error(`${script} exited with code ${code}`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(
          new Error(`${script} printed ${JSON.stringify(line.slice(0, 200))} instead of its ready line`),
        );
      }
    });
  });
  return {
    ready,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * Runs a script (TypeScript, through tsx) to its end in a process of its own and returns what it printed on
 * stdout, parsed as JSON. `env` is added to this process's environment (input that should not show in `ps`).
 */
export async function runJsonChild<T>(script: string, env: Record<string, string>): Promise<T> {
  const child = spawnScript(script, [], env);
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  // "close", not "exit": only then has all of stdout been read.
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const output = Buffer.concat(chunks).toString("utf8");
  if (code !== 0) throw new Error(`${script} exited with code ${code}`);
  try {
    return JSON.parse(output) as T;
  } catch {
    throw new Error(`${script} printed ${JSON.stringify(output.slice(0, 200))}, not JSON`);
  }
}

function spawnScript(script: string, args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, [path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"), script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
}
