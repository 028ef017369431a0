import { accessSync, constants } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Linux's shared-memory filesystem: present on every Debian machine and CI runner we use. */
const IN_MEMORY = "/dev/shm";

export interface BenchStateDir {
  dir: string;
  /** Whether the state (and so every storage write of the stack) lives in memory; recorded with the figures. */
  inMemory: boolean;
}

/**
 * A benchmark's throwaway stack state (wrangler's Durable Object storage, the database, dev/fly's machine
 * volumes): in memory where possible. Here one virtual disk carries what production spreads over separate
 * systems (Cloudflare's Durable Object storage, Neon, each user's own Fly volume), and OpenCode writes to its
 * database for every streamed delta; on that shared disk the writes stalled the Grow Agent's storage commits,
 * and with them its broadcasts, by up to ~120 ms. Measured in full `npm run bench` runs on 2 cores
 * (2026-11-26): sub-agent relay p99 19, 25, 27, 41 ms on disk; 10.1, 10.9 ms in memory.
 * `BENCH_STATE_ON_DISK=1` keeps the state on disk (the OS temp dir) to compare.
 */
export async function benchStateDir(prefix: string): Promise<BenchStateDir> {
  const inMemory = process.env.BENCH_STATE_ON_DISK !== "1" && writable(IN_MEMORY);
  const parent = inMemory ? IN_MEMORY : os.tmpdir();
  return { dir: await mkdtemp(path.join(parent, prefix)), inMemory };
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
