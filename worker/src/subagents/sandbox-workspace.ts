import type { createOpencodeClient } from "@opencode-ai/sdk";
import type { Logger } from "../../../platform/logger";
import { withTimeout } from "../../../platform/with-timeout";
import {
  MEMORY_CLONE_DIRECTORY,
  type MemoryRemote,
  memorySyncCommand,
  parseMemorySync,
  TASKS_DIRECTORY,
} from "./memory-sync-command";

type OpencodeClient = ReturnType<typeof createOpencodeClient>;

/** Each git call in the sandbox; the whole step gets a little more (OpenCode's own calls around it). */
const GIT_TIMEOUT_SECONDS = 30;
const SYNC_STEP_MS = 40_000;

export interface TaskWorkspaceDeps {
  /** A client for the server's default directory (the workspace). */
  client: OpencodeClient;
  subAgentId: string;
  /** Where to clone from; undefined when the user has nothing to clone yet. */
  remote(): Promise<MemoryRemote | undefined>;
  signal: AbortSignal;
  log: Logger;
}

/**
 * Before a task: brings the clone of the user's memory repository in their workspace up to date (OpenCode finds
 * the skills in it through `skills.paths`) and makes the task's own directory. OpenCode discovers skills once per
 * directory and caches them, so a session in a directory it has not seen yet is what makes a skill committed a
 * moment ago visible. Runs as a shell command in a session of its own (the call is stored as a message there, with
 * the token in it, so that session is deleted at once). A failed sync is logged and the task runs on the clone it
 * has; returns the directory for the task's session, or undefined (the default one) if it could not be made.
 */
export async function prepareTaskWorkspace(deps: TaskWorkspaceDeps): Promise<string | undefined> {
  const { client, log, subAgentId, signal } = deps;
  const started = Date.now();
  let syncSessionId: string | undefined;
  try {
    const remote = await deps.remote().catch((error) => {
      log.warn("the memory repository's address is unavailable; the sub-agent runs on the clone it has", {
        subAgentId,
        error,
      });
      return undefined;
    });
    const created = await client.session.create({ body: { title: "growqr: memory sync" }, signal });
    if (!created.data) throw new Error(`OpenCode refused the sync session (${created.response.status})`);
    syncSessionId = created.data.id;
    const workspace = created.data.directory.replace(/\/+$/, "");
    const taskDirectory = `${workspace}/${TASKS_DIRECTORY}/${subAgentId}`;
    const command = memorySyncCommand({
      taskDirectory,
      cloneDirectory: `${workspace}/${MEMORY_CLONE_DIRECTORY}`,
      remote,
      timeoutSeconds: GIT_TIMEOUT_SECONDS,
    });
    const ran = await withTimeout(
      client.session.shell({ path: { id: syncSessionId }, body: { agent: "build", command }, signal }),
      SYNC_STEP_MS,
      "the memory sync did not finish in time",
    );
    if (ran.error || !ran.data) throw new Error(`OpenCode refused the sync command (${ran.response.status})`);
    const output = await shellOutput(client, syncSessionId, ran.data, signal);
    const result = parseMemorySync(redact(output, remote), remote !== undefined);
    const ms = Date.now() - started;
    if (result.synced === false || !result.directoryReady)
      log.warn("memory sync in the sandbox failed; the sub-agent runs on the clone it has", {
        subAgentId,
        ms,
        detail: result.detail,
      });
    else log.info("memory synced in the sandbox", { subAgentId, ms, synced: result.synced });
    return result.directoryReady ? taskDirectory : undefined;
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    log.warn("memory sync in the sandbox failed; the sub-agent runs without it", { subAgentId, error });
    return undefined;
  } finally {
    if (syncSessionId)
      await withTimeout(client.session.delete({ path: { id: syncSessionId } }), 5_000).catch(() => {});
  }
}

/**
 * The shell tool's output (stdout and stderr mixed). OpenCode answers the shell call with the message and its
 * parts; the SDK types only the message, so the parts are read from the session if the answer lacks them.
 */
async function shellOutput(
  client: OpencodeClient,
  sessionId: string,
  answer: unknown,
  signal: AbortSignal,
): Promise<string> {
  const fromParts = (parts: unknown) =>
    (Array.isArray(parts) ? parts : [])
      .map((part) => (part as { state?: { output?: unknown } }).state?.output)
      .find((output): output is string => typeof output === "string");
  const direct = fromParts((answer as { parts?: unknown }).parts);
  if (direct !== undefined) return direct;
  const messages = await client.session.messages({ path: { id: sessionId }, signal });
  return fromParts((messages.data ?? []).flatMap((m) => m.parts)) ?? "";
}

/** git does not print the header, but nothing from the sandbox reaches the log with the token in it. */
const redact = (output: string, remote: MemoryRemote | undefined) =>
  remote ? output.replaceAll(remote.token, "<token>") : output;
