import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import type { UserRepo } from "../git/bootstrap-user-repo";
import { validateMemoryPath } from "../git/memory-paths";
import { DURABLE_RETRY_POLICY, durableRetryDelayMs } from "../git/retry";
import { MemoryWakingError } from "../git/user-gitea";
import { writeFile } from "../git/write-file";
import type { PendingWrite } from "./memory-outbox.repository";
import {
  dueMemoryWrites,
  markWriteDone,
  markWriteFailed,
  markWriteRetry,
  markWriteWaiting,
  nextHeldWriteAt,
} from "./memory-outbox-drain.repository";
import {
  actionAfterFailure,
  classifyWriteFailure,
  type FailureReason,
  writeErrorText,
} from "./memory-write-failure";

/**
 * Attempts in all before a write that keeps failing is set aside as `retries_exhausted`. Only failures of the
 * write count: while Gitea is down (an outage) a write is charged nothing and waits as long as it takes.
 */
export const MAX_WRITE_ATTEMPTS = DURABLE_RETRY_POLICY.retries + 1;

export interface WriteFailureNotice {
  writeId: string;
  path: string;
  reason: FailureReason;
  error: string;
  threadId?: string;
}

export interface OutboxDrainDeps {
  db: Database;
  userId: string;
  userRepo(): Promise<UserRepo | null>;
  /** Asks for another delivery attempt after `ms` (the growAgent actor sets an alarm). */
  scheduleRetry(ms: number): void;
  /** A write was set aside for good (the Grow Agent tells the thread that made it). */
  onWriteFailed?(failure: WriteFailureNotice): void;
  /** A write of `path` was set aside: what the service remembers of that path (L1, system files) is stale. */
  forget(path: string): void;
  log: Logger;
  now: () => number;
}

type DeliveryOutcome =
  | { status: "delivered"; commitSha: string }
  | { status: "retry" | "failed" }
  | { status: "gitea_down"; retryAfterMs?: number };

/**
 * The delivery half of the memory outbox (`MemoryService` stores the writes): commits the user's waiting writes
 * to Gitea and keeps the state that must outlive one drain, which is single-flight, the outage backoff and the
 * retry asked of the actor. The decisions themselves are in `memory-write-failure.ts`.
 */
export class OutboxDrain {
  #draining?: Promise<Map<string, string>>;
  #again = false;
  #gitDownUntil = 0;
  /** When the retry this instance asked for is due (0: none asked). */
  #retryAt = 0;
  /** Drains in a row stopped by an outage: the run's waits grow with it, up to the durable policy's cap. */
  #outages = 0;
  /** The wake of the user's Gitea machine the last drain found under way, until it is over. */
  #waking: Promise<boolean> | undefined;

  constructor(private readonly deps: OutboxDrainDeps) {}

  /** While git is known to be down, new writes wait for the scheduled retry instead of each trying again. */
  get gitDown(): boolean {
    return this.deps.now() < this.#gitDownUntil;
  }

  /** The wake of the user's Gitea machine under way, if a drain found it asleep (undefined: none). */
  get waking(): Promise<boolean> | undefined {
    return this.#waking;
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
      } while (this.#again && !this.gitDown);
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
    const now = this.deps.now();
    let repo: UserRepo | undefined;
    // Each batch holds at most one write per path (its head); once those are done, set aside or backing off, the
    // next batch brings the writes behind them.
    for (let batch = await dueMemoryWrites(db, userId, new Date(now)); batch.length > 0; ) {
      for (const write of batch) {
        try {
          repo ??= await this.#repo();
        } catch (error) {
          // No repository to write to (Gitea unreachable, or asleep and waking): every write waits, none is charged.
          if (error instanceof MemoryWakingError) this.#awaitWake(error.woken);
          else this.deps.log.warn("memory writes wait for git; retrying", { error });
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

  /**
   * Once the machine is up the outage is over: the next drain (the actor starts one) tries at once. A wake that
   * failed leaves the backoff as it was, so a Gitea that cannot come up is not asked again and again.
   */
  #awaitWake(woken: Promise<boolean>): void {
    if (this.#waking) return;
    this.#waking = woken.then((up) => {
      this.#waking = undefined;
      if (up) {
        this.#gitDownUntil = 0;
        this.#outages = 0;
      }
      return up;
    });
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
  async #deliver(repo: UserRepo, write: PendingWrite, now: number): Promise<DeliveryOutcome> {
    const { db, log } = this.deps;
    try {
      // Rows stored before today's path rules may hold a path git refuses: set aside without sending it.
      validateMemoryPath(write.path);
      const outcome = await writeFile(repo.client, repo.owner, repo.repo, write.path, {
        content: write.content,
        message: write.message,
        branch: repo.defaultBranch,
      });
      await markWriteDone(db, write, outcome.commitSha);
      return { status: "delivered", commitSha: outcome.commitSha };
    } catch (error) {
      const text = writeErrorText(error);
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
        this.deps.forget(write.path);
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
    const now = this.deps.now();
    if (this.#retryAt > now && this.#retryAt <= at) return;
    this.#retryAt = at;
    this.deps.scheduleRetry(Math.max(0, at - now));
  }
}
