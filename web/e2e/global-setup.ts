import { appendFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../../dev/ports";
import { startProcess, waitForHttp } from "../../dev/processes";
import { repoRoot, startLocalStack } from "../../dev/stack";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the Vite dev server serving the SPA, with /api and /dev-auth proxied to the stack. */
    webUrl: string;
    /** The stack's Postgres and its Neon WebSocket proxy, for set-ups straight in the database ("" if unknown). */
    databaseUrl: string;
    dbWsProxy: string;
    /**
     * A second Vite server of the same SPA, built to call the API on its own origin (`VITE_API_ORIGIN`), as the
     * SPA on Pages does: every API call and the actor connection cross origins ("" if not started).
     */
    crossOriginWebUrl: string;
    /** The API's own origin (wrangler dev), the other side of `crossOriginWebUrl` ("" if unknown). */
    apiUrl: string;
  }
}

/**
 * The whole local stack (PGlite, both Workers under wrangler dev, dev issuer, dev/model, dev Gitea, dev/fly) plus
 * the Vite dev server on a free port, whose origin is the tokens' authorized party and the API's CORS origin.
 * `GROWQR_E2E_WEB_URL` points the tests at an already running `npm run dev` instead (faster while iterating); with
 * `GROWQR_E2E_DATABASE_URL` and `GROWQR_E2E_DB_WS_PROXY` (its Postgres and proxy, e.g.
 * `postgres://postgres:postgres@127.0.0.1:15432/postgres` and `127.0.0.1:15433`) the tests that set up data in the
 * database run too.
 */
export default async function setup(project: TestProject) {
  const existing = process.env.GROWQR_E2E_WEB_URL;
  if (existing) {
    project.provide("webUrl", existing.replace(/\/$/, ""));
    project.provide("databaseUrl", process.env.GROWQR_E2E_DATABASE_URL ?? "");
    project.provide("dbWsProxy", process.env.GROWQR_E2E_DB_WS_PROXY ?? "");
    project.provide("crossOriginWebUrl", "");
    project.provide("apiUrl", "");
    return;
  }
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "growqr-web-e2e-"));
  const webPort = await freePort();
  const webOrigin = `http://127.0.0.1:${webPort}`;
  const crossPort = await freePort();
  const crossOrigin = `http://127.0.0.1:${crossPort}`;
  const logs: string[] = [];
  const log = (service: string, line: string) => {
    logs.push(`[${service}] ${line}`);
    // Every service's output in a file while debugging a test: GROWQR_E2E_LOG=/tmp/web-e2e.log
    if (process.env.GROWQR_E2E_LOG) appendFileSync(process.env.GROWQR_E2E_LOG, `[${service}] ${line}\n`);
  };
  let stopAfterFailure: (() => Promise<void>) | undefined;
  try {
    const stack = await startLocalStack({
      stateDir,
      webPort,
      // The second origin is allowed by CORS and as an authorized party, as a Pages origin is in production.
      webOrigins: [webOrigin, crossOrigin],
      log,
    });
    stopAfterFailure = () => stack.stop();
    const cross = startProcess(
      "web-cross-origin",
      process.execPath,
      [
        path.join(repoRoot, "node_modules/vite/bin/vite.js"),
        "--config",
        path.join(repoRoot, "web/vite.config.ts"),
        "--port",
        String(crossPort),
        "--strictPort",
        "--host",
        "127.0.0.1",
      ],
      {
        cwd: path.join(repoRoot, "web"),
        // /dev-auth still goes through Vite (the dev issuer stands in for Clerk's own origin). /api is proxied
        // nowhere (port 9, discard), so a call the SPA made to its own origin would fail instead of passing.
        env: {
          VITE_API_ORIGIN: stack.apiUrl,
          GROWQR_API_URL: "http://127.0.0.1:9",
          GROWQR_DEV_ISSUER_URL: stack.issuer.url,
        },
        log: (line) => log("web-cross-origin", line),
      },
    );
    stopAfterFailure = async () => {
      await cross.stop();
      await stack.stop();
    };
    await waitForHttp(crossOrigin, { timeoutMs: 30_000 });
    project.provide("webUrl", stack.webUrl ?? webOrigin);
    project.provide("databaseUrl", stack.databaseUrl);
    project.provide("dbWsProxy", stack.wsProxy);
    project.provide("crossOriginWebUrl", crossOrigin);
    project.provide("apiUrl", stack.apiUrl);
    return async () => {
      await cross.stop();
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    };
  } catch (error) {
    console.error(logs.join("\n"));
    await stopAfterFailure?.();
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}
