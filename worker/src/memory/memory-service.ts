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
import { writeFile } from "../git/write-file";
import type { MemoryCache } from "./memory-cache";
import {
  enqueueMemoryWrite,
  markWriteDone,
  markWriteFailed,
  markWriteRetry,
  pendingMemoryWrites,
} from "./memory-outbox.repository";
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
  log: Logger;
}

export type CommitResult =
  | { status: "committed"; path: string; writeId: string; commitSha: string }
  | { status: "pending"; path: string; writeId: string }
  | { status: "saved"; path: string; layer: "session" };

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
 * outbox: stored first, then committed in order; when Gitea is unreachable they wait and are retried, and reads
 * see them meanwhile.
 */
export class MemoryService {
  #draining?: Promise<Map<string, string>>;
  #again = false;
  /** While git is known to be down, new writes wait for the scheduled retry instead of each trying again. */
  #gitDownUntil = 0;
  #systemFiles?: { at: number; files: Array<{ path: string; content: string }> };

  constructor(private readonly deps: MemoryServiceDeps) {}

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
    const writeId = await enqueueMemoryWrite(
      this.deps.db,
      this.deps.userId,
      { path, content, message },
      input.idempotencyKey ?? uuidv7(),
    );
    this.deps.cache.set(path, content);
    if (isSystemPath(path)) this.#systemFiles = undefined;
    const delivered =
      Date.now() < this.#gitDownUntil ? new Map<string, string>() : await this.drain().catch(() => new Map());
    const commitSha = delivered.get(writeId);
    return commitSha === undefined
      ? { status: "pending", path, writeId }
      : { status: "committed", path, writeId, commitSha };
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
    const pending = (await pendingMemoryWrites(this.deps.db, this.deps.userId))
      .filter((w) => w.path === path)
      .at(-1);
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
    for (const write of await pendingMemoryWrites(this.deps.db, this.deps.userId)) {
      if (!write.path.startsWith(base)) continue;
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
   * Commits every waiting write in order, one commit each; stops at the first one Gitea cannot take now and asks
   * for a retry. Safe to repeat: a write whose commit landed but whose row was not marked is found already applied
   * (same content) and not committed again. Returns the commit SHA of each write delivered in this run.
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
      } while (this.#again && Date.now() >= this.#gitDownUntil);
      return delivered;
    })().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #drainOnce(): Promise<Map<string, string>> {
    const { db, userId, log } = this.deps;
    const delivered = new Map<string, string>();
    const pending = await pendingMemoryWrites(db, userId);
    if (pending.length === 0) return delivered;
    let repo: UserRepo;
    try {
      const found = await this.deps.userRepo();
      if (!found) throw new Error("memory writes need a service that bootstraps the repository");
      repo = found;
    } catch (error) {
      this.#retryLater(pending[0]?.attempts ?? 0, error);
      return delivered;
    }
    for (const write of pending) {
      try {
        const outcome = await writeFile(repo.client, repo.owner, repo.repo, write.path, {
          content: write.content,
          message: write.message,
          branch: repo.defaultBranch,
        });
        await markWriteDone(db, write.id);
        delivered.set(write.id, outcome.commitSha);
        this.#gitDownUntil = 0;
      } catch (error) {
        if (isRetryable(error)) {
          const delay = this.#retryLater(write.attempts, error);
          await markWriteRetry(db, write.id, errorText(error), delay).catch(() => {});
          break;
        }
        log.error("memory write refused by git; giving up on it", {
          writeId: write.id,
          path: write.path,
          error,
        });
        await markWriteFailed(db, write.id, errorText(error));
      }
    }
    return delivered;
  }

  #retryLater(attempts: number, error: unknown): number {
    const delay = Math.min(60_000, 1_000 * 2 ** Math.min(attempts, 6));
    this.#gitDownUntil = Date.now() + delay;
    this.deps.log.warn("memory writes wait for git; retrying", { attempts, delayMs: delay, error });
    this.deps.scheduleRetry(delay);
    return delay;
  }
}

const requireThread = (threadId: string | undefined): string => {
  if (!threadId)
    throw new MemoryPathError("invalid_path", "session/ notes belong to a thread; none was given");
  return threadId;
};

/** Gitea down, rate limited, or unreachable: the write waits. Anything else is a refusal that will not change. */
function isRetryable(error: unknown): boolean {
  if (error instanceof GiteaError) {
    return error.kind === "unavailable" || error.kind === "rate_limited" || error.kind === "unauthorized";
  }
  return !(error instanceof MemoryPathError);
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
