import { retry } from "../../../platform/retry";
import { withTimeout } from "../../../platform/with-timeout";
import type { Broadcast } from "./live-hub";

/** Broadcasts made within this long of the first one go to the hub in one call (a streaming turn makes many). */
export const BATCH_WINDOW_MS = 5;
/** A failed publish is retried this long, then dropped: clients recover the gap from the log by seq. */
const RETRY = { attempts: 4, baseMs: 50, maxMs: 500, maxElapsedMs: 2_000 };
/** One call that hangs must not hold every later broadcast (and the object) behind it. */
const CALL_TIMEOUT_MS = 2_000;
/** Broadcasts waiting while the hub is slow; past this the oldest are dropped (the log has them). */
export const MAX_PENDING = 1_000;

export interface PublisherOptions {
  /** One call to the user's hub with the batch, in order. */
  send(batch: Broadcast[]): Promise<unknown>;
  /** Keeps the object alive until the work settles (the actor's `waitUntil`). */
  keepAlive?(work: Promise<unknown>): void;
  log?: { warn(message: string, fields?: object): void };
  /** For tests: the retry's sleep and the batch window's timer. */
  sleep?: (ms: number) => Promise<void>;
  windowMs?: number;
}

/**
 * Forwards the growAgent's broadcasts to the user's LiveHub (live-hub.do.ts): everything broadcast within a few ms
 * goes in one call, calls go one at a time so batches arrive in order, and a batch the hub does not take within
 * the retries is dropped with a warning. Nothing is lost for good by a drop: every event is in the thread's log
 * and clients fill a gap in seqs from it (the SPA's thread feed, the SSE stream's EventSequencer).
 */
export function createLivePublisher(options: PublisherOptions): (name: string, data: unknown) => void {
  const windowMs = options.windowMs ?? BATCH_WINDOW_MS;
  let pending: Broadcast[] = [];
  let running = false;

  const drain = async () => {
    running = true;
    try {
      while (pending.length > 0) {
        if (windowMs > 0) await new Promise((resolve) => setTimeout(resolve, windowMs));
        const batch = pending;
        pending = [];
        await retry(() => withTimeout(options.send(batch), CALL_TIMEOUT_MS), {
          ...RETRY,
          sleep: options.sleep,
        }).catch((error) =>
          options.log?.warn("live hub publish dropped", { broadcasts: batch.length, error }),
        );
      }
    } finally {
      running = false;
    }
  };

  return (name, data) => {
    pending.push({ name, data });
    if (pending.length > MAX_PENDING) {
      const dropped = pending.splice(0, pending.length - MAX_PENDING);
      options.log?.warn("live hub publish queue full: oldest broadcasts dropped", {
        dropped: dropped.length,
      });
    }
    if (running) return;
    const work = drain();
    options.keepAlive?.(work);
  };
}

/** The env a publisher needs: the hubs' namespace (absent in a test Worker without it: nothing is published). */
export interface LiveHubEnv {
  LIVE_HUB?: DurableObjectNamespace<import("./live-hub.do").LiveHub>;
}

/** The publisher of `userId`'s growAgent, to that user's hub only. */
export function hubPublisher(
  env: LiveHubEnv,
  userId: string,
  options: Pick<PublisherOptions, "keepAlive" | "log">,
): ((name: string, data: unknown) => void) | undefined {
  const hubs = env.LIVE_HUB;
  if (!hubs || !userId) return undefined;
  return createLivePublisher({
    ...options,
    send: (batch) => hubs.get(hubs.idFromName(userId)).publish(batch),
  });
}
