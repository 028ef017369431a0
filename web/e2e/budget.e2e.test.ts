import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";
import { describe, expect, it } from "vitest";

const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BUDGET_KB = 90;

interface ManifestChunk {
  file: string;
  imports?: string[];
  isEntry?: boolean;
}

describe("bundle budget", () => {
  it(`initial JS (entry chunk and its static imports) is at most ${BUDGET_KB} KB gzipped`, async () => {
    const outDir = await mkdtemp(path.join(os.tmpdir(), "growqr-web-build-"));
    try {
      await build({
        configFile: path.join(webRoot, "vite.config.ts"),
        logLevel: "silent",
        build: { outDir, emptyOutDir: true, manifest: "manifest.json" },
      });
      const manifest = JSON.parse(await readFile(path.join(outDir, "manifest.json"), "utf8")) as Record<
        string,
        ManifestChunk
      >;
      // What index.html loads before anything renders: the entry and what it imports statically (lazy routes
      // are dynamic imports and load on first use).
      const initial = new Set<string>();
      const visit = (key: string) => {
        const chunk = manifest[key];
        if (!chunk || initial.has(chunk.file)) return;
        initial.add(chunk.file);
        for (const imported of chunk.imports ?? []) visit(imported);
      };
      visit("index.html");
      let gzipped = 0;
      for (const file of initial) gzipped += gzipSync(await readFile(path.join(outDir, file))).length;
      const kb = gzipped / 1024;
      console.log(`initial JS: ${[...initial].join(", ")} = ${kb.toFixed(1)} KB gzipped`);
      expect(initial.size).toBeGreaterThan(0);
      expect(kb).toBeLessThanOrEqual(BUDGET_KB);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
