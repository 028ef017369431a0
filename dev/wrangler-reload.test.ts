import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { wranglerReloader } from "./wrangler-reload";

describe("wranglerReloader", () => {
  let dir = "";
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const watchedConfig = async (text: string) => {
    dir = await mkdtemp(path.join(os.tmpdir(), "wrangler-reload-"));
    const file = path.join(dir, "provisioner.wrangler.toml");
    await writeFile(file, text, { mode: 0o600 });
    return file;
  };

  it("writes the watched file back byte for byte and waits for wrangler to serve again", async () => {
    const text = 'name = "growqr-provisioner"\n[vars]\nKEY = "é\\n"\n';
    const file = await watchedConfig(text);
    const reloader = wranglerReloader();
    let done = false;
    const reload = reloader.reload(file, 5_000).then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    reloader.onLine("⎔ Reloading local server...");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(done).toBe(false);
    reloader.onLine("⎔ Local server updated and ready");
    await reload;
    expect(await readFile(file, "utf8")).toBe(text);
    // The generated config holds the stack's secrets: still readable by its owner only.
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("fails a reload that never finishes instead of waiting for ever", async () => {
    const file = await watchedConfig("x = 1\n");
    await expect(wranglerReloader().reload(file, 100)).rejects.toThrow(/did not reload/);
  });
});
