/**
 * Retries for calls to Gitea: 429 and 5xx answers and network failures are retried with capped exponential
 * backoff and full jitter, honouring `Retry-After`. Anything else is returned to the caller as it is.
 */

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

export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Delay before retry number `attempt` (0-based). The server's `Retry-After` wins when given; otherwise full
 * jitter over an exponentially growing window, so many clients retrying at once spread out.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * window);
}

export interface RetryingFetchOptions {
  policy?: RetryPolicy;
  fetch?: (request: Request) => Promise<Response>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fetch that retries per the policy. Each attempt sends a clone, so request bodies can be replayed. */
export function retryingFetch(options: RetryingFetchOptions = {}): (request: Request) => Promise<Response> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const send = options.fetch ?? ((request: Request) => fetch(request));
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;

  return async (request) => {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await send(request.clone());
      } catch (error) {
        if (attempt >= policy.retries || request.signal.aborted) throw error;
        await sleep(retryDelayMs(attempt, policy, undefined, options.random));
        continue;
      }
      if (!isRetryableStatus(response.status) || attempt >= policy.retries) return response;
      const retryAfter = parseRetryAfter(response.headers.get("retry-after"), now());
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) return response;
      await response.body?.cancel();
      await sleep(
        Math.min(retryDelayMs(attempt, policy, retryAfter, options.random), policy.maxRetryAfterMs),
      );
    }
  };
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
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  const delay = window / 2 + Math.floor((random() * window) / 2);
  return Math.floor(Math.min(policy.maxRetryAfterMs, Math.max(delay, retryAfterMs ?? 0)));
}
