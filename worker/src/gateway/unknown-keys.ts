/**
 * Key hashes the database did not know, remembered for a short while in this isolate, so that a stream of random
 * well-shaped `gqsk_…` keys (anyone can make them; no rate limit applies before we know the user) costs a hash
 * and a map lookup instead of a database connection and a query each. Bounded (the oldest entry goes first) and
 * short-lived: keys are registered before a machine gets them, so a miss on a real key is unlikely, and if one
 * happens the key works again after `ttlMs`. Revocation is unaffected: only misses are remembered.
 */
export class UnknownKeys {
  /** hash → when it stops being remembered; Map keeps insertion order, so the first entry is the oldest. */
  readonly #until = new Map<string, number>();

  constructor(
    readonly maxEntries = 10_000,
    readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  has(hash: string): boolean {
    const until = this.#until.get(hash);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.#until.delete(hash);
    return false;
  }

  add(hash: string): void {
    this.#until.delete(hash);
    this.#until.set(hash, this.now() + this.ttlMs);
    while (this.#until.size > this.maxEntries) {
      const oldest = this.#until.keys().next().value;
      if (oldest === undefined) break;
      this.#until.delete(oldest);
    }
  }

  get size(): number {
    return this.#until.size;
  }
}
