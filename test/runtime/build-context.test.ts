// The runtime images build from the repo root (`fly deploy --build-only --dockerfile runtime/<image>/Dockerfile`,
// run from the root: the context is the working directory). No Docker engine here, so this resolves every
// COPY/ADD source of every Dockerfile under runtime/ against that context and its .dockerignore.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildContextProblems,
  copySources,
  filesUnder,
  isExcluded,
  parseDockerfile,
  parseDockerignore,
} from "./dockerfile";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const dockerfiles = filesUnder(repoRoot, "runtime", (name) => name === "Dockerfile");

describe("runtime image build contexts (repo root)", () => {
  it("finds the images", () => {
    expect(dockerfiles).toEqual(
      expect.arrayContaining(["runtime/gitea/Dockerfile", "runtime/opencode/Dockerfile"]),
    );
  });

  it.each(dockerfiles)("%s: every COPY/ADD source is in the context and not ignored", (dockerfile) => {
    const sources = copySources(parseDockerfile(readFileSync(join(repoRoot, dockerfile), "utf8")));
    expect(sources.length).toBeGreaterThan(0);
    expect(buildContextProblems(join(repoRoot, dockerfile), repoRoot)).toEqual([]);
  });

  it(".dockerignore keeps the context to runtime/", () => {
    const rules = parseDockerignore(readFileSync(join(repoRoot, ".dockerignore"), "utf8"));
    for (const heavy of [
      "node_modules",
      "node_modules/vitest/package.json",
      ".dev",
      ".wrangler",
      ".git",
      "web",
    ]) {
      expect(isExcluded(rules, heavy), heavy).toBe(true);
    }
    for (const kept of ["runtime", "runtime/gitea/bootstrap.sh", "runtime/opencode/entrypoint.sh"]) {
      expect(isExcluded(rules, kept), kept).toBe(false);
    }
  });
});

describe("the build-context check itself", () => {
  const dir = mkdtempSync(join(tmpdir(), "growqr-context-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names a source the context does not have (the old bare-name COPY)", () => {
    const context = join(dir, "bare");
    mkdirSync(join(context, "runtime/gitea"), { recursive: true });
    writeFileSync(join(context, "runtime/gitea/bootstrap.sh"), "#!/bin/sh\n");
    writeFileSync(
      join(context, "runtime/gitea/Dockerfile"),
      "FROM scratch\nCOPY --chmod=755 bootstrap.sh \\\n  /usr/local/bin/growqr-gitea\n",
    );
    expect(buildContextProblems(join(context, "runtime/gitea/Dockerfile"), context)).toEqual([
      `runtime/gitea/Dockerfile:2 COPY bootstrap.sh: not found in the build context ${context}`,
    ]);
  });

  it("names a source the .dockerignore leaves out, and skips other stages", () => {
    const context = join(dir, "ignored");
    mkdirSync(join(context, "runtime/x"), { recursive: true });
    writeFileSync(join(context, "runtime/x/run.sh"), "#!/bin/sh\n");
    writeFileSync(join(context, "runtime/x/keep.sh"), "#!/bin/sh\n");
    writeFileSync(join(context, ".dockerignore"), "*\n!runtime/\nruntime/**/*.sh\n!runtime/x/keep.sh\n");
    writeFileSync(
      join(context, "runtime/x/Dockerfile"),
      [
        "FROM scratch",
        'COPY ["runtime/x/keep.sh", "/keep"]',
        "ADD runtime/x/run.sh /run",
        "COPY --from=build /out /out",
      ].join("\n"),
    );
    expect(buildContextProblems(join(context, "runtime/x/Dockerfile"), context)).toEqual([
      "runtime/x/Dockerfile:3 ADD runtime/x/run.sh: excluded by .dockerignore",
    ]);
  });

  it("reads .dockerignore as Docker does: last match wins, parents count, ** spans directories", () => {
    const rules = parseDockerignore(
      "# comment\n/node_modules\n**/*.log\n!keep/**/*.log\ndocs/*\n!docs/a.md\n",
    );
    expect(isExcluded(rules, "node_modules/x/y.js")).toBe(true);
    expect(isExcluded(rules, "a/b/c.log")).toBe(true);
    expect(isExcluded(rules, "top.log")).toBe(true);
    expect(isExcluded(rules, "keep/deep/c.log")).toBe(false);
    expect(isExcluded(rules, "docs/b.md")).toBe(true);
    expect(isExcluded(rules, "docs/a.md")).toBe(false);
    expect(isExcluded(rules, "docs")).toBe(false);
    expect(isExcluded(rules, "src/app.ts")).toBe(false);
  });
});
