import { uuidv7 } from "uuidv7";
import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import type { UserRepo } from "../git/bootstrap-user-repo";
import { GiteaError } from "../git/gitea-error";
import {
  isSystemPath,
  MemoryPathError,
  SYSTEM_DIRECTORY,
  validateMemoryContent,
  validateMemoryDirectory,
  validateMemoryPath,
} from "../git/memory-paths";
import { DURABLE_RETRY_POLICY, durableRetryDelayMs } from "../git/retry";
import { writeFile } from "../git/write-file";
import type { MemoryCache } from "./memory-cache";
import {
  dueMemoryWrites,
  enqueueMemoryWrite,
  type FailedWrite,
  failedMemoryWrites,
  latestPendingWrite,
  latestPendingWrites,
  markWriteDone,
  markWriteFailed,
  markWriteRetry,
  markWriteWaiting,
  memoryWriteState,
  nextHeldWriteAt,
  type PendingWrite,
  type WriteState,
} from "./memory-outbox.repository";
import { actionAfterFailure, classifyWriteFailure, type FailureReason } from "./memory-write-failure";
import { getSessionNote, listSessionNotes, putSessionNote } from "./session-memory.repository";

/** `session/…` paths are L2: notes for the current thread in Postgres, not files in the repository. */
export const SESSION_PREFIX = "session/";
const isSessionPath = (path: string) => path.startsWith(SESSION_PREFIX);

const MAX_MESSAGE_CHARS = 200;
/** System memory is added to every prompt: keep it bounded whatever the user puts there. */
const MAX_SYSTEM_FILES = 10;
const MAX_SYSTEM_BYTES = 32 * 1024;
const SYSTEM_FILES_TTL_MS = 60_000;

export interface MemoryServiceDeps {
  db: Database;
  userId: string;
  /**
   * The user's memory repository, bootstrapped on first use (git-manager.ts). A read-only service (memory-reader.ts)
   * answers null while the user has none yet: reads then find nothing, and never bootstrap.
   */
  userRepo(): Promise<UserRepo | null>;
  cache: MemoryCache;
  /** Asks for another delivery attempt after `ms` (the growAgent actor sets an alarm). */
  scheduleRetry(ms: number): void;
  /** A write was set aside for good (the Grow Agent tells the thread that made it). */
  onWriteFailed?(failure: WriteFailureNotice): void;
  log: Logger;
  /** The clock retries are planned with (tests move it). */
  now?: () => number;
}

export interface WriteFailureNotice {
  writeId: string;
  path: string;
  reason: FailureReason;
  error: string;
  threadId?: string;
}

export type CommitResult =
  | { status: "committed"; path: string; writeId: string; commitSha: string }
  | { status: "pending"; path: string; writeId: string }
  | { status: "failed"; path: string; writeId: string; reason: FailureReason; error: string }
  | { status: "saved"; path: string; layer: "session" };

/**
 * Attempts in all before a write that keeps failing is set aside as `retries_exhausted`. Only failures of the
 * write count: while Gitea is down (an outage) a write is charged nothing and waits as long as it takes.
 */
export const MAX_WRITE_ATTEMPTS = DURABLE_RETRY_POLICY.retries + 1;

export interface ReadResult {
  path: string;
  content: string;
  /** Where it came from: hot cache, a write still waiting for git, the repository, or the thread's notes. */
  source: "l1" | "pending" | "git" | "session";
}

export interface ListEntry {
  path: string;
  type: "file" | "dir";
  size: number;
  pending?: boolean;
}

export interface HistoryEntry {
  sha: string;
  message: string;
  author: string;
  date: string;
}

/**
 * The Memory API over three layers: L1 (hot files in the actor), L2 (per-thread session notes in Postgres),
 * L3 (markdown files in the user's Gitea repository, one commit per write). Writes to L3 go through a durable
 * outbox: stored first, then committed, each path's writes in order; when Gitea is unreachable they wait (for as
 * long as it takes) and are retried with backoff, and reads see them meanwhile. A write git refuses, or that keeps
 * failing while Gitea answers, is set aside (`failedWrites`) and holds nothing back.
 */
export class MemoryService {
  #draining?: Promise<Map<string, string>>;
  #again = false;
  /** While git is known to be down, new writes wait for the scheduled retry instead of each trying again. */
  #gitDownUntil = 0;
  /** When the retry this instance asked for is due (0: none asked). */
  #retryAt = 0;
  /** Drains in a row stopped by an outage: the run's waits grow with it, up to the durable policy's cap. */
  #outages = 0;
  readonly #now: () => number;
  #systemFiles?: { at: number; files: Array<{ path: string; content: string }> };

  constructor(private readonly deps: MemoryServiceDeps) {
    this.#now = deps.now ?? Date.now;
  }

  async commit(input: {
    path: string;
    content: string;
    message?: string;
    threadId?: string;
    idempotencyKey?: string;
  }): Promise<CommitResult> {
    const path = validateMemoryPath(input.path);
    const content = validateMemoryContent(input.content);
    if (isSessionPath(path)) {
      const threadId = requireThread(input.threadId);
      await putSessionNote(this.deps.db, {
        userId: this.deps.userId,
        threadId,
        key: path.slice(SESSION_PREFIX.length),
        content,
      });
      return { status: "saved", path, layer: "session" };
    }
    const message = (input.message?.trim() || `Update ${path}`).slice(0, MAX_MESSAGE_CHARS);
    // Both are stored in Postgres (outbox payload, idempotency key), which cannot hold U+0000.
    if (message.includes("\u0000"))
      throw new MemoryPathError("invalid_content", "message contains a NUL byte");
    if (input.idempotencyKey?.includes("\u0000"))
      throw new MemoryPathError("invalid_content", "idempotency key contains a NUL byte");
    const write = await enqueueMemoryWrite(
      this.deps.db,
      this.deps.userId,
      { path, content, message, ...(input.threadId ? { threadId: input.threadId } : {}) },
      input.idempotencyKey ?? uuidv7(),
    );
    const writeId = write.id;
    // A replay answers as the first request would now; it must not put older content back into L1.
    if (write.replayed && write.state.status !== "pending") return commitResult(path, writeId, write.state);
    if (!write.replayed) {
      this.deps.cache.set(path, content);
      if (isSystemPath(path)) this.#systemFiles = undefined;
    }
    const delivered =
      this.#now() < this.#gitDownUntil
        ? new Map<string, string>()
        : await this.drain().catch(() => new Map());
    const commitSha = delivered.get(writeId);
    if (commitSha !== undefined) return { status: "committed", path, writeId, commitSha };
    const state = await memoryWriteState(this.deps.db, this.deps.userId, writeId).catch(() => null);
    return commitResult(path, writeId, state ?? { status: "pending" });
  }

  /** Writes that were set aside for good, newest first, with their reasons. */
  failedWrites(limit?: number): Promise<FailedWrite[]> {
    return failedMemoryWrites(this.deps.db, this.deps.userId, limit);
  }

  async read(input: { path: string; threadId?: string }): Promise<ReadResult | null> {
    const path = validateMemoryPath(input.path);
    if (isSessionPath(path)) {
      const threadId = requireThread(input.threadId);
      const content = await getSessionNote(
        this.deps.db,
        this.deps.userId,
        threadId,
        path.slice(SESSION_PREFIX.length),
      );
      return content === null ? null : { path, content, source: "session" };
    }
    const cached = this.deps.cache.get(path);
    if (cached) return cached.content === null ? null : { path, content: cached.content, source: "l1" };
    const pending = await latestPendingWrite(this.deps.db, this.deps.userId, path);
    if (pending) return { path, content: pending.content, source: "pending" };
    const repo = await this.deps.userRepo();
    if (!repo) return null;
    const file = await repo.client.getFile(repo.owner, repo.repo, path, repo.defaultBranch);
    this.deps.cache.set(path, file?.content ?? null);
    return file ? { path, content: file.content, source: "git" } : null;
  }

  /** Entries directly under `prefix` (a directory, "" = root), with writes still waiting for git marked. */
  async list(input: { prefix: string; threadId?: string }): Promise<ListEntry[]> {
    const dir = validateMemoryDirectory(input.prefix);
    if (dir === "session" || dir.startsWith(SESSION_PREFIX)) {
      const threadId = requireThread(input.threadId);
      const keyPrefix = dir === "session" ? "" : `${dir.slice(SESSION_PREFIX.length)}/`;
      const notes = await listSessionNotes(this.deps.db, this.deps.userId, threadId, keyPrefix);
      return notes.map((n) => ({ path: `${SESSION_PREFIX}${n.key}`, type: "file", size: n.size }));
    }
    const repo = await this.deps.userRepo();
    const entries =
      (repo && (await repo.client.listDirectory(repo.owner, repo.repo, dir, repo.defaultBranch))) ?? [];
    const listed: ListEntry[] = entries
      .filter((e) => e.type === "file" || e.type === "dir")
      .map((e) => ({ path: e.path, type: e.type as "file" | "dir", size: e.size }));
    const base = dir === "" ? "" : `${dir}/`;
    for (const write of await latestPendingWrites(this.deps.db, this.deps.userId, base)) {
      const rest = write.path.slice(base.length);
      const [first = "", ...deeper] = rest.split("/");
      const path = `${base}${first}`;
      const existing = listed.find((e) => e.path === path);
      if (deeper.length > 0) {
        if (!existing) listed.push({ path, type: "dir", size: 0, pending: true });
      } else if (existing) {
        existing.pending = true;
        existing.size = write.content.length;
      } else {
        listed.push({ path, type: "file", size: write.content.length, pending: true });
      }
    }
    return listed.sort((a, b) => a.path.localeCompare(b.path));
  }

  async history(input: { path: string; limit?: number }): Promise<HistoryEntry[]> {
    const path = validateMemoryPath(input.path);
    const repo = await this.deps.userRepo();
    if (!repo) return [];
    const commits = await repo.client.listCommits(repo.owner, repo.repo, { path, limit: input.limit ?? 50 });
    return commits.map((c) => ({
      sha: c.sha ?? "",
      message: (c.commit?.message ?? "").trim(),
      author: c.commit?.author?.name ?? "",
      date: c.commit?.author?.date ?? "",
    }));
  }

  /** Files under `system/` for the system prompt; empty (not an error) while git is unreachable. */
  async systemFiles(): Promise<Array<{ path: string; content: string }>> {
    const now = Date.now();
    if (this.#systemFiles && now - this.#systemFiles.at < SYSTEM_FILES_TTL_MS) return this.#systemFiles.files;
    try {
      // system/README.md (from bootstrap) explains the folder to the user; it is not memory.
      const entries = (await this.list({ prefix: SYSTEM_DIRECTORY })).filter(
        (e) => e.type === "file" && e.path !== `${SYSTEM_DIRECTORY}/README.md`,
      );
      const files: Array<{ path: string; content: string }> = [];
      let bytes = 0;
      for (const entry of entries.slice(0, MAX_SYSTEM_FILES)) {
        const file = await this.read({ path: entry.path });
        if (!file || bytes + file.content.length > MAX_SYSTEM_BYTES) continue;
        bytes += file.content.length;
        files.push({ path: file.path, content: file.content });
      }
      this.#systemFiles = { at: now, files };
      return files;
    } catch (error) {
      // Remembered as empty for a while: a hung Gitea must not delay every turn by its timeouts.
      this.deps.log.warn("system memory unavailable; answering without it", { error });
      this.#systemFiles = { at: now, files: [] };
      return [];
    }
  }

  /**
   * Commits the waiting writes that are due, oldest first, one commit each. Each path's writes land in order; a
   * write that fails is retried later with backoff (`durableRetryDelayMs`) and holds back only the later writes
   * of its own path, never the others (however many wait behind it). A write git or Gitea refuses for good, or
   * still failing after `MAX_WRITE_ATTEMPTS`, is set aside as `failed` with its reason. Only an unreachable Gitea
   * stops the run: it waits with backoff, and the write it was on keeps its attempts and its place.
   * Safe to repeat: a write whose commit landed but whose row was not marked is found already applied (same
   * content) and not committed again. Returns the commit SHA of each write delivered in this run.
   */
  drain(): Promise<Map<string, string>> {
    if (this.#draining) {
      // A write stored after this drain read its list: run again when it ends, so nothing waits for an alarm.
      this.#again = true;
      return this.#draining;
    }
    this.#draining = (async () => {
      const delivered = new Map<string, string>();
      do {
        this.#again = false;
        for (const [id, sha] of await this.#drainOnce()) delivered.set(id, sha);
      } while (this.#again && this.#now() >= this.#gitDownUntil);
      return delivered;
    })().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #drainOnce(): Promise<Map<string, string>> {
    const { db, userId } = this.deps;
    const delivered = new Map<string, string>();
    // Fixed for the run: a write that backs off in it is not due again before the run ends.
    const now = this.#now();
    let repo: UserRepo | undefined;
    // Each batch holds at most one write per path (its head); once those are done, set aside or backing off, the
    // next batch brings the writes behind them.
    for (let batch = await dueMemoryWrites(db, userId, new Date(now)); batch.length > 0; ) {
      for (const write of batch) {
        try {
          repo ??= await this.#repo();
        } catch (error) {
          // No repository to write to (Gitea unreachable while looking it up): every write waits, none is charged.
          this.deps.log.warn("memory writes wait for git; retrying", { error });
          this.#waitForGitea(now);
          return delivered;
        }
        const outcome = await this.#deliver(repo, write, now);
        if (outcome.status === "gitea_down") {
          this.#waitForGitea(now, outcome.retryAfterMs);
          return delivered;
        }
        this.#outages = 0;
        this.#gitDownUntil = 0;
        if (outcome.status === "delivered") delivered.set(write.id, outcome.commitSha);
      }
      batch = await dueMemoryWrites(db, userId, new Date(now));
    }
    const held = await nextHeldWriteAt(db, userId);
    if (held) this.#scheduleAt(held.getTime());
    return delivered;
  }

  /** Gitea is down: no write is tried before the next drain, which comes later each time it is still down. */
  #waitForGitea(now: number, retryAfterMs?: number): void {
    this.#gitDownUntil = now + durableRetryDelayMs(this.#outages++, DURABLE_RETRY_POLICY, retryAfterMs);
    this.#scheduleAt(this.#gitDownUntil);
  }

  async #repo(): Promise<UserRepo> {
    const found = await this.deps.userRepo();
    if (!found) throw new Error("memory writes need a service that bootstraps the repository");
    return found;
  }

  /** One attempt at one write, and its row updated to match. */
  async #deliver(
    repo: UserRepo,
    write: PendingWrite,
    now: number,
  ): Promise<
    | { status: "delivered"; commitSha: string }
    | { status: "retry" | "failed" }
    | { status: "gitea_down"; retryAfterMs?: number }
  > {
    const { db, log } = this.deps;
    try {
      // Rows stored before today's path rules may hold a path git refuses: set aside without sending it.
      validateMemoryPath(write.path);
      const outcome = await writeFile(repo.client, repo.owner, repo.repo, write.path, {
        content: write.content,
        message: write.message,
        branch: repo.defaultBranch,
      });
      await markWriteDone(db, write.id, outcome.commitSha);
      return { status: "delivered", commitSha: outcome.commitSha };
    } catch (error) {
      const text = errorText(error);
      const next = actionAfterFailure(classifyWriteFailure(error), write.attempts, MAX_WRITE_ATTEMPTS);
      if (next.action === "wait_for_gitea") {
        log.warn("memory writes wait for git; retrying", { writeId: write.id, error });
        await markWriteWaiting(db, write.id, text);
        return { status: "gitea_down", retryAfterMs: next.retryAfterMs };
      }
      if (next.action === "set_aside") {
        const { reason } = next;
        log.error("memory write set aside", { writeId: write.id, path: write.path, reason, error });
        await markWriteFailed(db, write.id, reason, text);
        this.deps.cache.delete(write.path);
        if (isSystemPath(write.path)) this.#systemFiles = undefined;
        this.deps.onWriteFailed?.({
          writeId: write.id,
          path: write.path,
          reason,
          error: text,
          ...(write.threadId ? { threadId: write.threadId } : {}),
        });
        return { status: "failed" };
      }
      const at = now + durableRetryDelayMs(write.attempts, DURABLE_RETRY_POLICY, next.retryAfterMs);
      log.warn("memory write failed; retrying later", {
        writeId: write.id,
        attempts: write.attempts + 1,
        retryInMs: at - now,
        error,
      });
      await markWriteRetry(db, write.id, text, new Date(at));
      return { status: "retry" };
    }
  }

  /** Asks for a drain at `at`, unless one is already asked for by then. */
  #scheduleAt(at: number): void {
    const now = this.#now();
    if (this.#retryAt > now && this.#retryAt <= at) return;
    this.#retryAt = at;
    this.deps.scheduleRetry(Math.max(0, at - now));
  }
}

const requireThread = (threadId: string | undefined): string => {
  if (!threadId)
    throw new MemoryPathError("invalid_path", "session/ notes belong to a thread; none was given");
  return threadId;
};

/** What the user is shown (and the row keeps) of a failure: Gitea's own answer, never hosts or internals. */
function errorText(error: unknown): string {
  if (error instanceof GiteaError) {
    return error.status === 0
      ? "git storage unreachable"
      : `Gitea answered ${error.status}: ${error.giteaMessage}`;
  }
  if (error instanceof MemoryPathError) return error.message;
  return "unexpected error (see the server log)";
}

function commitResult(path: string, writeId: string, state: WriteState): CommitResult {
  if (state.status === "done") return { status: "committed", path, writeId, commitSha: state.commitSha };
  if (state.status === "failed")
    return { status: "failed", path, writeId, reason: state.reason, error: state.error };
  return { status: "pending", path, writeId };
}
