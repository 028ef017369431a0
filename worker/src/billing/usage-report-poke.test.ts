import { describe, expect, it } from "vitest";
import type { Env } from "../env";
import { pokeUsageReports } from "./usage-report-poke";

describe("pokeUsageReports", () => {
  it("calls the object once per pending report, not once per turn, and again once that report is near", async () => {
    let calls = 0;
    let alarmAt = 0;
    const env = {
      STRIPE_SECRET_KEY: "sk_test",
      USAGE_REPORTS: {
        idFromName: (name: string) => name,
        get: () => ({
          poke: async () => {
            calls++;
            return alarmAt;
          },
        }),
      },
    } as unknown as Env;

    alarmAt = 61_000;
    await pokeUsageReports(env, 1_000);
    expect(calls).toBe(1);
    // Turns while that report is ahead: their usage goes in it, the object is not called.
    for (const now of [2_000, 30_000, 55_000]) await pokeUsageReports(env, now);
    expect(calls).toBe(1);
    // Close to the report's time, usage might just miss it: ask again (the object answers the next alarm).
    alarmAt = 121_000;
    await pokeUsageReports(env, 57_000);
    expect(calls).toBe(2);
    await pokeUsageReports(env, 90_000);
    expect(calls).toBe(2);
  });
});
