/**
 * Gitea's retry policies on top of the one retry helper (`platform/retry.ts`): 429 and 5xx answers and network
 * failures are retried with capped exponential backoff and full jitter, honouring `Retry-After`. Anything else is
 * returned to the caller as it is.
 */
import { backoffDelay, retryingFetch as platformRetryingFetch } from "../../../platform/retry";

export { parseRetryAfter } from "../../../platform/retry";

export interface RetryPolicy {
  /** Extra attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the response goes back to the caller (e.g. an outbox). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

export interface RetryingFetchOptions {
  policy?: RetryPolicy;
  fetch?: (request: Request) => Promise<Response>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/** A fetch that retries per the policy. Each attempt sends a clone, so request bodies can be replayed. */
export function retryingFetch(options: RetryingFetchOptions = {}): (request: Request) => Promise<Response> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  return platformRetryingFetch(options.fetch ?? ((request: Request) => fetch(request)), {
    attempts: policy.retries + 1,
    baseMs: policy.baseDelayMs,
    maxMs: policy.maxDelayMs,
    maxRetryAfterMs: policy.maxRetryAfterMs,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
}

/**
 * Durable retries (an outbox row retried across alarms, not within one request): 10 attempts in all, the waits
 * doubling from 10 s to 20 min, about 30 to 60 min from the first failure to the last attempt.
 */
export const DURABLE_RETRY_POLICY: RetryPolicy = {
  retries: 9,
  baseDelayMs: 10_000,
  maxDelayMs: 20 * 60_000,
  maxRetryAfterMs: 20 * 60_000,
};

/**
 * Delay before durable retry number `attempt` (0-based): equal jitter (half the window fixed, half random), so
 * the waits really grow and the cap is reached in bounded time; a server's `Retry-After` is honoured up to the cap.
 */
export function durableRetryDelayMs(
  attempt: number,
  policy: RetryPolicy = DURABLE_RETRY_POLICY,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const delay = backoffDelay(
    attempt,
    { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: "equal" },
    random,
  );
  return Math.floor(Math.min(policy.maxRetryAfterMs, Math.max(delay, retryAfterMs ?? 0)));
}
