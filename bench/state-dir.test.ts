import { rm } from "node:fs/promises";
import os from "node:os";
import { afterEach, describe, expect, it, vi } from "vitest";
import { benchStateDir } from "./state-dir";

const made: string[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("benchStateDir", () => {
  it.runIf(process.platform === "linux")("keeps a benchmark's stack state in memory", async () => {
    const state = await benchStateDir("growqr-state-test-");
    made.push(state.dir);
    expect(state).toMatchObject({ inMemory: true });
    expect(state.dir.startsWith("/dev/shm/growqr-state-test-")).toBe(true);
  });

  it("keeps it on disk when asked, to compare", async () => {
    vi.stubEnv("BENCH_STATE_ON_DISK", "1");
    const state = await benchStateDir("growqr-state-test-");
    made.push(state.dir);
    expect(state.inMemory).toBe(false);
    expect(state.dir.startsWith(os.tmpdir())).toBe(true);
  });
});
