/**
 * Counts what each key (a user) holds open at once, up to a limit. `acquire` hands out a release function that
 * frees the slot exactly once, however often it is called, so every exit path of a stream may call it.
 *
 * The count lives in this isolate's memory: a Worker isolate serves many requests, but a user's requests may be
 * spread over several isolates, so across a deployment the bound is `limit` per isolate the user reaches.
 */
export class ConcurrencySlots {
  private readonly held = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** A release function, or undefined when `key` already holds `limit` slots. */
  acquire(key: string): (() => void) | undefined {
    const count = this.held.get(key) ?? 0;
    if (count >= this.limit) return undefined;
    this.held.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(key) ?? 1) - 1;
      if (left <= 0) this.held.delete(key);
      else this.held.set(key, left);
    };
  }

  heldBy(key: string): number {
    return this.held.get(key) ?? 0;
  }
}
