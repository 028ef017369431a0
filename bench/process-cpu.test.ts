import { describe, expect, it } from "vitest";
import { cpuPerRequest, descendantsOf, type ProcessSample, sampleProcesses } from "./process-cpu";

const sample = (pid: number, ppid: number, cmdline: string, ticks: number): ProcessSample => ({
  pid,
  ppid,
  cmdline,
  ticks,
});

describe("process CPU by role", () => {
  const before = [
    sample(10, 1, "node bench/run.ts", 100),
    sample(11, 10, "node dev/db-server.ts", 50),
    sample(12, 10, "node wrangler/wrangler-dist/cli.js dev", 20),
    sample(13, 12, "workerd serve --binary", 200),
    sample(14, 12, "workerd serve --binary", 300),
    sample(99, 1, "node tsc --noEmit (someone else's job)", 0),
  ];
  const after = [
    sample(10, 1, "node bench/run.ts", 110),
    sample(11, 10, "node dev/db-server.ts", 70),
    sample(12, 10, "node wrangler/wrangler-dist/cli.js dev", 40),
    sample(13, 12, "workerd serve --binary", 300),
    sample(14, 12, "workerd serve --binary", 350),
    sample(15, 12, "esbuild --service", 500),
    sample(99, 1, "node tsc --noEmit (someone else's job)", 9_000),
  ];

  it("charges each role its ticks over the requests served, from the bench's own process tree only", () => {
    expect(cpuPerRequest(before, after, 100, 10)).toEqual({
      "bench (load, Neon proxy)": 1,
      "database (PGlite)": 2,
      "wrangler (node)": 2,
      workerd: 15,
    });
  });

  it("walks the tree from the bench's process down", () => {
    expect(descendantsOf(after, 12).map((s) => s.pid)).toEqual([12, 13, 14, 15]);
  });

  it("reads this process from /proc on Linux", () => {
    const self = sampleProcesses().find((s) => s.pid === process.pid);
    expect(self?.ppid).toBe(process.ppid);
    expect(self?.ticks).toBeGreaterThan(0);
  });
});
