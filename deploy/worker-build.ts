/** Builds a Worker exactly as `wrangler deploy` would, without uploading it (`--dry-run`). */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Current wrangler needs Node 22. `npm run`/`npx` put the `node` devDependency's Node 22 first on PATH (so it is
 * `process.execPath` there), but `tsx deploy/check.ts` under an older global node would not: prefer the repo's.
 */
function nodeBinary(repoRoot: string): string {
  const local = path.join(repoRoot, "node_modules/node/bin/node");
  return existsSync(local) ? local : process.execPath;
}

/** Undefined when the build succeeds; otherwise the end of wrangler's output, which says why. */
export function dryRunBuild(repoRoot: string, config: string): Promise<string | undefined> {
  const outdir = mkdtempSync(path.join(tmpdir(), "growqr-deploy-check-"));
  const wrangler = path.join(repoRoot, "node_modules/wrangler/bin/wrangler.js");
  return new Promise((resolve) => {
    execFile(
      nodeBinary(repoRoot),
      [wrangler, "deploy", "--dry-run", "--outdir", outdir, "-c", config],
      {
        cwd: repoRoot,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        rmSync(outdir, { recursive: true, force: true });
        if (!error) return resolve(undefined);
        const output = `${stderr}\n${stdout}`.trim().split("\n").slice(-15).join("\n");
        resolve(output || error.message);
      },
    );
  });
}
