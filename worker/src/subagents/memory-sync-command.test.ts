import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memorySyncCommand, memorySyncScript, parseMemorySync, shellQuote } from "./memory-sync-command";

/** What the shell sees: run the command through `sh -c` and read its words back (printf one per line). */
const words = (script: string) =>
  execFileSync("sh", ["-c", `printf '%s\\n' ${script}`], { encoding: "utf8" })
    .split("\n")
    .slice(0, -1);

/** As OpenCode's session shell runs a command (measured on 1.18): `eval` of it as a JSON string, in bash. */
const asOpencodeRuns = (command: string) =>
  execFileSync("bash", ["-c", `eval ${JSON.stringify(command)}`], { encoding: "utf8" });

describe("shellQuote", () => {
  it("gives the shell back exactly one word, whatever the value holds", () => {
    const hostile = [`it's`, `"$(touch /tmp/pwned)"`, "`id`", "a b\tc", "x'; rm -rf / #", "$HOME", "\\n", ""];
    for (const value of hostile) expect(words(shellQuote(value))).toEqual([value]);
  });
});

describe("memorySyncCommand", () => {
  const remote = {
    url: "http://127.0.0.1:9/gq-abc/growqr-memory.git",
    branch: "main",
    token: "tok'en$(id)",
    machineId: "m-1",
  };

  it("without a remote only makes the task's directory", () => {
    const command = memorySyncScript({
      taskDirectory: "/w/tasks/a",
      cloneDirectory: "/w/memory",
      timeoutSeconds: 30,
    });
    expect(command).not.toContain("git");
    expect(command).toContain('mkdir -p -- "$t"');
  });

  it("passes the credentials as quoted headers, never in the URL", () => {
    const command = memorySyncScript({
      taskDirectory: "/w/tasks/a",
      cloneDirectory: "/w/memory",
      remote,
      timeoutSeconds: 30,
    });
    expect(command).toContain(shellQuote("http.extraHeader=Authorization: token tok'en$(id)"));
    expect(command).toContain(shellQuote("http.extraHeader=fly-force-instance-id: m-1"));
    expect(command).toContain(`clone --quiet --depth 1 --branch 'main' '${remote.url}'`);
    expect(command).toContain("timeout 30 ");
  });

  it("really runs: makes the directory, reports a failed git call through its marker", () => {
    const dir = mkdtempSync(join(tmpdir(), "sync-"));
    try {
      const command = memorySyncCommand({
        taskDirectory: join(dir, "tasks", "it's a task"),
        cloneDirectory: join(dir, "memory"),
        // Nothing listens on port 9: the clone fails fast.
        remote,
        timeoutSeconds: 5,
      });
      // Nothing in the command means anything to the shell that evals it.
      expect(command).toMatch(/^printf %s [A-Za-z0-9+/=]+ \| base64 -d \| sh$/);
      const output = asOpencodeRuns(command);
      const result = parseMemorySync(output, true);
      expect(result).toMatchObject({ directoryReady: true, synced: false });
      expect(result.detail).not.toContain("__growqr");
      expect(execFileSync("ls", [join(dir, "tasks")], { encoding: "utf8" }).trim()).toBe("it's a task");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("memorySyncCommand against a real repository", () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, encoding: "utf8" });

  it("clones afresh each time: no dirty tree, planted file or tampered .git survives a sync", () => {
    const dir = mkdtempSync(join(tmpdir(), "sync-"));
    try {
      const origin = join(dir, "origin");
      execFileSync("git", ["init", "-q", "-b", "main", origin]);
      writeFileSync(join(origin, "a.md"), "one\n");
      git(origin, "add", ".");
      git(origin, "commit", "-qm", "one");
      const clone = join(dir, "w", "memory");
      const sync = () =>
        parseMemorySync(
          asOpencodeRuns(
            memorySyncCommand({
              taskDirectory: join(dir, "w", "tasks", "t"),
              cloneDirectory: clone,
              // file:// ignores the headers; the git steps are the same as over HTTP.
              remote: { url: `file://${origin}`, branch: "main", token: "t", machineId: "m" },
              timeoutSeconds: 10,
            }),
          ),
          true,
        );
      expect(sync()).toMatchObject({ directoryReady: true, synced: true });
      expect(readFileSync(join(clone, "a.md"), "utf8")).toBe("one\n");

      writeFileSync(join(clone, "a.md"), "edited in the sandbox\n");
      // A sub-agent that points the clone's work tree elsewhere, so a reset would leave the planted file be.
      git(clone, "config", "core.worktree", join(dir, "elsewhere"));
      mkdirSync(join(clone, "skills", "planted"), { recursive: true });
      writeFileSync(join(clone, "skills", "planted", "SKILL.md"), "---\nname: planted\n---\n");
      writeFileSync(join(origin, "a.md"), "two\n");
      git(origin, "commit", "-qam", "two");

      expect(sync()).toMatchObject({ directoryReady: true, synced: true });
      expect(readFileSync(join(clone, "a.md"), "utf8")).toBe("two\n");
      expect(existsSync(join(clone, "skills"))).toBe(false);
      expect(readFileSync(join(clone, ".git", "config"), "utf8")).not.toContain("worktree");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parseMemorySync", () => {
  it("reads both markers out of mixed output", () => {
    expect(parseMemorySync("__growqr_dir_rc=0\nnoise\n__growqr_sync_rc=0\n", true)).toEqual({
      directoryReady: true,
      synced: true,
      detail: "noise",
    });
    expect(parseMemorySync("__growqr_dir_rc=0\nfatal: x\n__growqr_sync_rc=128\n", true)).toMatchObject({
      synced: false,
      detail: "fatal: x",
    });
  });

  it("counts a missing marker as a failure, and no remote as nothing to sync", () => {
    expect(parseMemorySync("", true)).toMatchObject({ directoryReady: false, synced: false });
    expect(parseMemorySync("__growqr_dir_rc=1\n", false)).toMatchObject({
      directoryReady: false,
      synced: null,
    });
  });
});
