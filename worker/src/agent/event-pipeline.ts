export interface StoredEvent {
  threadId: string;
  seq: number;
  type: string;
  data: unknown;
  at: Date;
}

interface Waiting {
  type: string;
  data: unknown;
  resolve(event: StoredEvent): void;
  reject(error: unknown): void;
}

export interface EventPipelineOptions {
  /** Stores a batch in order with the thread's next seqs (one round trip); returns the stored rows. */
  persist(threadId: string, batch: ReadonlyArray<{ type: string; data: unknown }>): Promise<StoredEvent[]>;
  /** Called once per stored event, in seq order, only after it is stored. */
  deliver(event: StoredEvent): void;
  maxBatch?: number;
}

/**
 * Persist-then-broadcast with write batching, per thread. A client never sees an event the log does not have
 * (so a resume from the log is exact), yet a fast model stream does not pay one database round trip per
 * token: events that arrive while a write is in flight go out together in the next one.
 */
export class EventPipeline {
  readonly #queues = new Map<string, Waiting[]>();
  readonly #maxBatch: number;

  constructor(private readonly options: EventPipelineOptions) {
    this.#maxBatch = options.maxBatch ?? 256;
  }

  emit(threadId: string, type: string, payload: unknown): Promise<StoredEvent> {
    const data = withoutNul(payload);
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(threadId);
      if (queue) {
        queue.push({ type, data, resolve, reject });
        return;
      }
      this.#queues.set(threadId, [{ type, data, resolve, reject }]);
      void this.#drain(threadId);
    });
  }

  async #drain(threadId: string): Promise<void> {
    for (;;) {
      const queue = this.#queues.get(threadId) ?? [];
      if (queue.length === 0) {
        this.#queues.delete(threadId);
        return;
      }
      const batch = queue.splice(0, this.#maxBatch);
      try {
        const stored = await this.options.persist(
          threadId,
          batch.map(({ type, data }) => ({ type, data })),
        );
        if (stored.length !== batch.length) throw new ThreadGoneError(threadId);
        batch.forEach((waiting, i) => {
          const event = stored[i] as StoredEvent;
          this.options.deliver(event);
          waiting.resolve(event);
        });
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
  }
}

/** The thread was deleted (or never was the user's) while events were being written to it. */
export class ThreadGoneError extends Error {
  constructor(readonly threadId: string) {
    super(`Thread ${threadId} no longer exists`);
    this.name = "ThreadGoneError";
  }
}

/**
 * Postgres jsonb refuses U+0000, which a tool's output (a binary file, `find -print0`) can contain; one such event
 * would block its thread's log for good. Dropped from every string.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === "string") return value.replaceAll("\u0000", "") as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v)])) as T;
  }
  return value;
}
