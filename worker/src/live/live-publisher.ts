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
/**
 * While quiet, one broadcast per this long still goes to the hub: its answer makes the publisher loud again if a
 * socket opened and the hub's notice of it was lost (a deploy, say), so a tab misses at most this much live.
 */
export const QUIET_PROBE_MS = 5_000;

/** The hub's answer to a publish (live-hub.do.ts): sockets reached, live sockets held, sockets accepted so far. */
export interface PublishAnswer {
  delivered: number;
  listeners: number;
  epoch: number;
}

/**
 * Whether the publisher sends at all. `quiet`: the hub said it holds no socket, so a publish would only wake it
 * for nothing. `epoch`: the highest hub epoch (sockets accepted so far) heard from either side, so an answer made
 * before a socket opened cannot silence the publisher after the hub said that socket opened.
 */
export interface Loudness {
  quiet: boolean;
  epoch: number;
}

/** A new agent publishes: it cannot know whether a socket is open, and the first answer tells it. */
export const LOUD: Loudness = { quiet: false, epoch: 0 };

/** What the publisher heard: an answer to a publish, or the hub's word that a socket opened (`hubListening`). */
export type HubNews = { answer: unknown } | { opened: number };

/** A hub epoch: a non-negative safe integer (what `hubListening` and `eventCursor` accept). */
export const isHubEpoch = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * The publisher's next loudness. A socket opened: loud (also for an epoch already heard: one publish too many
 * costs a call, one too few costs an event). An answer with listeners: loud. An answer with none: quiet, unless
 * a later socket opened since (its epoch is below the highest heard). An answer that is not one (an older hub's)
 * changes nothing. Pure.
 */
export function hear(state: Loudness, news: HubNews): Loudness {
  if ("opened" in news) {
    return isHubEpoch(news.opened) ? { quiet: false, epoch: Math.max(state.epoch, news.opened) } : state;
  }
  const { listeners, epoch } = (news.answer ?? {}) as Partial<PublishAnswer>;
  if (!isHubEpoch(listeners) || !isHubEpoch(epoch)) return state;
  const highest = Math.max(state.epoch, epoch);
  if (listeners > 0) return { quiet: false, epoch: highest };
  return epoch >= state.epoch ? { quiet: true, epoch: highest } : state;
}

export interface PublisherOptions {
  /** One call to the user's hub with the batch, in order; answers the hub's `PublishAnswer`. */
  send(batch: Broadcast[]): Promise<unknown>;
  /** Keeps the object alive until the work settles (the actor's `waitUntil`). */
  keepAlive?(work: Promise<unknown>): void;
  log?: { warn(message: string, fields?: object): void };
  /** For tests: the retry's sleep, the batch window's timer and the clock of the quiet probe. */
  sleep?: (ms: number) => Promise<void>;
  windowMs?: number;
  now?: () => number;
}

export interface LivePublisher {
  /** Hands one broadcast to the hub (batched), or drops it while the hub holds no socket. */
  publish(name: string, data: unknown): void;
  /** The hub accepted a socket, its `epoch`-th: publish again. */
  opened(epoch: number): void;
  readonly quiet: boolean;
}

/**
 * Forwards the growAgent's broadcasts to the user's LiveHub (live-hub.do.ts): everything broadcast within a few ms
 * goes in one call, calls go one at a time so batches arrive in order, and a batch the hub does not take within
 * the retries is dropped with a warning. While the hub says it holds no socket the publisher is quiet and drops
 * broadcasts without a call, but for a probe every few seconds, until the hub says one opened or a probe's answer
 * shows listeners (docs/decisions/0011, "quiet hub"). Nothing is lost for
 * good by a drop: every event is in the thread's log and clients fill a gap in seqs from it (the SPA's thread
 * feed, the SSE stream's EventSequencer), and a socket's client reads the log when it opens.
 */
export function createLivePublisher(options: PublisherOptions): LivePublisher {
  const windowMs = options.windowMs ?? BATCH_WINDOW_MS;
  let pending: Broadcast[] = [];
  let running = false;
  let loudness = LOUD;
  const now = options.now ?? Date.now;
  let probedAt = Number.NEGATIVE_INFINITY;
  /** What is pending was queued as a probe while quiet: sent even though the publisher is quiet. */
  let probe = false;

  const drain = async () => {
    running = true;
    try {
      while (pending.length > 0) {
        if (windowMs > 0) await new Promise((resolve) => setTimeout(resolve, windowMs));
        const batch = pending;
        pending = [];
        const probing = probe;
        probe = false;
        // Went quiet while these waited: nobody would receive them.
        if (loudness.quiet && !probing) break;
        const answer = await retry(() => withTimeout(options.send(batch), CALL_TIMEOUT_MS), {
          ...RETRY,
          sleep: options.sleep,
        }).catch((error) => {
          // A failure says nothing about listeners: stay loud.
          options.log?.warn("live hub publish dropped", { broadcasts: batch.length, error });
          return undefined;
        });
        if (answer !== undefined) {
          loudness = hear(loudness, { answer });
          // The hub was just asked: the next probe is due an interval from now.
          probedAt = now();
        }
      }
    } finally {
      running = false;
    }
  };

  return {
    publish(name, data) {
      if (loudness.quiet) {
        // Dropped, but for one probe per QUIET_PROBE_MS.
        if (running || now() - probedAt < QUIET_PROBE_MS) return;
        probedAt = now();
        probe = true;
      }
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
    },
    opened(epoch) {
      loudness = hear(loudness, { opened: epoch });
    },
    get quiet() {
      return loudness.quiet;
    },
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
): LivePublisher | undefined {
  const hubs = env.LIVE_HUB;
  if (!hubs || !userId) return undefined;
  return createLivePublisher({
    ...options,
    send: (batch) => hubs.get(hubs.idFromName(userId)).publish(batch),
  });
}
