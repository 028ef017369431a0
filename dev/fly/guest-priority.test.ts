import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readCpuPriority } from "./guest-priority";
import { placeholderImage } from "./images";
import { LocalMachine } from "./local-machine";

let machine: LocalMachine | undefined;
let dir: string | undefined;
afterEach(async () => {
  await machine?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.runIf(process.platform === "linux")("a dev/fly machine's CPU priority", () => {
  it("runs at the lowest priority, also against other sessions (autogroup), so it never starves the Worker", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "growqr-guest-"));
    const logged: string[] = [];
    machine = new LocalMachine("m1", () => placeholderImage("x"), {
      env: {},
      mounts: {},
      machineDir: dir,
      log: (line) => logged.push(line),
    });
    await machine.start();
    const pid = machine.pid ?? -1;
    // `nice` lowers itself and then runs the machine's command in the same process: wait for that.
    await expect.poll(async () => (await readCpuPriority(pid)).nice, { timeout: 5_000 }).toBe(19);
    if (existsSync(`/proc/${pid}/autogroup`)) {
      expect((await readCpuPriority(pid)).sessionNice).toBe(19);
    }
    expect(logged.filter((line) => line.includes("CPU priority"))).toEqual([]);
  });
});
