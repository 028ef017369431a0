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

/** How the files are found and read: the memory service's own listing and reads (L2 and L3). */
export interface SystemMemorySource {
  list(prefix: string): Promise<ListEntry[]>;
  read(path: string): Promise<SystemFile | null>;
  log: Pick<Logger, "warn">;
}

/**
 * The user's `system/` files for the system prompt: read at most once a minute, one read shared by everyone who
 * asks meanwhile (a turn and the agent's prefetch when it wakes), forgotten when a system file changes. A read that
 * started before a change is not kept. Empty, not an error, while git is unreachable.
 */
export class SystemMemory {
  #cached?: { until: number; files: SystemFile[] };
  #loading?: Promise<SystemFile[]>;
  #generation = 0;

  constructor(
    private readonly source: SystemMemorySource,
    private readonly now: () => number = Date.now,
  ) {}

  files(): Promise<SystemFile[]> {
    if (this.#cached && this.now() < this.#cached.until) return Promise.resolve(this.#cached.files);
    if (!this.#loading) {
      const loading = this.#read().finally(() => {
        if (this.#loading === loading) this.#loading = undefined;
      });
      this.#loading = loading;
    }
    return this.#loading;
  }

  /** A system file changed: the next `files()` reads again, and a read in flight is not kept. */
  forget(): void {
    this.#cached = undefined;
    this.#loading = undefined;
    this.#generation++;
  }

  async #read(): Promise<SystemFile[]> {
    const startedAt = this.now();
    const generation = this.#generation;
    let files: SystemFile[] = [];
    let ttl = SYSTEM_FILES_TTL_MS;
    try {
      // system/README.md (from bootstrap) explains the folder to the user; it is not memory.
      const entries = (await this.source.list(SYSTEM_DIRECTORY)).filter(
        (e) => e.type === "file" && e.path !== `${SYSTEM_DIRECTORY}/README.md`,
      );
      let bytes = 0;
      for (const entry of entries.slice(0, MAX_SYSTEM_FILES)) {
        const file = await this.source.read(entry.path);
        if (!file || bytes + file.content.length > MAX_SYSTEM_BYTES) continue;
        bytes += file.content.length;
        files.push({ path: file.path, content: file.content });
      }
    } catch (error) {
      // Answered as empty, and remembered briefly: a hung Gitea must not delay every turn by its timeouts.
      this.source.log.warn("system memory unavailable; answering without it", { error });
      files = [];
      ttl = SYSTEM_FILES_FAILED_TTL_MS;
    }
    if (generation === this.#generation) this.#cached = { until: startedAt + ttl, files };
    return files;
  }
}
