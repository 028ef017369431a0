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

  it("adds the Durable Object requests per turn, in total and per entry point, busiest first", () => {
    const calls = new Map([
      ["usage-reports.do.ts#poke", 10],
      ["actor-durable-object.ts#fetch", 250],
    ]);
    expect(
      costPerTurn(
        { workerCpuSeconds: 0, dbRoundTrips: 0 },
        { workerCpuSeconds: 1, dbRoundTrips: 0 },
        100,
        calls,
      ),
    ).toMatchObject({
      doRequests: 2.6,
      doRequestsByEntry: { "actor-durable-object.ts#fetch": 2.5, "usage-reports.do.ts#poke": 0.1 },
    });
  });

  it("has nothing to say about a window without turns", () => {
    expect(
      costPerTurn({ workerCpuSeconds: 0, dbRoundTrips: 0 }, { workerCpuSeconds: 1, dbRoundTrips: 9 }, 0),
    ).toBe(undefined);
  });
});
