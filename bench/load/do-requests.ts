import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { generatedPositionFor, LEAST_UPPER_BOUND } from "@jridgewell/trace-mapping";
import type { Inspector } from "./inspector";

/**
 * `worker/src/…/file.ts` → the methods of its Durable Object class with their 1-based lines: what a request, an
 * RPC call or an alarm enters.
 */
export type DoEntryPoints = Map<string, Map<string, number>>;

/**
 * The main Worker's Durable Object classes and their methods, read from the source (so a new class or method is
 * counted without a list to keep): the methods one indent inside a class that `extends DurableObject`.
 */
export async function doEntryPoints(root: string, dir = "worker/src"): Promise<DoEntryPoints> {
  const found: DoEntryPoints = new Map();
  for (const entry of await readdir(path.join(root, dir), { recursive: true })) {
    if (!entry.endsWith(".ts") || entry.endsWith(".test.ts")) continue;
    const file = path.join(dir, entry);
    const methods = durableObjectMethods(await readFile(path.join(root, file), "utf8"));
    if (methods.size > 0) found.set(file, methods);
  }
  return found;
}

export function durableObjectMethods(source: string): Map<string, number> {
  const methods = new Map<string, number>();
  const lines = source.split("\n");
  lines.forEach((line, i) => {
    const header = line.match(/^(\s*)(?:export\s+)?(?:return\s+)?class\s+\w+/);
    // `extends DurableObject` on the class's line or the next (a long header wraps).
    if (!header || !`${line} ${lines[i + 1] ?? ""}`.match(/extends\s+DurableObject\b/)) return;
    const indent = (header[1] ?? "").length;
    const classEnd = new RegExp(`^\\s{0,${indent}}}`);
    for (let at = i + 1; at < lines.length && !classEnd.test(lines[at] ?? ""); at++) {
      const method = (lines[at] ?? "").match(/^(\s*)(?:override\s+)?(?:async\s+)?([a-zA-Z]\w*)\s*\(/);
      if (method?.[2] && method[1]?.length === indent + 2 && method[2] !== "constructor") {
        methods.set(method[2], at + 1);
      }
    }
  });
  return methods;
}

const COUNTERS = "globalThis.__growqrDoCalls";

/**
 * Counts calls into the Durable Objects' entry methods: every fetch, RPC call and alarm an object served. workerd's
 * inspector has no precise coverage, so each method's first line gets a breakpoint whose condition bumps a counter
 * in the isolate and answers false (it never pauses). WebSocket messages on RivetKit's sockets (`accept()`ed, not
 * hibernatable) run in event listeners and are not counted. `reset` starts the window, `take` ends it.
 */
export async function startDoRequestCount(inspector: Inspector, entryPoints: DoEntryPoints) {
  let placed = 0;
  for (const [scriptId, map] of await inspector.sourceMaps()) {
    for (const [file, methods] of entryPoints) {
      const source = map.sources.find((s) => s?.endsWith(file));
      if (!source) continue;
      for (const [name, line] of methods) {
        const key = JSON.stringify(`${path.basename(file)}#${name}`);
        // The body's first statement (the first mapped line after the declaration), which runs once per call.
        const at = [1, 2, 3, 4, 5]
          .map((n) =>
            generatedPositionFor(map, { source, line: line + n, column: 0, bias: LEAST_UPPER_BOUND }),
          )
          .find((p) => p.line !== null);
        if (!at || at.line === null) continue;
        await inspector.send("Debugger.setBreakpoint", {
          location: { scriptId, lineNumber: at.line - 1, columnNumber: at.column },
          condition: `((${COUNTERS} ??= {})[${key}] = (${COUNTERS}[${key}] ?? 0) + 1, false)`,
        });
        placed++;
      }
    }
  }
  if (placed === 0) throw new Error("no Durable Object entry point found in the Worker's source maps");
  return {
    async reset(): Promise<void> {
      await inspector.evaluate(`${COUNTERS} = {}`);
    },
    /** Calls since the last reset, per `file#method`. */
    async take(): Promise<Map<string, number>> {
      const counts = await inspector.evaluate<string>(`JSON.stringify(${COUNTERS} ?? {})`);
      return new Map(Object.entries(JSON.parse(counts) as Record<string, number>));
    },
  };
}
