import { describe, expect, it } from "vitest";
import { percentiles } from "./stack-bench";

describe("percentiles", () => {
  it("takes nearest-rank p50 and p99", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles(samples)).toEqual({ n: 100, p50: 50, p99: 99 });
    expect(percentiles([3, 1, 2])).toEqual({ n: 3, p50: 2, p99: 3 });
  });
});
