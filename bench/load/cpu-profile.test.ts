import { describe, expect, it } from "vitest";
import { type CpuProfile, sourceOf, summarizeProfile } from "./cpu-profile";

const frame = (functionName: string, url: string) => ({
  functionName,
  scriptId: "10",
  url,
  lineNumber: 1,
  columnNumber: 0,
});

describe("the Workers' CPU profile summary", () => {
  it("names the package or our file a frame comes from", () => {
    expect(sourceOf("file:///w/node_modules/@neondatabase/serverless/index.mjs", "f")).toBe(
      "@neondatabase/serverless",
    );
    expect(sourceOf("../../node_modules/rivetkit/dist/actor.js", "f")).toBe("rivetkit");
    expect(sourceOf("../../../worker/src/rivet/kv-sql.ts", "kvPut")).toBe("worker/src/rivet/kv-sql.ts");
    expect(sourceOf(undefined, "(garbage collector)")).toBe("(garbage collector)");
  });

  it("ranks self time by source and function, leaving idle time out of the shares", () => {
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 10_000, // µs: 10 samples of 1 ms
      nodes: [
        { id: 1, callFrame: frame("(idle)", "") },
        { id: 2, callFrame: frame("kvPut", "kv") },
        { id: 3, callFrame: frame("query", "neon") },
      ],
      samples: [1, 1, 2, 2, 2, 3, 2, 3, 1, 1],
    };
    const paths: Record<string, string> = { kv: "worker/src/rivet/kv-sql.ts", neon: "node_modules/pg/x.js" };
    const summary = summarizeProfile(profile, (f) => paths[f.url]);
    expect(summary.idleMs).toBe(4);
    expect(summary.busyMs).toBe(6);
    expect(summary.bySource).toEqual([
      { label: "worker/src/rivet/kv-sql.ts", ms: 4, share: 4 / 6 },
      { label: "pg", ms: 2, share: 2 / 6 },
    ]);
    expect(summary.byFunction[0]?.label).toBe("kvPut · worker/src/rivet/kv-sql.ts");
  });
});
