import { describe, expect, it } from "vitest";
import { costPerTurn } from "./turn-cost";

describe("costPerTurn", () => {
  it("divides what the window spent by the turns completed in it", () => {
    expect(
      costPerTurn(
        { workerCpuSeconds: 10, dbRoundTrips: 100 },
        { workerCpuSeconds: 12.5, dbRoundTrips: 1_600 },
        100,
      ),
    ).toEqual({ workerCpuMs: 25, dbRoundTrips: 15 });
  });

  it("has nothing to say about a window without turns", () => {
    expect(
      costPerTurn({ workerCpuSeconds: 0, dbRoundTrips: 0 }, { workerCpuSeconds: 1, dbRoundTrips: 9 }, 0),
    ).toBe(undefined);
  });
});
