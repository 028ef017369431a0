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
  }
}

/**
 * The whole local stack (PGlite, both Workers under wrangler dev, dev issuer, dev/model, dev Gitea, dev/fly) plus
 * the Vite dev server on a free port, whose origin is the tokens' authorized party and the API's CORS origin.
 * `GROWQR_E2E_WEB_URL` points the tests at an already running `npm run dev` instead (faster while iterating).
 */
export default async function setup(project: TestProject) {
  const existing = process.env.GROWQR_E2E_WEB_URL;
  if (existing) {
    project.provide("webUrl", existing.replace(/\/$/, ""));
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
      log: (service, line) => logs.push(`[${service}] ${line}`),
    });
    project.provide("webUrl", stack.webUrl ?? webOrigin);
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
