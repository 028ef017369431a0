import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { repoRoot } from "../dev/stack";
import { runToCompletion } from "./run-command";

const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

/** The main Worker as `wrangler deploy` would upload it, gzipped (what counts against Workers' size limit). */
export async function workerBundleGzipKb(): Promise<number> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), "growqr-worker-bundle-"));
  try {
    await runToCompletion(process.execPath, [
      path.join(repoRoot, "node_modules/wrangler/bin/wrangler.js"),
      "deploy",
      "--dry-run",
      "--outdir",
      outDir,
      "-c",
      path.join(repoRoot, "wrangler.toml"),
    ]);
    let bytes = 0;
    for (const file of await readdir(outDir)) {
      if (file.endsWith(".js") || file.endsWith(".mjs"))
        bytes += gzipSync(await readFile(path.join(outDir, file))).length;
    }
    return kb(bytes);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/**
 * The SPA's initial JS, gzipped, from a production build: what index.html loads before anything renders, i.e. the
 * entry and what it imports statically (lazy routes are dynamic imports and load on first use). Also the budget
 * check of the browser tests (web/e2e/budget.e2e.test.ts).
 */
export async function webInitialJsGzipKb(): Promise<number> {
  const { build } = await import("vite");
  const outDir = await mkdtemp(path.join(os.tmpdir(), "growqr-web-bundle-"));
  try {
    await build({
      configFile: path.join(repoRoot, "web/vite.config.ts"),
      logLevel: "silent",
      build: { outDir, emptyOutDir: true, manifest: "manifest.json" },
    });
    const manifest = JSON.parse(await readFile(path.join(outDir, "manifest.json"), "utf8")) as Record<
      string,
      { file: string; imports?: string[] }
    >;
    const initial = new Set<string>();
    const visit = (key: string) => {
      const chunk = manifest[key];
      if (!chunk || initial.has(chunk.file)) return;
      initial.add(chunk.file);
      for (const imported of chunk.imports ?? []) visit(imported);
    };
    visit("index.html");
    let bytes = 0;
    for (const file of initial) bytes += gzipSync(await readFile(path.join(outDir, file))).length;
    return kb(bytes);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
