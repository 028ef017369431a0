import { type CallUsage, SseUsageCounter } from "./usage-counter";

export interface MeteredStreamOptions {
  /** Stops the upstream call (its fetch's AbortController): generation, and its cost, stop with it. */
  abortUpstream: () => void;
  /** The usage known at `message_start` (input and cache tokens): recorded at once, before any output. */
  onStart: (usage: CallUsage) => Promise<void>;
  /** The usage counted by the end (or by the hang-up); undefined if no `message_start` ever came. */
  onEnd: (usage: CallUsage | undefined) => Promise<void>;
  /**
   * After the caller hangs up before `message_start`, how long to keep reading for it: the input tokens it
   * reports were paid for. Must stay under the Worker's `waitUntil` budget (30 s after the response ends).
   */
  startGraceMs: number;
}

export interface MeteredStream {
  /** The caller's copy of the upstream bytes, unchanged. */
  toCaller: ReadableStream<Uint8Array>;
  /** Settles once the call is metered (give it to `waitUntil`); never rejects. */
  metered: Promise<void>;
}

/**
 * Passes an upstream event stream to the caller while counting its usage, so that hanging up cannot skip the
 * meter: the row is written as soon as `message_start` arrives (input + cache tokens), and completed with the
 * output at the end. When the caller hangs up, upstream is aborted (after `message_start`, or `startGraceMs`
 * without it), so generation stops, and what was counted until then is metered.
 */
export function meterStream(
  upstream: ReadableStream<Uint8Array>,
  options: MeteredStreamOptions,
): MeteredStream {
  const counter = new SseUsageCounter();
  let caller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let callerGone = false;
  let started = false;
  let grace: ReturnType<typeof setTimeout> | undefined;

  const toCaller = new ReadableStream<Uint8Array>({
    start(controller) {
      caller = controller;
    },
    cancel() {
      callerGone = true;
      if (started) options.abortUpstream();
      else grace = setTimeout(options.abortUpstream, options.startGraceMs);
    },
  });

  const metered = (async () => {
    const reader = upstream.getReader();
    let startWrite: Promise<void> | undefined;
    let failure: unknown;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        counter.push(value);
        if (!callerGone) caller?.enqueue(value);
        if (!started && counter.result) {
          started = true;
          startWrite = options.onStart(counter.result).catch(() => {});
          if (callerGone) {
            options.abortUpstream();
            break;
          }
        }
      }
    } catch (error) {
      // Aborted (the caller left) or the upstream connection broke: what was reported so far was used all the same.
      failure = error;
    } finally {
      clearTimeout(grace);
      reader.cancel().catch(() => {});
    }
    counter.end();
    if (!callerGone) {
      try {
        if (failure === undefined) caller?.close();
        else caller?.error(failure);
      } catch {
        // The caller's side was already closed.
      }
    }
    await startWrite;
    await options.onEnd(counter.result).catch(() => {});
  })();

  return { toCaller, metered };
}
