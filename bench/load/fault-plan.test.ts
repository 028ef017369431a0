import { describe, expect, it } from "vitest";
import { faultPlan } from "./fault-plan";

describe("faultPlan", () => {
  it("reloads the Workers the asked number of times, spread inside the window", () => {
    const plan = faultPlan({ faults: "reload", reloads: 3, durationMs: 120_000 });
    expect(plan).toEqual([
      { atMs: 30_000, kind: "reload-workers" },
      { atMs: 60_000, kind: "reload-workers" },
      { atMs: 90_000, kind: "reload-workers" },
    ]);
  });

  it("keeps the mixed plan as it was, and injects nothing without faults", () => {
    expect(faultPlan({ faults: "all", reloads: 8, durationMs: 40_000 }).map((f) => f.kind)).toEqual([
      "fly-errors",
      "git-down",
      "database-down",
      "kill-opencode",
      "restart-workers",
    ]);
    expect(faultPlan({ faults: "none", reloads: 8, durationMs: 40_000 })).toEqual([]);
  });
});
