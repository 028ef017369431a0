import { existsSync, statfsSync } from "node:fs";
import os from "node:os";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type BenchStateDirs, benchStateDirs } from "./state-dir";

const made: BenchStateDirs[] = [];
/** Where /dev/shm has room (not in a container with the default 64 MB), the machines go there. */
const shmRoomy = (() => {
  try {
    const { bavail, bsize } = statfsSync("/dev/shm");
    return bavail * bsize >= 1024 ** 3;
  } catch {
    return false;
  }
})();
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const state of made.splice(0)) await state.remove();
});

describe("benchStateDirs", () => {
  it.runIf(shmRoomy)("keeps dev/fly's machines in memory and the rest of the stack on disk", async () => {
    vi.stubEnv("BENCH_STATE_ON_DISK", "");
    const state = await benchStateDirs("growqr-state-test-");
    made.push(state);
    expect(state.machinesInMemory).toBe(true);
    expect(state.machinesDir.startsWith("/dev/shm/growqr-state-test-")).toBe(true);
    expect(state.dir.startsWith(os.tmpdir())).toBe(true);
  });

  it("keeps the machines on disk when asked, to compare", async () => {
    vi.stubEnv("BENCH_STATE_ON_DISK", "1");
    const state = await benchStateDirs("growqr-state-test-");
    made.push(state);
    expect(state.machinesInMemory).toBe(false);
    expect(state.machinesDir.startsWith(state.dir)).toBe(true);
  });

  it.runIf(shmRoomy)("removes both directories", async () => {
    vi.stubEnv("BENCH_STATE_ON_DISK", "");
    const state = await benchStateDirs("growqr-state-test-");
    await state.remove();
    expect([existsSync(state.dir), existsSync(state.machinesDir)]).toEqual([false, false]);
  });
});
