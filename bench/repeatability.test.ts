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

  it("compares the actor ratios to both peers, and leaves them out against a report from before issue 22", () => {
    const actors = (wsVsAgents: number) => ({
      webSocket: { vsAgents: { p50Ratio: wsVsAgents }, vsPlain: { p50Ratio: 1.4 } },
      http: { vsAgents: { p50Ratio: 1 }, vsPlain: { p50Ratio: 1.2 } },
    });
    const rows = compareRuns(
      { actors: actors(0.9) } as unknown as BenchReport,
      { actors: actors(1.2) } as unknown as BenchReport,
    );
    expect(rows.map((r) => r.figure)).toEqual([
      "actor WS action: p50 ratio to Agents SDK",
      "actor WS action: p50 ratio to raw DO",
      "actor HTTP action: p50 ratio to Agents SDK",
      "actor HTTP action: p50 ratio to raw DO",
    ]);
    expect(rows[0]).toMatchObject({ previous: 0.9, current: 1.2, within: false });
    const before22 = { actors: { webSocket: { p50Ratio: 1.5 }, http: { p50Ratio: 1.2 } } };
    expect(
      compareRuns(before22 as unknown as BenchReport, { actors: actors(1) } as unknown as BenchReport),
    ).toEqual([]);
  });

  it("leaves out figures either run lacks, and says so in the table only for those it has", () => {
    const rows = compareRuns(report({ threadsRatio: 3, relayP50: 40 }), {} as BenchReport);
    expect(rows).toEqual([]);
    expect(repeatabilityMarkdown(rows, "then")).toContain("## Repeatability");
  });
});
