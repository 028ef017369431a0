/**
 * Fly's retry policy on top of the one retry helper (`platform/retry.ts`): how often and how long to wait before
 * retrying a Fly API call. Pure, so it is unit-tested without a network.
 */
import { nextRetryDelay, type RetryPolicy as PlatformRetryPolicy } from "../../../platform/retry";

export { isRetryableStatus, parseRetryAfter } from "../../../platform/retry";

export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

/**
 * As the helper's policy. The server's `Retry-After` is clamped to `maxDelayMs`, not given up on, so a hostile or
 * broken value cannot park a Durable Object for hours while a short one is still honoured.
 */
export const toPlatformPolicy = (policy: RetryPolicy): PlatformRetryPolicy => ({
  attempts: policy.maxAttempts,
  baseMs: policy.baseDelayMs,
  maxMs: policy.maxDelayMs,
  maxRetryAfterMs: policy.maxDelayMs,
  longRetryAfter: "clamp",
});

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1), or undefined to give up. The server's
 * `Retry-After` wins when present (capped); otherwise exponential backoff with full jitter, so many stacks
 * retrying at once do not stampede.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  return nextRetryDelay({ attempt, retryAfterMs }, toPlatformPolicy(policy), random);
}
