/** Rejects when `work` has not settled within `ms` (the work itself goes on; only the wait ends). */
export function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  message = `no answer within ${ms} ms`,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `work`'s outcome, or `fallback` when it has not settled within `ms` (a bounded wait that gives up quietly). The
 * timer is cleared as soon as the work settles: a pending timer keeps a Durable Object in memory.
 */
export function orAfter<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Statuses a `Response` may not be built with a body for (`new Response` throws). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * One HTTP exchange under a deadline, body included: `send` gets the signal to pass to `fetch`, and the answer is
 * read whole under the same timer (for answers of bounded size). The timer is cleared when the exchange ends,
 * unlike `AbortSignal.timeout`'s: a pending timer keeps a Durable Object from being evicted for its whole length.
 */
export async function fetchWithin(
  ms: number,
  send: (signal: AbortSignal) => Promise<Response>,
): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${ms} ms`, "TimeoutError")),
    ms,
  );
  try {
    const response = await send(controller.signal);
    const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
    return new Response(body, response);
  } finally {
    clearTimeout(timer);
  }
}
