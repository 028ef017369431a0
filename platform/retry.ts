/**
 * The one retry helper (CONTRIBUTING.md, "One retry helper"): capped exponential backoff with full jitter, a
 * server's `Retry-After` honoured, an attempt limit and/or a time budget, abortable, with the clock, the sleep
 * and the randomness injectable for tests. Every loop that retries in process uses `retry` (or `retryingFetch`
 * for HTTP); durable retries (a row retried on a later alarm, not within one request) take their next attempt
 * time from `backoffDelay`.
 *
 * Written here rather than taken from `p-retry`: that one has no full jitter, no `Retry-After`, and no
 * injectable sleep or randomness, which every caller's tests need.
 */

import { UpstreamError } from "./upstream-error";

export interface Backoff {
  /** The window of the first retry; it doubles with each retry after. */
  baseMs: number;
  /** The window stops growing here. */
  maxMs: number;
  /**
   * `"full"` (the default): uniform over the whole window, which spreads many clients retrying at once best.
   * `"equal"`: half the window fixed, half random, so the waits surely grow and a capped number of attempts spans
   * a known time (durable retries whose last attempt sets the work aside).
   */
  jitter?: "full" | "equal";
}

/** Wait before retry number `retry` (0-based: 0 is the wait after the first failure). Pure. */
export function backoffDelay(retry: number, backoff: Backoff, random: () => number = Math.random): number {
  const window = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(Math.max(0, retry), 30));
  if (backoff.jitter === "equal") return Math.floor(window / 2 + (random() * window) / 2);
  return Math.floor(random() * window);
}

/** 429 and 5xx: HTTP's "try again" answers. Anything else would get the same answer again. */
export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** `Retry-After` as milliseconds from `now`: seconds or an HTTP date; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1_000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The `Retry-After` an error carries, in ms: a `retryAfterMs` number (an `UpstreamError`'s), or a `retry-after`
 * header on the error, its `response`, or the error itself being a `Response`.
 */
export function retryAfterOf(error: unknown, now: number): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  if ("retryAfterMs" in error && typeof error.retryAfterMs === "number") return error.retryAfterMs;
  const headersOf = (value: unknown) =>
    typeof value === "object" && value !== null && "headers" in value && value.headers instanceof Headers
      ? value.headers
      : undefined;
  const response = "response" in error ? error.response : undefined;
  const headers = headersOf(error) ?? headersOf(response);
  return parseRetryAfter(headers?.get("retry-after"), now);
}

/**
 * `retry`'s default `shouldRetry`: an `UpstreamError` only when rate limited or unavailable (a 404 or a refused
 * key would come back the same), anything else always (a database blip, a dropped connection).
 */
export const isRetryableError = (error: unknown): boolean =>
  !(error instanceof UpstreamError) || error.retryable;

export interface RetryPolicy extends Partial<Backoff> {
  /** Attempts in total, the first one included (default 3; `Infinity` for no limit). */
  attempts?: number;
  /** No wait is started that would end later than this after the first attempt began. */
  maxElapsedMs?: number;
  /** The longest `Retry-After` waited for (default 60 s: a longer one goes back to the caller, see below). */
  maxRetryAfterMs?: number;
  /**
   * What a longer `Retry-After` does: `"give_up"` (the default: the failure goes back to the caller, e.g. to an
   * outbox that retries later) or `"clamp"` (wait `maxRetryAfterMs`, so a broken value cannot park us for hours).
   */
  longRetryAfter?: "give_up" | "clamp";
}

const DEFAULT_BACKOFF: Backoff = { baseMs: 200, maxMs: 10_000 };
/** No in-process wait longer than this for a server's `Retry-After`, unless a policy says otherwise. */
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/**
 * The wait after attempt number `attempt` (1-based) failed, or undefined to give up. The server's `Retry-After`
 * wins when given; otherwise `backoffDelay`. Pure: the decision `retry` makes, for callers that loop themselves.
 */
export function nextRetryDelay(
  failure: { attempt: number; retryAfterMs?: number; elapsedMs?: number },
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (failure.attempt >= (policy.attempts ?? 3)) return undefined;
  let delay: number;
  if (failure.retryAfterMs === undefined) {
    delay = backoffDelay(failure.attempt - 1, { ...DEFAULT_BACKOFF, ...policy }, random);
  } else {
    const max = policy.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    if (failure.retryAfterMs > max && policy.longRetryAfter !== "clamp") return undefined;
    delay = Math.min(failure.retryAfterMs, max);
  }
  if (policy.maxElapsedMs !== undefined && (failure.elapsedMs ?? 0) + delay > policy.maxElapsedMs) {
    return undefined;
  }
  return delay;
}

export interface RetryOptions extends RetryPolicy {
  /** Whether this failure is worth another attempt (default `isRetryableError`). */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** The `Retry-After` (ms) a failure carries; default `retryAfterOf`. */
  retryAfterMs?: (error: unknown, now: number) => number | undefined;
  /** Called before each wait (logs, metrics, releasing a failed answer's body). */
  onRetry?: (failure: { error: unknown; attempt: number; delayMs: number }) => void | Promise<void>;
  /** Once aborted no further attempt starts, and a wait in progress ends with the signal's reason. */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** `setTimeout` as a promise, ended early (rejecting with the reason) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `work` (given the attempt number, from 1) until it resolves, retrying failures per `options`; when it
 * gives up (attempts or time spent, a `Retry-After` too long, `shouldRetry` false, aborted) it throws the last
 * failure.
 */
export async function retry<T>(
  work: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const retryAfter = options.retryAfterMs ?? retryAfterOf;
  const shouldRetry = options.shouldRetry ?? isRetryableError;
  const { signal } = options;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await work(attempt);
    } catch (error) {
      if (signal?.aborted || !shouldRetry(error, attempt)) throw error;
      const at = now();
      const delayMs = nextRetryDelay(
        { attempt, retryAfterMs: retryAfter(error, at), elapsedMs: at - started },
        options,
        options.random,
      );
      if (delayMs === undefined) throw error;
      await options.onRetry?.({ error, attempt, delayMs });
      await wait(delayMs, signal);
    }
  }
}

/** A retryable answer, carried through `retry` as a failure and handed back when the retries end. */
class RetryableAnswer extends Error {
  constructor(readonly response: Response) {
    super(`HTTP ${response.status}`);
  }
}

export interface RetryingFetchOptions extends Omit<RetryOptions, "shouldRetry" | "retryAfterMs" | "signal"> {
  /** Statuses worth another attempt (default `isRetryableStatus`). */
  retryableStatus?: (status: number) => boolean;
  /** Observes every attempt; `status` 0 when no answer came (a network error). */
  onAttempt?: (info: { attempt: number; status: number }) => void;
}

/**
 * A fetch that retries network errors and retryable answers per `options`, honouring their `Retry-After`. Each
 * attempt sends a clone, so request bodies can be replayed; the request's signal aborts the retries. When the
 * retries end, the last answer is returned as it is (or the last network error thrown).
 */
export function retryingFetch(
  send: (request: Request) => Promise<Response>,
  options: RetryingFetchOptions = {},
): (request: Request) => Promise<Response> {
  const retryable = options.retryableStatus ?? isRetryableStatus;
  return async (request) => {
    try {
      return await retry(
        async (attempt) => {
          let response: Response;
          try {
            response = await send(request.clone());
          } catch (error) {
            options.onAttempt?.({ attempt, status: 0 });
            throw error;
          }
          options.onAttempt?.({ attempt, status: response.status });
          if (!retryable(response.status)) return response;
          throw new RetryableAnswer(response);
        },
        {
          ...options,
          signal: request.signal,
          retryAfterMs: (error, now) =>
            error instanceof RetryableAnswer
              ? parseRetryAfter(error.response.headers.get("retry-after"), now)
              : undefined,
          onRetry: async (failure) => {
            if (failure.error instanceof RetryableAnswer) await failure.error.response.body?.cancel();
            await options.onRetry?.(failure);
          },
        },
      );
    } catch (error) {
      if (error instanceof RetryableAnswer) return error.response;
      throw error;
    }
  };
}
