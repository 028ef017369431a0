import { uuidv7 } from "uuidv7";
import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import type { UserRepo } from "../git/bootstrap-user-repo";
import { GiteaError } from "../git/gitea-error";
import {
  isSystemPath,
  MemoryPathError,
  validateMemoryContent,
  validateMemoryDirectory,
  validateMemoryPath,
} from "../git/memory-paths";
import type { MemoryCache } from "./memory-cache";
import { type CommitView, commitHistory, commitView, type HistoryEntry } from "./memory-history";
import { type ListEntry, withFiles, withPendingWrites } from "./memory-listing";
import {
  enqueueMemoryWrite,
  type FailedWrite,
  failedMemoryWrites,
  memoryWriteState,
  type WriteState,
} from "./memory-outbox.repository";
import { OutboxDrain, type WriteFailureNotice } from "./memory-outbox-drain";
import { latestPendingWrite, latestPendingWrites } from "./memory-outbox-drain.repository";
import { latestVersion, latestVersionsUnder } from "./memory-versions.repository";
import type { FailureReason } from "./memory-write-failure";
import { getSessionNote, listSessionNotes, putSessionNote } from "./session-memory.repository";
import { type SystemFile, SystemMemory } from "./system-memory";

export type { ListEntry } from "./memory-listing";
export { MAX_WRITE_ATTEMPTS, type WriteFailureNotice } from "./memory-outbox-drain";

/** `session/…` paths are L2: notes for the current thread in Postgres, not files in the repository. */
export const SESSION_PREFIX = "session/";
const isSessionPath = (path: string) => path.startsWith(SESSION_PREFIX);

const MAX_MESSAGE_CHARS = 200;
/** How long a write waits for the user's Gitea machine to wake before it is answered `pending`. */
const WAKE_WAIT_MS = 10_000;

export interface MemoryServiceDeps {
  db: Database;
  userId: string;
  /**
   * The user's memory repository in their Gitea machine, bootstrapped on first use (git-manager.ts). A read-only
   * service (memory-reader.ts) answers null while the user has none yet: reads then find nothing, and never
   * bootstrap. While the machine sleeps: with `wake` it is started and `MemoryWakingError` thrown; without, null.
   */
  userRepo(options: { wake: boolean }): Promise<UserRepo | null>;
  cache: MemoryCache;
  /** Asks for another delivery attempt after `ms` (the growAgent actor sets an alarm). */
  scheduleRetry(ms: number): void;
  /** A write was set aside for good (the Grow Agent tells the thread that made it). */
  onWriteFailed?(failure: WriteFailureNotice): void;
  log: Logger;
  /** The clock retries are planned with and the system files' cache ages by (tests move it). */
  now?: () => number;
}

export type CommitResult =
  | { status: "committed"; path: string; writeId: string; commitSha: string }
  | { status: "pending"; path: string; writeId: string }
  | { status: "failed"; path: string; writeId: string; reason: FailureReason; error: string }
  | { status: "saved"; path: string; layer: "session" };

export interface ReadResult {
  path: string;
  content: string;
  /**
   * Where it came from: hot cache, a write still waiting for git, the newest committed version (L2, no Gitea
   * call), the repository, or the thread's notes.
   */
  source: "l1" | "pending" | "l2" | "git" | "session";
}

/**
 * The Memory API over three layers: L1 (hot files in the actor), L2 (per-thread session notes in Postgres),
 * L3 (markdown files in the user's Gitea repository, one commit per write). Writes to L3 go through a durable
 * outbox: stored first, then committed, each path's writes in order; when Gitea is unreachable they wait (for as
 * long as it takes) and are retried with backoff, and reads see them meanwhile. A write git refuses, or that keeps
 * failing while Gitea answers, is set aside (`failedWrites`) and holds nothing back.
 */
export class MemoryService {
  readonly #outbox: OutboxDrain;
  readonly #now: () => number;
  readonly #system: SystemMemory;

  constructor(private readonly deps: MemoryServiceDeps) {
    this.#now = deps.now ?? Date.now;
    this.#system = new SystemMemory(
      {
        list: (prefix) => this.list({ prefix }),
        read: (path) => this.read({ path }),
        listStored: (prefix) => this.#withStored([], prefix === "" ? "" : `${prefix}/`),
        readStored: (path) => this.#readStored(path),
        log: deps.log,
      },
      this.#now,
    );
    this.#outbox = new OutboxDrain({
      db: deps.db,
      userId: deps.userId,
      userRepo: () => deps.userRepo({ wake: true }),
      scheduleRetry: (ms) => deps.scheduleRetry(ms),
      onWriteFailed: (failure) => deps.onWriteFailed?.(failure),
      forget: (path) => {
        deps.cache.delete(path);
        if (isSystemPath(path)) this.#system.forget();
      },
      log: deps.log,
      now: this.#now,
    });
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
      if (isSystemPath(path)) this.#system.forget();
    }
    let delivered = this.#outbox.gitDown
      ? new Map<string, string>()
      : await this.drain().catch(() => new Map<string, string>());
    // The user's Gitea machine was asleep and is waking: wait a little for it rather than answer `pending` at
    // once, since a wake is usually quick; the write is stored either way.
    const waking = this.#outbox.waking;
    if (!delivered.has(writeId) && waking) {
      await Promise.race([waking, new Promise((resolve) => setTimeout(resolve, WAKE_WAIT_MS))]);
      if (!this.#outbox.gitDown) delivered = await this.drain().catch(() => new Map<string, string>());
    }
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
    const stored = await this.#readStored(path);
    if (stored !== undefined) return stored;
    // Only a file never written through GrowQR (bootstrap's README) or absent gets here: git is asked, waking it.
    const repo = await this.deps.userRepo({ wake: true });
    if (!repo) return null;
    const file = await repo.client.getFile(repo.owner, repo.repo, path, repo.defaultBranch);
    this.deps.cache.set(path, file?.content ?? null);
    return file ? { path, content: file.content, source: "git" } : null;
  }

  /** L1, then a write waiting for git, then L2 (no Gitea call); `undefined` when only git can tell. */
  async #readStored(path: string): Promise<ReadResult | null | undefined> {
    const cached = this.deps.cache.get(path);
    if (cached) return cached.content === null ? null : { path, content: cached.content, source: "l1" };
    const pending = await latestPendingWrite(this.deps.db, this.deps.userId, path);
    if (pending) return { path, content: pending.content, source: "pending" };
    const committed = await latestVersion(this.deps.db, this.deps.userId, path);
    if (committed === null) return undefined;
    this.deps.cache.set(path, committed);
    return { path, content: committed, source: "l2" };
  }

  /**
   * Entries directly under `prefix` (a directory, "" = root), with writes still waiting for git marked: git's
   * listing while the user's Gitea machine is up, with L2's committed versions laid over it (all of it while the
   * machine sleeps: a listing never wakes it).
   */
  async list(input: { prefix: string; threadId?: string }): Promise<ListEntry[]> {
    const dir = validateMemoryDirectory(input.prefix);
    if (dir === "session" || dir.startsWith(SESSION_PREFIX)) {
      const threadId = requireThread(input.threadId);
      const keyPrefix = dir === "session" ? "" : `${dir.slice(SESSION_PREFIX.length)}/`;
      const notes = await listSessionNotes(this.deps.db, this.deps.userId, threadId, keyPrefix);
      return notes.map((n) => ({ path: `${SESSION_PREFIX}${n.key}`, type: "file", size: n.size }));
    }
    const repo = await this.deps.userRepo({ wake: false });
    const entries = (repo && (await this.#gitListing(repo, dir))) ?? [];
    const listed: ListEntry[] = entries
      .filter((e) => e.type === "file" || e.type === "dir")
      .map((e) => ({ path: e.path, type: e.type as "file" | "dir", size: e.size }));
    return this.#withStored(listed, dir === "" ? "" : `${dir}/`);
  }

  /** `listed` (under `base`, "" or ending in "/") with L2's committed files and the waiting writes laid over it. */
  async #withStored(listed: ListEntry[], base: string): Promise<ListEntry[]> {
    const { db, userId } = this.deps;
    const committed = withFiles(listed, base, await latestVersionsUnder(db, userId, base), false);
    return withPendingWrites(committed, base, await latestPendingWrites(db, userId, base));
  }

  /**
   * Git's listing of `dir`, or null when git refuses the stored token (a new Gitea machine the actor has not
   * bootstrapped yet): L2 then answers alone instead of the listing failing.
   */
  async #gitListing(repo: UserRepo, dir: string) {
    try {
      return await repo.client.listDirectory(repo.owner, repo.repo, dir, repo.defaultBranch);
    } catch (error) {
      if (!(error instanceof GiteaError) || ![401, 403].includes(error.status)) throw error;
      this.deps.log.warn("git refused the stored token; listing from L2", { error });
      return null;
    }
  }

  /** The file's commits, newest first (memory-history.ts). */
  history(input: { path: string; limit?: number }): Promise<HistoryEntry[]> {
    return commitHistory(this.deps, input);
  }

  /** The file as a commit left it and as it was before; null when that is not one of its commits. */
  atCommit(input: { path: string; sha: string }): Promise<CommitView | null> {
    return commitView(this.deps, input);
  }

  /** Files under `system/` for the system prompt; empty (not an error) while git is unreachable. */
  systemFiles(): Promise<SystemFile[]> {
    return this.#system.files();
  }

  /**
   * Reads `system/` ahead of a turn from L2 alone, never calling the user's stack (no wake, no activity for its
   * idle clock); on a miss the turn's `systemFiles` reads through to git (system-memory.ts).
   */
  prefetchSystemFiles(): Promise<void> {
    return this.#system.prefetch();
  }

  /**
   * Commits the user's waiting writes that are due, each path's in order (`OutboxDrain.drain`, single-flight).
   * Returns the commit SHA of each write delivered in this run.
   */
  drain(): Promise<Map<string, string>> {
    return this.#outbox.drain();
  }
}

const requireThread = (threadId: string | undefined): string => {
  if (!threadId)
    throw new MemoryPathError("invalid_path", "session/ notes belong to a thread; none was given");
  return threadId;
};

function commitResult(path: string, writeId: string, state: WriteState): CommitResult {
  if (state.status === "done") return { status: "committed", path, writeId, commitSha: state.commitSha };
  if (state.status === "failed")
    return { status: "failed", path, writeId, reason: state.reason, error: state.error };
  return { status: "pending", path, writeId };
}
