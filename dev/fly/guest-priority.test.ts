import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { placeholderImage } from "./images";
import { LocalMachine } from "./local-machine";

/** A process's nice value: field 19 of /proc/<pid>/stat (after the command name in parentheses). */
async function niceOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

let machine: LocalMachine | undefined;
let dir: string | undefined;
afterEach(async () => {
  await machine?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.runIf(process.platform === "linux")("a dev/fly machine's CPU priority", () => {
  it("runs at the lowest priority, also against other sessions (autogroup), so it never starves the Worker", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "growqr-guest-"));
    machine = new LocalMachine("m1", () => placeholderImage("x"), {
      env: {},
      mounts: {},
      machineDir: dir,
      log: () => {},
    });
    await machine.start();
    const pid = machine.pid;
    expect(pid).toBeTypeOf("number");
    expect(await niceOf(pid as number)).toBe(19);
    if (existsSync(`/proc/${pid}/autogroup`)) {
      expect(await readFile(`/proc/${pid}/autogroup`, "utf8")).toMatch(/nice 19\s*$/);
    }
  });
});
