export interface RelayEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface RelayBatcherOptions {
  /** Delivers one batch to the Grow Agent; `batch` numbers batches from 1 so a retried delivery is recognised. */
  send(events: RelayEvent[], batch: number): Promise<void>;
  /** Consecutive events of this type are merged by concatenating `data.delta`. */
  mergeType: string;
  /** Delivery attempts per batch before its events are given up (logged by the caller via `onDropped`). */
  attempts?: number;
  retryDelayMs?: number;
  /**
   * Pause after each delivery before the next may start. While a delivery is on its way a Durable Object reads no
   * further chunk of OpenCode's stream (measured); this pause is when the rest of a burst is read, so that it goes
   * out as one batch instead of one event per delivery. (Pausing only when something arrived during the delivery
   * does not work: nothing does, the reads wait.)
   */
  gapMs?: number;
  onDropped?(events: RelayEvent[], error: unknown): void;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Relays a sub-agent's events to the Grow Agent with at most one delivery in flight. The first event after a quiet
 * spell goes out at once; whatever arrives while a delivery is on its way waits for it and goes out as the next
 * batch, consecutive text deltas merged into one event. So a burst of a few hundred deltas from OpenCode costs the
 * Grow Agent a handful of writes and broadcasts instead of one each, without a timer adding latency.
 *
 * The reading side must never wait for a delivery: a Durable Object that writes to its storage per event lets the
 * next stream chunk in only after the commit, which is why the reading happens here, in the sub-agent's object
 * (it writes nothing per event), and not in the Grow Agent's.
 */
export class RelayBatcher {
  #pending: RelayEvent[] = [];
  #delivering?: Promise<void>;
  #batch = 0;

  constructor(private readonly options: RelayBatcherOptions) {}

  add(events: readonly RelayEvent[]): void {
    for (const event of events) pushMerging(this.#pending, event, this.options.mergeType);
    if (this.#pending.length > 0 && !this.#delivering) {
      this.#delivering = this.#deliverAll().finally(() => {
        this.#delivering = undefined;
      });
    }
  }

  /** Resolves once everything added so far has been delivered (or given up). */
  async drain(): Promise<void> {
    while (this.#delivering) await this.#delivering;
  }

  async #deliverAll(): Promise<void> {
    while (this.#pending.length > 0) {
      const events = this.#pending;
      this.#pending = [];
      this.#batch++;
      await this.#deliver(events, this.#batch);
      await this.#sleep(this.options.gapMs ?? 0);
    }
  }

  #sleep(ms: number): Promise<void> {
    const sleep = this.options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    return sleep(ms);
  }

  async #deliver(events: RelayEvent[], batch: number): Promise<void> {
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.send(events, batch);
        return;
      } catch (error) {
        if (attempt >= attempts) {
          this.options.onDropped?.(events, error);
          return;
        }
        await this.#sleep((this.options.retryDelayMs ?? 100) * 2 ** (attempt - 1));
      }
    }
  }
}

/** Adds `event` at the end of `events`, merged into the last one when both are `mergeType` deltas. */
export function pushMerging(events: RelayEvent[], event: RelayEvent, mergeType: string): void {
  const last = events.at(-1);
  if (last && last.type === mergeType && event.type === mergeType) {
    const delta = `${String(last.data.delta ?? "")}${String(event.data.delta ?? "")}`;
    events[events.length - 1] = { type: last.type, data: { ...last.data, delta } };
    return;
  }
  events.push(event);
}
