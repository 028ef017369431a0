import { encodeBase64Utf8 } from "../git/base64";

/** Where the clone of the user's memory repository lives in their workspace (OpenCode's skills.paths points in). */
export const MEMORY_CLONE_DIRECTORY = "memory";
/** Each task's session runs in `tasks/<subAgentId>`: a directory OpenCode has no instance for yet. */
export const TASKS_DIRECTORY = "tasks";

export interface MemoryRemote {
  /** `<edge>/<owner>/<repo>.git`: carries no credential (it ends up in git's messages). */
  url: string;
  branch: string;
  /** Read-only token, sent as a header on each git call and never written to the clone's config. */
  token: string;
  /** The user's Gitea machine, for Fly's edge (`fly-force-instance-id`). */
  machineId: string;
}

export interface MemorySyncInput {
  /** Absolute paths in the sandbox. */
  taskDirectory: string;
  cloneDirectory: string;
  /** Absent when the user has no repository (or no sandbox token) yet: only the task's directory is made. */
  remote?: MemoryRemote;
  /** Bounds each git call in the sandbox (coreutils `timeout`). */
  timeoutSeconds: number;
}

export interface MemorySyncResult {
  /** The task's directory exists: the session may run there. */
  directoryReady: boolean;
  /** The clone matches the remote's branch; null when there was nothing to sync. */
  synced: boolean | null;
  /** What the command printed besides its markers, for the log (bounded). */
  detail: string;
}

const DIR_MARKER = "__growqr_dir_rc=";
const SYNC_MARKER = "__growqr_sync_rc=";

/** One POSIX shell word: single quotes, with embedded ones closed, escaped and reopened. */
export const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * The shell command run in the sandbox (through OpenCode's session shell, which reports no exit code, hence the
 * markers): makes the task's directory, then removes the old clone and clones afresh. Never a fetch into the old
 * clone: a sub-agent can change its `.git` (`core.worktree`, replace refs, filters in `info/attributes`) so that a
 * reset leaves a planted SKILL.md in place; a fresh shallow clone costs about what a fetch does. Shallow: the
 * sandbox needs the files, not the history. The credentials go in
 * as `-c http.extraHeader` on each call, so no file in the sandbox keeps them; every value is quoted.
 *
 * OpenCode runs a session's shell command as `eval "<command as a JSON string>"` inside bash, so `$`, quotes and
 * newlines of the command are expanded or mangled before it runs (measured: `$t` became empty, newlines `\n`).
 * The script therefore travels base64-encoded, whose characters mean nothing to a shell, and runs under `sh`.
 */
export function memorySyncCommand(input: MemorySyncInput): string {
  return `printf %s ${encodeBase64Utf8(memorySyncScript(input))} | base64 -d | sh`;
}

/** The script itself (POSIX sh). */
export function memorySyncScript(input: MemorySyncInput): string {
  const lines = [`t=${shellQuote(input.taskDirectory)}`, `mkdir -p -- "$t"; echo "${DIR_MARKER}$?"`];
  const remote = input.remote;
  if (!remote) return lines.join("\n");
  const git = [
    `timeout ${Math.max(1, Math.floor(input.timeoutSeconds))}`,
    "env GIT_TERMINAL_PROMPT=0 git -c credential.helper=",
    `-c ${shellQuote(`http.extraHeader=Authorization: token ${remote.token}`)}`,
    `-c ${shellQuote(`http.extraHeader=fly-force-instance-id: ${remote.machineId}`)}`,
  ].join(" ");
  const url = shellQuote(remote.url);
  const branch = shellQuote(remote.branch);
  lines.push(
    `m=${shellQuote(input.cloneDirectory)}`,
    // A function, so `set --` holds the authenticated git command without bash arrays (any POSIX shell).
    "growqr_sync() {",
    `  set -- ${git}`,
    `  rm -rf -- "$m" && "$@" clone --quiet --depth 1 --branch ${branch} ${url} "$m"`,
    "}",
    `growqr_sync 2>&1; echo "${SYNC_MARKER}$?"`,
  );
  return lines.join("\n");
}

/** Reads the markers out of the shell's output (stdout and stderr mixed). A missing marker counts as a failure. */
export function parseMemorySync(output: string, hadRemote: boolean): MemorySyncResult {
  const code = (marker: string) => {
    const line = output.split("\n").find((l) => l.startsWith(marker));
    return line === undefined ? undefined : Number.parseInt(line.slice(marker.length), 10);
  };
  const detail = output
    .split("\n")
    .filter((l) => !l.startsWith(DIR_MARKER) && !l.startsWith(SYNC_MARKER))
    .join("\n")
    .trim()
    .slice(0, 500);
  return {
    directoryReady: code(DIR_MARKER) === 0,
    synced: hadRemote ? code(SYNC_MARKER) === 0 : null,
    detail,
  };
}
