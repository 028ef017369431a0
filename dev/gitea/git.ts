import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Real git, isolated from the developer's own configuration (no ~/.gitconfig, no prompts). */
export const GIT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  LANG: "C",
};

export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed (${code}): ${stderr.trim().slice(0, 300)}`);
    this.name = "GitCommandError";
  }
}

export async function git(
  gitDir: string,
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; allowFailure?: boolean } = {},
): Promise<{ stdout: Buffer; code: number | null }> {
  const child = spawn("git", args, {
    env: { ...GIT_ENV, GIT_DIR: gitDir, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
  child.stdin.on("error", () => {}); // git may exit before reading all input; the exit code tells.
  child.stdin.end(options.input ?? "");
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0 && !options.allowFailure)
    throw new GitCommandError(args, code, Buffer.concat(err).toString());
  return { stdout: Buffer.concat(out), code };
}

const text = async (gitDir: string, args: string[]) =>
  (await git(gitDir, args)).stdout.toString("utf8").trim();

export async function initBare(gitDir: string, defaultBranch: string): Promise<void> {
  await git(gitDir, ["init", "--bare", "--quiet", `--initial-branch=${defaultBranch}`, gitDir]);
}

/** Refs we accept from clients: branch names or SHAs, nothing git would read as an option or a range. */
export const isSafeRef = (ref: string) =>
  /^[A-Za-z0-9][A-Za-z0-9._/-]{0,200}$/.test(ref) && !ref.includes("..");

/** The commit a branch, tag or SHA points at, or null. */
export async function resolveCommit(gitDir: string, ref: string): Promise<string | null> {
  if (!isSafeRef(ref)) return null;
  const { stdout, code } = await git(gitDir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
    allowFailure: true,
  });
  return code === 0 ? stdout.toString().trim() : null;
}

export interface TreeEntry {
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  size: number;
  path: string;
}

function parseLsTree(output: Buffer): TreeEntry[] {
  return output
    .toString("utf8")
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      const [mode = "", type = "", sha = "", size = ""] = line.slice(0, tab).split(/\s+/);
      return {
        mode,
        type: type as TreeEntry["type"],
        sha,
        size: Number(size) || 0,
        path: line.slice(tab + 1),
      };
    });
}

/** The entry at `filePath` in `commit`, or null. */
export async function entryAt(gitDir: string, commit: string, filePath: string): Promise<TreeEntry | null> {
  const { stdout } = await git(gitDir, ["ls-tree", "-l", "-z", commit, "--", filePath]);
  return parseLsTree(stdout).find((entry) => entry.path === filePath) ?? null;
}

/** Entries directly inside `dir` ("" = root). */
export async function listTree(gitDir: string, commit: string, dir: string): Promise<TreeEntry[]> {
  const args =
    dir === "" ? ["ls-tree", "-l", "-z", commit] : ["ls-tree", "-l", "-z", commit, "--", `${dir}/`];
  return parseLsTree((await git(gitDir, args)).stdout);
}

export async function readBlob(gitDir: string, sha: string): Promise<Buffer> {
  return (await git(gitDir, ["cat-file", "blob", sha])).stdout;
}

export interface Person {
  name: string;
  email: string;
  date?: string;
}

export interface CommitRecord {
  sha: string;
  tree: string;
  parents: string[];
  author: Required<Person>;
  committer: Required<Person>;
  message: string;
}

const LOG_FORMAT = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x1e";

function parseLog(output: string): CommitRecord[] {
  return output
    .split("\x1e")
    .map((record) => record.replace(/^\n/, ""))
    .filter(Boolean)
    .map((record) => {
      const [
        sha = "",
        tree = "",
        parents = "",
        an = "",
        ae = "",
        ad = "",
        cn = "",
        ce = "",
        cd = "",
        message = "",
      ] = record.split("\0");
      return {
        sha,
        tree,
        parents: parents.split(" ").filter(Boolean),
        author: { name: an, email: ae, date: ad },
        committer: { name: cn, email: ce, date: cd },
        message,
      };
    });
}

/** Commits reachable from `commit`, newest first, optionally only those touching `filePath`. */
export async function log(
  gitDir: string,
  commit: string,
  options: { path?: string; skip?: number; max?: number } = {},
): Promise<CommitRecord[]> {
  const args = ["log", `--format=${LOG_FORMAT}`];
  if (options.skip) args.push(`--skip=${options.skip}`);
  if (options.max) args.push(`--max-count=${options.max}`);
  args.push(commit, "--");
  if (options.path) args.push(options.path);
  return parseLog((await git(gitDir, args)).stdout.toString("utf8"));
}

export async function countCommits(gitDir: string, commit: string, filePath?: string): Promise<number> {
  const args = ["rev-list", "--count", commit, "--"];
  if (filePath) args.push(filePath);
  return Number(await text(gitDir, args));
}

const ZERO_OID = "0".repeat(40);

/**
 * One real commit that sets `filePath` to `content` on `branch`, with plumbing only: hash-object, a throwaway
 * index (read-tree, update-index), write-tree, commit-tree, then update-ref with the old value, so a concurrent
 * writer that slipped in makes this fail instead of being overwritten. Callers serialise per repository.
 */
export async function commitFile(
  gitDir: string,
  input: {
    branch: string;
    parent: string | null;
    filePath: string;
    content: Buffer;
    message: string;
    author: Person;
    committer: Person;
  },
): Promise<string> {
  const blobSha = (await git(gitDir, ["hash-object", "-w", "--stdin"], { input: input.content })).stdout
    .toString()
    .trim();
  const index = path.join(os.tmpdir(), `dev-gitea-index-${randomUUID()}`);
  try {
    const env = { GIT_INDEX_FILE: index };
    await git(gitDir, input.parent ? ["read-tree", input.parent] : ["read-tree", "--empty"], { env });
    await git(gitDir, ["update-index", "--add", "--cacheinfo", `100644,${blobSha},${input.filePath}`], {
      env,
    });
    const tree = (await git(gitDir, ["write-tree"], { env })).stdout.toString().trim();
    const commitEnv: NodeJS.ProcessEnv = {
      GIT_AUTHOR_NAME: input.author.name,
      GIT_AUTHOR_EMAIL: input.author.email,
      GIT_COMMITTER_NAME: input.committer.name,
      GIT_COMMITTER_EMAIL: input.committer.email,
    };
    if (input.author.date) commitEnv.GIT_AUTHOR_DATE = input.author.date;
    if (input.committer.date) commitEnv.GIT_COMMITTER_DATE = input.committer.date;
    const parentArgs = input.parent ? ["-p", input.parent] : [];
    const commit = (
      await git(gitDir, ["commit-tree", tree, ...parentArgs], { input: input.message, env: commitEnv })
    ).stdout
      .toString()
      .trim();
    await git(gitDir, ["update-ref", `refs/heads/${input.branch}`, commit, input.parent ?? ZERO_OID]);
    return commit;
  } finally {
    await rm(index, { force: true });
  }
}
