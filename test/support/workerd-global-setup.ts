import { execFileSync } from "node:child_process";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startReadyChild } from "../../dev/ready-child";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    dbWsProxy: string;
    provisionerScript: string;
    giteaUrl: string;
    giteaAdminToken: string;
  }
}

const root = path.resolve(import.meta.dirname, "../..");
const wrangler = path.join(root, "node_modules/wrangler/bin/wrangler.js");

/** The provisioner exactly as it would be deployed, to serve the main Worker's service binding in tests. */
function buildProvisioner(): string {
  const outdir = path.join(root, ".wrangler/test/provisioner");
  execFileSync(
    process.execPath,
    [wrangler, "deploy", "--dry-run", "--outdir", outdir, "-c", "provisioner/wrangler.toml"],
    {
      cwd: root,
      stdio: "ignore",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  return path.join(outdir, "index.js");
}

/**
 * Workers tests reach a database the production way: Neon driver in workerd → WebSocket proxy → Postgres.
 * The database runs as a child process because this set-up is resolved with workerd conditions, under which
 * Node-only packages such as `ws` do not load.
 */
export default async function setup(project: TestProject) {
  const [db, gitea] = await Promise.all([
    startReadyChild<{ databaseUrl: string; wsProxy: string }>("dev/db-server.ts"),
    startReadyChild<{ url: string; adminToken: string }>("dev/gitea/main.ts", ["--ephemeral"]),
  ]);
  project.provide("provisionerScript", buildProvisioner());
  project.provide("databaseUrl", db.ready.databaseUrl);
  project.provide("dbWsProxy", db.ready.wsProxy);
  project.provide("giteaUrl", gitea.ready.url);
  project.provide("giteaAdminToken", gitea.ready.adminToken);
  return async () => {
    await Promise.all([db.stop(), gitea.stop()]);
  };
}
