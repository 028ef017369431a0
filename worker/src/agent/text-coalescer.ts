export interface CoalescedItem {
  type: string;
  data: Record<string, unknown> & { delta?: string };
}

export interface TextCoalescerOptions {
  /** Sends items on, in order (one call per flush: a burst becomes one event pipeline batch). */
  send(items: CoalescedItem[]): void;
  /** Type whose consecutive items are merged by concatenating `delta`. */
  mergeType: string;
  /** While a burst lasts, items wait at most this long to be merged with the ones behind them. */
  windowMs: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
}

/**
 * A Durable Object pays a storage commit and a broadcast per event it logs, and reads no further stream data while
 * the commit is pending; a burst of a few hundred tiny text deltas from OpenCode then trickles out at one per
 * commit. Merging consecutive deltas keeps every character and the order while making one event of a burst.
 * An item arriving after a quiet spell goes out at once (no added latency); during a burst, items wait up to
 * `windowMs` for the rest.
 */
export class TextCoalescer {
  #pending: CoalescedItem[] = [];
  #timer = false;
  #lastFlush = Number.NEGATIVE_INFINITY;
  readonly #now: () => number;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;

  constructor(private readonly options: TextCoalescerOptions) {
    this.#now = options.now ?? (() => performance.now());
    this.#setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  }

  add(item: CoalescedItem): void {
    this.#merge(item);
    if (this.#timer) return;
    const wait = this.#lastFlush + this.options.windowMs - this.#now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.#timer = true;
    this.#setTimer(() => {
      this.#timer = false;
      this.flush();
    }, wait);
  }

  /** Sends whatever is waiting now (e.g. before the session's end is logged). */
  flush(): void {
    this.#lastFlush = this.#now();
    if (this.#pending.length === 0) return;
    const items = this.#pending;
    this.#pending = [];
    this.options.send(items);
  }

  #merge(item: CoalescedItem): void {
    const last = this.#pending.at(-1);
    if (last && last.type === this.options.mergeType && item.type === this.options.mergeType) {
      this.#pending[this.#pending.length - 1] = {
        type: last.type,
        data: { ...last.data, delta: `${last.data.delta ?? ""}${item.data.delta ?? ""}` },
      };
      return;
    }
    this.#pending.push(item);
  }
}
