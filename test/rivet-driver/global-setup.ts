import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../../dev/ports";
import { type ManagedProcess, startProcess, waitForHttp } from "../../dev/processes";

declare module "vitest" {
  export interface ProvidedContext {
    rivetDriverBase: string;
  }
}

/**
 * Starts ONE `wrangler dev` of the fixture Worker for the whole `rivet-driver` project (random free ports,
 * state in a temp dir, output in `<tmp>/wrangler.log`). `RIVET_DRIVER_BASE=http://127.0.0.1:P` reuses a
 * server started by hand instead, which is handy while debugging the driver.
 */
export default async function setup(project: TestProject) {
  const reuse = process.env.RIVET_DRIVER_BASE;
  if (reuse) {
    project.provide("rivetDriverBase", reuse);
    return;
  }

  const dir = mkdtempSync(path.join(tmpdir(), "growqr-rivet-driver-"));
  const logFile = path.join(dir, "wrangler.log");
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const root = path.resolve(import.meta.dirname, "../..");
  let server: ManagedProcess | undefined = startProcess(
    "rivet-driver-fixture",
    path.join(root, "node_modules/.bin/wrangler"),
    [
      "dev",
      ...["-c", path.join(import.meta.dirname, "wrangler.toml")],
      ...["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort)],
      ...[
        "--persist-to",
        path.join(dir, "state"),
        "--show-interactive-dev-session=false",
        "--log-level",
        "warn",
      ],
    ],
    {
      cwd: root,
      env: { CI: "1", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
      log: (line) => appendFileSync(logFile, `${line}\n`),
    },
  );

  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/health`, { timeoutMs: 90_000 });
  } catch (error) {
    await server.stop();
    throw new Error(`fixture wrangler dev did not start; see ${logFile}`, { cause: error });
  }
  project.provide("rivetDriverBase", base);

  return async () => {
    await server?.stop();
    server = undefined;
    if (!process.env.RIVET_DRIVER_KEEP_LOGS) rmSync(dir, { recursive: true, force: true });
  };
}
