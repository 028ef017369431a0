import { retry } from "../../../platform/retry";
import { withTimeout } from "../../../platform/with-timeout";

export interface RelayEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface RelayBatcherOptions {
  /** Delivers one batch to the Grow Agent; `batch` numbers batches from 1 so a retried delivery is recognised. */
  send(events: RelayEvent[], batch: number): Promise<void>;
  /** Consecutive events of this type are merged by concatenating `data.delta`. */
  mergeType: string;
  /**
   * Pause after each delivery before the next may start. While a delivery is on its way a Durable Object reads no
   * further chunk of OpenCode's stream (measured); this pause is when the rest of a burst is read, so that it goes
   * out as one batch instead of one event per delivery. (Pausing only when something arrived during the delivery
   * does not work: nothing does, the reads wait.)
   */
  gapMs?: number;
  /** How long one batch is retried (the Grow Agent restarting, its connection reconnecting) before it is given up. */
  retryForMs?: number;
  /** One delivery attempt that has not answered within this long counts as failed. */
  attemptTimeoutMs?: number;
  /** Called with the events of a batch given up (for the log). */
  onDropped?(events: RelayEvent[], error: unknown): void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/** A batch stays well under the 768 KiB a RivetKit message may have, even with multi-byte text. */
const MAX_BATCH_EVENTS = 200;
const MAX_BATCH_CHARS = 128_000;
/** Merged text deltas stop growing at this length; the next delta starts a new event. */
const MAX_MERGED_CHARS = 32_000;

/**
 * Relays a sub-agent's events to the Grow Agent with at most one delivery in flight. The first event after a quiet
 * spell goes out at once; whatever arrives while a delivery is on its way (and during the pause after it) goes
 * out as the next batch, consecutive text deltas merged into one event. So a burst of a few hundred deltas from
 * OpenCode costs the Grow Agent a handful of writes and broadcasts instead of one each.
 *
 * The reading side must never wait for a delivery: a Durable Object that waits on another object, or writes to its
 * storage per event, reads the next stream chunk only afterwards. That is why the reading happens here, in the
 * sub-agent's object (it writes nothing per event), and not in the Grow Agent's.
 */
export class RelayBatcher {
  #pending: RelayEvent[] = [];
  #delivering?: Promise<void>;
  #batch = 0;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RelayBatcherOptions) {
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  add(events: readonly RelayEvent[]): void {
    for (const event of events) pushMerging(this.#pending, event, this.options.mergeType);
    this.#kick();
  }

  /** Resolves once everything added so far has been delivered (or given up). */
  async drain(): Promise<void> {
    while (this.#delivering || this.#pending.length > 0) {
      this.#kick();
      await this.#delivering;
    }
  }

  #kick(): void {
    if (this.#delivering || this.#pending.length === 0) return;
    this.#delivering = this.#deliverAll().finally(() => {
      this.#delivering = undefined;
      // Events added between the last check and this line would otherwise wait for the next add.
      this.#kick();
    });
  }

  async #deliverAll(): Promise<void> {
    while (this.#pending.length > 0) {
      const events = this.#takeBatch();
      this.#batch++;
      await this.#deliver(events, this.#batch);
      await this.#sleep(this.options.gapMs ?? 0);
    }
  }

  #takeBatch(): RelayEvent[] {
    let chars = 0;
    let count = 0;
    while (count < this.#pending.length && count < MAX_BATCH_EVENTS) {
      chars += sizeOf(this.#pending[count] as RelayEvent);
      if (count > 0 && chars > MAX_BATCH_CHARS) break;
      count++;
    }
    return this.#pending.splice(0, count);
  }

  async #deliver(events: RelayEvent[], batch: number): Promise<void> {
    const { options } = this;
    try {
      await retry(() => withTimeout(options.send(events, batch), options.attemptTimeoutMs ?? 10_000), {
        attempts: Number.POSITIVE_INFINITY,
        maxElapsedMs: options.retryForMs ?? 30_000,
        baseMs: 100,
        maxMs: 2_000,
        sleep: this.#sleep,
        ...(options.now ? { now: options.now } : {}),
        ...(options.random ? { random: options.random } : {}),
      });
    } catch (error) {
      try {
        options.onDropped?.(events, error);
      } catch {
        // Only a report: the next batches still go out.
      }
    }
  }
}

/** Adds `event` at the end of `events`, merged into the last one when both are `mergeType` deltas. */
export function pushMerging(events: RelayEvent[], event: RelayEvent, mergeType: string): void {
  const last = events.at(-1);
  if (last && last.type === mergeType && event.type === mergeType) {
    const delta = `${String(last.data.delta ?? "")}${String(event.data.delta ?? "")}`;
    if (delta.length <= MAX_MERGED_CHARS) {
      events[events.length - 1] = { type: last.type, data: { ...last.data, delta } };
      return;
    }
  }
  events.push(event);
}

const sizeOf = (event: RelayEvent) =>
  typeof event.data.delta === "string" ? event.data.delta.length : JSON.stringify(event.data).length;
