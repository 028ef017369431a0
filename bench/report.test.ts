import { describe, expect, it } from "vitest";
import type { Measurement } from "./measure";
import { compare, formatTable } from "./report";

const m = (name: string, rps: number, p50: number, p99: number): Measurement => ({
  name,
  path: `/${name}`,
  requests: rps * 5,
  non2xx: 0,
  errors: 0,
  requestsPerSecond: rps,
  p50Ms: p50,
  p99Ms: p99,
});

describe("bench report", () => {
  it("expresses every scenario as ratios of the baseline from the same run", () => {
    const baseline = m("static", 1000, 2, 8);
    const [self, health] = compare(baseline, [baseline, m("health", 250, 6, 20)]);
    expect(self).toMatchObject({ p50Ratio: 1, p99Ratio: 1, throughputRatio: 1 });
    expect(health).toMatchObject({ p50Ratio: 3, p99Ratio: 2.5, throughputRatio: 0.25 });
  });

  it("prints one aligned row per scenario", () => {
    const table = formatTable(
      compare(m("static", 1000, 2, 8), [m("static", 1000, 2, 8), m("health", 500, 4, 9)]),
    );
    const lines = table.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^health\s+500\s+4\s+9\s+2\.00\s+1\.13\s+0\.50\s+0$/);
  });
});
