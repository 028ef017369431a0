import { describe, expect, it } from "vitest";
import { compareRuns, repeatabilityMarkdown } from "./repeatability";
import type { BenchReport } from "./summary";

function report(overrides: { threadsRatio: number; relayP50: number }): BenchReport {
  return {
    results: [{ name: "GET /api/threads (auth, 20 threads)", p50Ratio: overrides.threadsRatio }],
    subAgents: { paced: { p50: overrides.relayP50 } },
  } as unknown as BenchReport;
}

describe("compareRuns", () => {
  it("holds ratios to ±25% and medians to ±50%", () => {
    const rows = compareRuns(
      report({ threadsRatio: 3, relayP50: 40 }),
      report({ threadsRatio: 4, relayP50: 50 }),
    );
    expect(rows).toHaveLength(2);
    const ratio = rows.find((r) => r.figure.startsWith("GET /api/threads"));
    expect(ratio).toMatchObject({ previous: 3, current: 4, within: false });
    expect(rows.find((r) => r.figure.startsWith("sub-agent relay"))).toMatchObject({ within: true });
  });

  it("leaves out figures either run lacks, and says so in the table only for those it has", () => {
    const rows = compareRuns(report({ threadsRatio: 3, relayP50: 40 }), {} as BenchReport);
    expect(rows).toEqual([]);
    expect(repeatabilityMarkdown(rows, "then")).toContain("## Repeatability");
  });
});
