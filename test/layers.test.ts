import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Every non-test TypeScript source under `dir` (relative to the repo root). */
function sources(dir: string): string[] {
  const entries = readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** What a file imports: bare package names as written, relative paths resolved to repo-relative ones. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^"']*?from\s*["']([^"']+)["']/g)].map(
    (m) => m[1] as string,
  );
  return specifiers.map((s) =>
    s.startsWith(".") ? path.relative(ROOT, path.resolve(path.dirname(file), s)) : s,
  );
}

function offenders(dirs: string[], refused: (target: string) => boolean): string[] {
  return dirs.flatMap((dir) =>
    sources(dir).flatMap((file) =>
      importsOf(file)
        .filter(refused)
        .map((target) => `${file} -> ${target}`),
    ),
  );
}

const PRODUCTION = ["worker/src", "provisioner/src", "platform", "schema", "contract", "web/src"];

describe("layers (CONTRIBUTING.md)", () => {
  it("no production file imports dev/: the local stand-ins never reach a bundle", () => {
    expect(offenders(PRODUCTION, (t) => t === "dev" || t.startsWith("dev/"))).toEqual([]);
  });

  it("the agent loop imports no HTTP code: its routes live with their resource", () => {
    const http = (t: string) =>
      t === "hono" ||
      t.startsWith("hono/") ||
      t.startsWith("@hono/") ||
      t.startsWith("worker/src/openapi/") ||
      // limits.ts is numbers the agent shares with the routes, not request handling.
      (t.startsWith("worker/src/http/") && t !== "worker/src/http/limits") ||
      t.endsWith(".routes");
    expect(offenders(["worker/src/agent"], http)).toEqual([]);
  });

  it("the contract shared by the Worker and the SPA depends on nothing but zod and itself", () => {
    expect(
      offenders(["contract"], (t) => !(t === "zod" || t.startsWith("zod/") || t.startsWith("contract/"))),
    ).toEqual([]);
  });

  it("the SPA imports no Worker or provisioner code (it shares only contract/ and platform/)", () => {
    expect(
      offenders(
        ["web/src"],
        (t) => t.startsWith("worker/") || t.startsWith("provisioner/") || t.startsWith("schema/"),
      ),
    ).toEqual([]);
  });

  it("finds imports at all (guards the test against a path or pattern that matches nothing)", () => {
    expect(importsOf("worker/src/app.ts")).toContain("worker/src/threads/threads.routes");
    expect(sources("worker/src/agent").length).toBeGreaterThan(5);
  });
});
