// ShellCheck on every entrypoint script of the runtime images (every *.sh under runtime/). ShellCheck is a
// Debian package (`apt-get install shellcheck`; .ci/run installs it): without it this test fails, in CI or not,
// rather than skip an entrypoint nobody can otherwise run here.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { filesUnder } from "./dockerfile";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const scripts = filesUnder(repoRoot, "runtime", (name) => name.endsWith(".sh"));

function shellcheckVersion(): string | undefined {
  const result = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout : undefined;
}

describe("runtime entrypoints pass shellcheck", () => {
  it("shellcheck is installed", () => {
    const hint = process.env.CI
      ? "CI must install it (.ci/run need_apt)"
      : "install it: apt-get install -y shellcheck";
    expect(shellcheckVersion(), `shellcheck not found on PATH: ${hint}`).toBeDefined();
  });

  it("finds the entrypoints", () => {
    expect(scripts).toEqual(
      expect.arrayContaining(["runtime/gitea/bootstrap.sh", "runtime/opencode/entrypoint.sh"]),
    );
  });

  it.each(scripts)("%s", (script) => {
    if (!shellcheckVersion()) throw new Error("shellcheck not found on PATH (see the first test)");
    const result = spawnSync("shellcheck", ["--severity=style", "--format=gcc", script], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(result.error).toBeUndefined();
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  });
});
