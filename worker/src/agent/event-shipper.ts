import { retry } from "../../../platform/retry";
import type { StoredEvent } from "./event-pipeline";

export type ShipResult = "stored" | "thread_gone";

export interface EventShipperOptions {
  /** Idempotent write of a batch (in seq order) to Postgres; "thread_gone" when the thread was deleted. */
  ship(threadId: string, events: readonly StoredEvent[]): Promise<ShipResult>;
  /** Drops shipped events from the local outbox. */
  shipped(events: readonly StoredEvent[]): Promise<void>;
  onThreadGone?(threadId: string): void;
  onRetry?(threadId: string, attempt: number, error: unknown): void;
  maxBatch?: number;
  /** Backoff after a failed write (platform/retry.ts): full jitter over base × 2^attempt, capped. */
  backoff?: { baseMs: number; maxMs: number };
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * While only events of these types (stream deltas) wait, shipping waits up to `lingerMs` for more: a streamed
   * answer then costs Postgres one write per window instead of one per delta, and the database's CPU stays off the
   * streaming path. Any other event (a turn's end, a tool result) ships at once, with everything before it.
   */
  linger?: { types: ReadonlySet<string>; ms: number };
}

/**
 * Moves events from the actor's local outbox to Postgres, one thread at a time in seq order, retrying with
 * backoff while the database is down: clients keep streaming meanwhile, and every event lands once it is back
 * (the write is idempotent on (thread, seq), so a retry after an unknown outcome cannot duplicate).
 */
export class EventShipper {
  readonly #queues = new Map<string, StoredEvent[]>();
  readonly #running = new Map<string, Promise<void>>();
  /** Ends a thread's linger early (an event arrived that must not wait). */
  readonly #wake = new Map<string, () => void>();
  readonly #maxBatch: number;
  readonly #backoff: { baseMs: number; maxMs: number };
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: EventShipperOptions) {
    this.#maxBatch = options.maxBatch ?? 500;
    this.#backoff = options.backoff ?? { baseMs: 200, maxMs: 15_000 };
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Queues events (already in the local outbox) for Postgres; returns the thread's shipping work. */
  enqueue(threadId: string, events: readonly StoredEvent[]): Promise<void> {
    const queue = this.#queues.get(threadId) ?? [];
    queue.push(...events);
    this.#queues.set(threadId, queue);
    if (!this.#mayLinger(events)) this.#wake.get(threadId)?.();
    let running = this.#running.get(threadId);
    if (!running) {
      running = this.#drain(threadId).finally(() => this.#running.delete(threadId));
      this.#running.set(threadId, running);
    }
    return running;
  }

  /**
   * Resolves when everything queued so far is in Postgres (or dropped with its deleted thread): of one thread, so
   * that another thread's streaming turn does not hold it up, or of every thread.
   */
  async idle(threadId?: string): Promise<void> {
    if (threadId !== undefined) {
      for (let running = this.#running.get(threadId); running; running = this.#running.get(threadId)) {
        await running;
      }
      return;
    }
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }

  #mayLinger(events: readonly StoredEvent[]): boolean {
    const types = this.options.linger?.types;
    return types !== undefined && events.every((event) => types.has(event.type));
  }

  async #linger(threadId: string): Promise<void> {
    let wake = () => {};
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.#wake.set(threadId, wake);
    try {
      await Promise.race([woken, this.#sleep(this.options.linger?.ms ?? 0)]);
    } finally {
      this.#wake.delete(threadId);
    }
  }

  async #drain(threadId: string): Promise<void> {
    for (;;) {
      const queue = this.#queues.get(threadId) ?? [];
      if (queue.length === 0) {
        this.#queues.delete(threadId);
        return;
      }
      // Retried until the database takes it (no attempt limit). Each attempt takes the batch afresh, so whatever
      // arrived during the outage goes with it.
      await retry(() => this.#shipNext(threadId, queue), {
        attempts: Number.POSITIVE_INFINITY,
        ...this.#backoff,
        sleep: this.#sleep,
        ...(this.options.random ? { random: this.options.random } : {}),
        onRetry: ({ error, attempt }) => this.options.onRetry?.(threadId, attempt, error),
      });
    }
  }

  async #shipNext(threadId: string, queue: StoredEvent[]): Promise<void> {
    if (this.#mayLinger(queue)) await this.#linger(threadId);
    const batch = queue.slice(0, this.#maxBatch);
    const result = await this.options.ship(threadId, batch);
    queue.splice(0, batch.length);
    await this.options.shipped(batch);
    if (result === "thread_gone") {
      await this.options.shipped(queue.splice(0));
      this.options.onThreadGone?.(threadId);
    }
  }
}
