/** What L1 holds for a path: the file, or the fact that there is none. */
export interface CachedFile {
  content: string | null;
  /** ms since the epoch */
  storedAt: number;
}

/**
 * L1: the Grow Agent's small in-memory cache of recently used memory files (lives as long as the actor is
 * awake). Writes go through it, so the agent reads its own writes at once; entries expire so edits made
 * elsewhere (another device, a git push) show up within `ttlMs`.
 */
export class MemoryCache {
  readonly #entries = new Map<string, CachedFile>();

  constructor(
    private readonly capacity = 64,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(path: string): CachedFile | undefined {
    const entry = this.#entries.get(path);
    if (!entry) return undefined;
    if (this.now() - entry.storedAt > this.ttlMs) {
      this.#entries.delete(path);
      return undefined;
    }
    // Re-insert: Map order is the recency order.
    this.#entries.delete(path);
    this.#entries.set(path, entry);
    return entry;
  }

  set(path: string, content: string | null): void {
    this.#entries.delete(path);
    this.#entries.set(path, { content, storedAt: this.now() });
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  /** Forgets `path` (e.g. a write that never reached git): the next read goes to the layers below. */
  delete(path: string): void {
    this.#entries.delete(path);
  }

  get size(): number {
    return this.#entries.size;
  }
}
