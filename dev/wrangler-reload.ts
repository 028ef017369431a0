import { readFile, writeFile } from "node:fs/promises";
import { withTimeout } from "../platform/with-timeout";

/** What `wrangler dev` (4.x) prints once a reload serves requests again. */
const RELOADED = "Local server updated and ready";

/**
 * Reloads the Workers under `wrangler dev` the way an edit of their code does, which is what a deploy does to
 * running objects: wrangler runs both Workers in one workerd and answers any reload by starting a new workerd
 * (Miniflare's `setOptions`), so every isolate and Durable Object starts again from its persisted storage, while
 * wrangler's proxy keeps the port and holds requests until the new one is up. The trigger is a config file wrangler
 * watches, written back byte for byte: wrangler reacts to the write, not to the content, so no file changes and no
 * tracked file is touched (the stack passes the provisioner's generated config, which lives in the state dir).
 */
export function wranglerReloader() {
  const listeners = new Set<(line: string) => void>();
  return {
    /** Every output line of `wrangler dev`: how a reload is seen to be over. */
    onLine(line: string) {
      for (const listener of listeners) listener(line);
    },
    async reload(watchedConfig: string, timeoutMs = 60_000) {
      let listener = (_line: string) => {};
      // Listening before the write: the reload's own line must not be missed.
      const reloaded = new Promise<void>((resolve) => {
        listener = (line) => {
          if (line.includes(RELOADED)) resolve();
        };
        listeners.add(listener);
      });
      try {
        await writeFile(watchedConfig, await readFile(watchedConfig));
        await withTimeout(reloaded, timeoutMs, `wrangler dev did not reload within ${timeoutMs} ms`);
      } finally {
        listeners.delete(listener);
      }
    },
  };
}
