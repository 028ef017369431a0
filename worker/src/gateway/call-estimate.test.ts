import { describe, expect, it } from "vitest";
import { allowanceCovers, estimateCallTokens } from "./call-estimate";

describe("call estimate", () => {
  it("counts a token per 4 body bytes (rounded up) plus the whole max_tokens", () => {
    expect(estimateCallTokens(4_000, 1_000)).toBe(2_000);
    expect(estimateCallTokens(1, 0)).toBe(1);
    // A 4 MiB body alone is ~1M tokens: more than the free plan's whole allowance.
    expect(estimateCallTokens(4 * 1024 * 1024, 64_000)).toBe(1_112_576);
  });

  it("refuses a call the remaining allowance cannot cover, allows one that fits exactly", () => {
    expect(allowanceCovers(2_000, estimateCallTokens(4_000, 1_000))).toBe(true);
    expect(allowanceCovers(1_999, estimateCallTokens(4_000, 1_000))).toBe(false);
    expect(allowanceCovers(0, 1)).toBe(false);
  });
});
