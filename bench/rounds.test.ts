import { describe, expect, it } from "vitest";
import type { Comparison } from "./report";
import { combineRounds } from "./rounds";

const row = (name: string, p50Ms: number, p50Ratio: number, non2xx = 0): Comparison => ({
  name,
  path: `/${name}`,
  requests: 100,
  non2xx,
  errors: 0,
  requestsPerSecond: 1000 / p50Ms,
  p50Ms,
  p99Ms: 2 * p50Ms,
  p50Ratio,
  p99Ratio: p50Ratio,
  throughputRatio: 1 / p50Ratio,
});

describe("combineRounds", () => {
  it("takes each figure's median over the rounds, ratios included, and adds up the requests", () => {
    const combined = combineRounds([
      [row("static", 20, 1), row("threads", 40, 2)],
      [row("static", 30, 1), row("threads", 90, 3, 1)],
      [row("static", 25, 1), row("threads", 40, 1.6)],
    ]);
    expect(combined.map((r) => [r.name, r.p50Ms, r.p50Ratio, r.requests, r.non2xx])).toEqual([
      ["static", 25, 1, 300, 0],
      ["threads", 40, 2, 300, 1],
    ]);
  });

  it("averages the middle two of an even number of rounds", () => {
    const combined = combineRounds([[row("a", 10, 1)], [row("a", 20, 2)]]);
    expect(combined[0]?.p50Ratio).toBe(1.5);
  });
});
