/**
 * Sends items in order, one call at a time; what arrives while a call is in flight goes in the next call
 * together. For relaying a sub-agent's events to its Grow Agent: one actor call per burst, not per token.
 */
export class RelayBatcher<T> {
  #queue: T[] = [];
  #inFlight?: Promise<void>;
  #failure: unknown;

  constructor(
    private readonly send: (batch: T[]) => Promise<void>,
    private readonly maxBatch = 200,
  ) {}

  push(...items: T[]): void {
    if (items.length === 0) return;
    this.#queue.push(...items);
    this.#inFlight ??= this.#drain().finally(() => {
      this.#inFlight = undefined;
    });
  }

  /** Resolves once everything pushed so far was sent; rejects if a send failed. */
  async flush(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
    if (this.#failure) throw this.#failure;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.maxBatch);
      try {
        await this.send(batch);
      } catch (error) {
        this.#failure ??= error;
      }
    }
  }
}
