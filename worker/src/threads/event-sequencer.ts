/** The part of a thread event the sequencer needs: its position in the thread's log. */
export interface Sequenced {
  seq: number;
}

/** Events held back behind a missing seq before the stream gives up and lets the client resume. */
export const MAX_HELD_EVENTS = 5_000;

/**
 * Merges a thread's events from the log (Postgres) and from the actor's live pushes into one sequence with no
 * gap and no repeat: an event is released only when every seq before it was, whichever source brought it.
 * Pure, so the orderings a stream can meet (a push before the backlog read, a push after a missed one, the same
 * event from both) are unit-tested.
 */
export class EventSequencer<T extends Sequenced> {
  #last: number;
  readonly #held = new Map<number, T>();

  constructor(after: number) {
    this.#last = after;
  }

  /** The last seq released: where a read of the log, or a client's Last-Event-ID, resumes. */
  get lastSeq(): number {
    return this.#last;
  }

  /** Events are waiting behind a seq nobody brought yet: read the log after `lastSeq`. */
  get hasGap(): boolean {
    return this.#held.size > 0;
  }

  /** Too many held back: the stream should end and the client resume from the log. */
  get overflowing(): boolean {
    return this.#held.size > MAX_HELD_EVENTS;
  }

  /** Takes events from either source in any order; returns those now releasable, in seq order. */
  accept(events: Iterable<T>): T[] {
    for (const event of events) {
      if (Number.isSafeInteger(event.seq) && event.seq > this.#last) this.#held.set(event.seq, event);
    }
    const ready: T[] = [];
    for (let next = this.#held.get(this.#last + 1); next; next = this.#held.get(this.#last + 1)) {
      this.#held.delete(next.seq);
      this.#last = next.seq;
      ready.push(next);
    }
    return ready;
  }
}
