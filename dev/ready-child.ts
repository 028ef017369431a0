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
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"), script, ...args],
    {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
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
