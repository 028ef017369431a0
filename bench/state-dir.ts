import { accessSync, constants, statfsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Linux's shared-memory filesystem: present on every Debian machine and CI runner we use. */
const IN_MEMORY = "/dev/shm";
/** Room for OpenCode's data and caches; a container's default 64 MB /dev/shm is not enough, so such runs use disk. */
const MIN_FREE_BYTES = 1024 ** 3;

export interface BenchStateDirs {
  /** The stack's state (wrangler's Durable Object storage among it): on disk, like `npm run dev`'s. */
  dir: string;
  /** dev/fly's machines: their volumes and OpenCode's own database. */
  machinesDir: string;
  /** Whether `machinesDir` is in memory; recorded with the figures. */
  machinesInMemory: boolean;
  remove(): Promise<void>;
}

/**
 * A benchmark's throwaway stack state. Everything stays on disk except dev/fly's machines, which go to memory
 * where possible: in production each machine writes to a Fly volume of its own, while here they share this
 * machine's one virtual disk with wrangler's Durable Object storage, and OpenCode writes to its database for
 * every streamed delta. On the shared disk those writes stalled the Grow Agent's storage commits, and with them
 * its broadcasts (figures: docs/status.md). `BENCH_STATE_ON_DISK=1` keeps the machines on disk
 * too, to compare.
 */
export async function benchStateDirs(prefix: string): Promise<BenchStateDirs> {
  const machinesInMemory = process.env.BENCH_STATE_ON_DISK !== "1" && roomy(IN_MEMORY);
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const machinesDir = machinesInMemory
    ? await mkdtemp(path.join(IN_MEMORY, `${prefix}machines-`))
    : path.join(dir, "fly");
  return {
    dir,
    machinesDir,
    machinesInMemory,
    async remove() {
      await rm(dir, { recursive: true, force: true });
      await rm(machinesDir, { recursive: true, force: true });
    },
  };
}

function roomy(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    const { bavail, bsize } = statfsSync(dir);
    return bavail * bsize >= MIN_FREE_BYTES;
  } catch {
    return false;
  }
}
