import { appendFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../../dev/ports";
import { startLocalStack } from "../../dev/stack";

declare module "vitest" {
  export interface ProvidedContext {
    /** Origin of the Vite dev server serving the SPA, with /api and /dev-auth proxied to the stack. */
    webUrl: string;
    /** The stack's Postgres and its Neon WebSocket proxy, for set-ups straight in the database ("" if unknown). */
    databaseUrl: string;
    dbWsProxy: string;
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
    return;
  }
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "growqr-web-e2e-"));
  const webPort = await freePort();
  const webOrigin = `http://127.0.0.1:${webPort}`;
  const logs: string[] = [];
  try {
    const stack = await startLocalStack({
      stateDir,
      webPort,
      webOrigins: [webOrigin],
      log: (service, line) => {
        logs.push(`[${service}] ${line}`);
        // Every service's output in a file while debugging a test: GROWQR_E2E_LOG=/tmp/web-e2e.log
        if (process.env.GROWQR_E2E_LOG) appendFileSync(process.env.GROWQR_E2E_LOG, `[${service}] ${line}\n`);
      },
    });
    project.provide("webUrl", stack.webUrl ?? webOrigin);
    project.provide("databaseUrl", stack.databaseUrl);
    project.provide("dbWsProxy", stack.wsProxy);
    return async () => {
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    };
  } catch (error) {
    console.error(logs.join("\n"));
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}
