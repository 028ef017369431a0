import type { Logger } from "../../../platform/logger";
import { SYSTEM_DIRECTORY } from "../git/memory-paths";
import type { ListEntry } from "./memory-listing";

/** System memory is added to every prompt: keep it bounded whatever the user puts there. */
const MAX_SYSTEM_FILES = 10;
const MAX_SYSTEM_BYTES = 32 * 1024;
const SYSTEM_FILES_TTL_MS = 60_000;
/** A read that failed is remembered this long: long enough to spare a hung Gitea's timeouts, short enough to retry. */
const SYSTEM_FILES_FAILED_TTL_MS = 15_000;

/** A file of the user's `system/` folder, read into every turn's system prompt. */
export interface SystemFile {
  path: string;
  content: string;
}

/** How the files are found and read: the memory service's own listing and reads. */
export interface SystemMemorySource {
  /** The listing through every layer: git's (the user's stack) while the Gitea machine is up, L2 laid over it. */
  list(prefix: string): Promise<ListEntry[]>;
  /** A file through every layer, git last (L1, a waiting write, L2, then the user's Gitea machine). */
  read(path: string): Promise<SystemFile | null>;
  /** The listing from L2 and the writes waiting for git alone: no call to the user's stack. */
  listStored(prefix: string): Promise<ListEntry[]>;
  /** A file from L1, a waiting write or L2 alone; `undefined` when only git could tell. */
  readStored(path: string): Promise<SystemFile | null | undefined>;
  log: Pick<Logger, "warn">;
}

/**
 * The user's `system/` files for the system prompt: read at most once a minute, one read shared by everyone who
 * asks meanwhile, forgotten when a system file changes. A read that started before a change is not kept. Empty,
 * not an error, while git is unreachable.
 *
 * Two kinds of read fill the same cache. A turn's (`files`) goes through every layer, the user's stack included.
 * The read ahead of a turn (`prefetch`, when a client connects) uses L2 alone: it must not reach the stack, since
 * the provisioner counts any call as activity and a page load would then keep a running machine from its idle
 * suspend. L2 answers the listing faithfully: every file written through GrowQR is stored there when it is
 * committed, and git holds nothing else under `system/` but bootstrap's README, which is not memory (decision
 * 0008). Should a listed file not be in L2 after all, nothing is kept and the turn reads through to git.
 */
export class SystemMemory {
  #cached?: { until: number; files: SystemFile[] };
  #loading?: Promise<SystemFile[]>;
  /** The prefetch's read, in flight: null when L2 could not answer it. */
  #prefetching?: Promise<SystemFile[] | null>;
  #generation = 0;

  constructor(
    private readonly source: SystemMemorySource,
    private readonly now: () => number = Date.now,
  ) {}

  files(): Promise<SystemFile[]> {
    if (this.#fresh()) return Promise.resolve(this.#cached?.files ?? []);
    // A turn right after a connect: wait for the read already under way rather than start a second one.
    if (this.#prefetching) return this.#afterPrefetch(this.#prefetching);
    if (!this.#loading) {
      const loading = this.#read().finally(() => {
        if (this.#loading === loading) this.#loading = undefined;
      });
      this.#loading = loading;
    }
    return this.#loading;
  }

  /**
   * Reads ahead of a turn from L2 alone (no call to the user's stack, so no wake and no activity for its idle
   * clock). Does nothing while a read is cached or under way. A miss or an error keeps nothing: the turn reads.
   */
  prefetch(): Promise<void> {
    if (this.#fresh() || this.#loading || this.#prefetching) return Promise.resolve();
    const prefetching = this.#readStored().finally(() => {
      if (this.#prefetching === prefetching) this.#prefetching = undefined;
    });
    this.#prefetching = prefetching;
    return prefetching.then(() => {});
  }

  /** A system file changed: the next `files()` reads again, and a read in flight is not kept. */
  forget(): void {
    this.#cached = undefined;
    this.#loading = undefined;
    this.#prefetching = undefined;
    this.#generation++;
  }

  #fresh(): boolean {
    return this.#cached !== undefined && this.now() < this.#cached.until;
  }

  /** What the prefetch kept, if anything; else (a miss, or a change meanwhile) the turn's own read. */
  async #afterPrefetch(prefetching: Promise<SystemFile[] | null>): Promise<SystemFile[]> {
    await prefetching;
    return this.files();
  }

  async #read(): Promise<SystemFile[]> {
    const startedAt = this.now();
    const generation = this.#generation;
    let files: SystemFile[] = [];
    let ttl = SYSTEM_FILES_TTL_MS;
    try {
      files = (await this.#collect("every layer")) ?? [];
    } catch (error) {
      // Answered as empty, and remembered briefly: a hung Gitea must not delay every turn by its timeouts.
      this.source.log.warn("system memory unavailable; answering without it", { error });
      files = [];
      ttl = SYSTEM_FILES_FAILED_TTL_MS;
    }
    if (generation === this.#generation) this.#cached = { until: startedAt + ttl, files };
    return files;
  }

  async #readStored(): Promise<SystemFile[] | null> {
    const startedAt = this.now();
    const generation = this.#generation;
    let files: SystemFile[] | null;
    try {
      files = await this.#collect("stored");
    } catch (error) {
      // Not remembered as empty (unlike a turn's failed read): the turn tries every layer itself.
      this.source.log.warn("system memory prefetch failed; the turn reads it", { error });
      return null;
    }
    if (files && generation === this.#generation)
      this.#cached = { until: startedAt + SYSTEM_FILES_TTL_MS, files };
    return files;
  }

  /** The files for the prompt, within the bounds; null as soon as a listed file cannot be read (`undefined`). */
  async #collect(layers: "every layer" | "stored"): Promise<SystemFile[] | null> {
    const { source } = this;
    const stored = layers === "stored";
    const listing = stored ? source.listStored(SYSTEM_DIRECTORY) : source.list(SYSTEM_DIRECTORY);
    // system/README.md (from bootstrap) explains the folder to the user; it is not memory.
    const entries = (await listing).filter(
      (e) => e.type === "file" && e.path !== `${SYSTEM_DIRECTORY}/README.md`,
    );
    const files: SystemFile[] = [];
    let bytes = 0;
    for (const entry of entries.slice(0, MAX_SYSTEM_FILES)) {
      const file = await (stored ? source.readStored(entry.path) : source.read(entry.path));
      if (file === undefined) return null;
      if (!file || bytes + file.content.length > MAX_SYSTEM_BYTES) continue;
      bytes += file.content.length;
      files.push({ path: file.path, content: file.content });
    }
    return files;
  }
}
