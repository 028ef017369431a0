import { readFile } from "node:fs/promises";
import path from "node:path";
import { generatedPositionFor, LEAST_UPPER_BOUND } from "@jridgewell/trace-mapping";
import { durableObjectMethods } from "../../bench/load/do-requests";
import { openInspector } from "../../bench/load/inspector";
import { repoRoot } from "../../dev/stack";

const HUB_FILE = "worker/src/live/live-hub.do.ts";
const COUNTERS = "globalThis.__growqrHubPublishes";

/**
 * Counts the LiveHub's `publish` calls per thread whose events a batch carries (other files' users publish to their
 * hubs meanwhile), through `wrangler dev`'s inspector as `npm run load` counts Durable Object requests
 * (bench/load/do-requests.ts): a breakpoint on the method's first statement whose condition bumps a counter in
 * the isolate and never pauses. Nothing in the Worker is there for the test. Close it to remove the breakpoint.
 */
export async function countHubPublishes(inspectorUrl: string) {
  const inspector = await openInspector(inspectorUrl);
  const line = durableObjectMethods(await readFile(path.join(repoRoot, HUB_FILE), "utf8")).get("publish");
  if (line === undefined) throw new Error(`no publish method in ${HUB_FILE}`);
  let placed = 0;
  for (const [scriptId, map] of await inspector.sourceMaps()) {
    const source = map.sources.find((s) => s?.endsWith(HUB_FILE));
    if (!source) continue;
    const at = [1, 2, 3, 4, 5]
      .map((n) => generatedPositionFor(map, { source, line: line + n, column: 0, bias: LEAST_UPPER_BOUND }))
      .find((p) => p.line !== null);
    if (!at || at.line === null) continue;
    await inspector.send("Debugger.setBreakpoint", {
      location: { scriptId, lineNumber: at.line - 1, columnNumber: at.column },
      // `batch` is publish's parameter: one count per call for each thread it carries events of.
      condition: `(new Set(batch.map((b) => b?.data?.threadId)).forEach((t) => { const c = (${COUNTERS} ??= {}); c[t] = (c[t] ?? 0) + 1; }), false)`,
    });
    placed++;
  }
  if (placed === 0) {
    inspector.close();
    throw new Error(`${HUB_FILE} is not in the Worker's source maps`);
  }
  return {
    /** Publishes so far that carried events of `threadId`. */
    count: (threadId: string) =>
      inspector.evaluate<number>(`(globalThis.__growqrHubPublishes ?? {})[${JSON.stringify(threadId)}] ?? 0`),
    close: () => inspector.close(),
  };
}
