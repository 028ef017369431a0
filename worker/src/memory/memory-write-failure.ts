import type { outboxFailureReasons } from "../../../schema/tables/memory";
import { GiteaError } from "../git/gitea-error";
import { MemoryPathError } from "../git/memory-paths";

export type FailureReason = (typeof outboxFailureReasons)[number];

/**
 * What a failed delivery of one outbox write means:
 * - `permanent`: it will never be accepted (a path git refuses, Gitea's 400/422…): set aside at once, with `reason`;
 * - `transient`: this write failed but Gitea answers (a 500 for this request, a 404/403 while the repository is
 *   being set up, a 409 race): retried later with backoff, and the writes behind it (other paths) go on now;
 * - `outage`: Gitea is unreachable, overloaded or refuses our credentials: every write would fail, so the whole
 *   drain waits. Nothing is wrong with the write itself, so it is charged no attempt: however long the outage, it
 *   is never set aside for it (`actionAfterFailure`).
 */
export type WriteFailure =
  | { kind: "permanent"; reason: Exclude<FailureReason, "retries_exhausted"> }
  | { kind: "transient" | "outage"; retryAfterMs?: number };

const OUTAGE_STATUSES = new Set([0, 401, 429, 502, 503, 504]);
const TRANSIENT_4XX = new Set([403, 404, 408, 409]);

export function classifyWriteFailure(error: unknown): WriteFailure {
  if (error instanceof MemoryPathError) {
    return {
      kind: "permanent",
      reason:
        error.code === "content_too_large" || error.code === "invalid_content" ? "rejected" : "invalid_path",
    };
  }
  if (error instanceof GiteaError) {
    if (OUTAGE_STATUSES.has(error.status)) return { kind: "outage", retryAfterMs: error.retryAfterMs };
    if (error.status >= 500 || TRANSIENT_4XX.has(error.status)) {
      return { kind: "transient", retryAfterMs: error.retryAfterMs };
    }
    if (error.status >= 400) return { kind: "permanent", reason: "rejected" };
  }
  // Anything else (a bug, an odd answer): retried like a 500, so it cannot jam the queue and still ends at the cap.
  return { kind: "transient" };
}

/** What the outbox does after one failed delivery. */
export type FailureAction =
  /** Marked `failed` with `reason`: never retried, never in the way of later writes. */
  | { action: "set_aside"; reason: FailureReason }
  /** The row is charged an attempt and backs off; only later writes of its path wait for it. */
  | { action: "retry_write"; retryAfterMs?: number }
  /** Gitea is down: the run stops and waits (capped backoff); the row keeps its attempts and its place. */
  | { action: "wait_for_gitea"; retryAfterMs?: number };

/**
 * `attempts` is what the row was charged before this failure; `maxAttempts` the cap of charged attempts. Only a
 * failure of this write counts toward the cap: an outage says nothing about the write, and charging it would set
 * aside every write queued during an outage longer than the backoff schedule (about an hour).
 */
export function actionAfterFailure(
  failure: WriteFailure,
  attempts: number,
  maxAttempts: number,
): FailureAction {
  if (failure.kind === "permanent") return { action: "set_aside", reason: failure.reason };
  if (failure.kind === "outage") return { action: "wait_for_gitea", retryAfterMs: failure.retryAfterMs };
  if (attempts + 1 >= maxAttempts) return { action: "set_aside", reason: "retries_exhausted" };
  return { action: "retry_write", retryAfterMs: failure.retryAfterMs };
}

/** What the user is shown (and the row keeps) of a failure: Gitea's own answer, never hosts or internals. */
export function writeErrorText(error: unknown): string {
  if (error instanceof GiteaError) {
    return error.status === 0
      ? "git storage unreachable"
      : `Gitea answered ${error.status}: ${error.giteaMessage}`;
  }
  if (error instanceof MemoryPathError) return error.message;
  return "unexpected error (see the server log)";
}
