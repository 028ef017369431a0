import { describe, expect, it } from "vitest";
import { MAX_COUNTABLE_STACK_STARTS } from "../http/limits";
import { DEFAULT_PRICE_IDS, nextPlan, PLANS, planForPrice, planOf, priceIdFor } from "./plans";

describe("plans", () => {
  it("sells each paid plan with the configured price, or the local default", () => {
    expect(priceIdFor({}, "pro")).toBe(DEFAULT_PRICE_IDS.pro);
    expect(priceIdFor({ STRIPE_PRICE_TEAM: " price_live_team " }, "team")).toBe("price_live_team");
    const env = { STRIPE_PRICE_PRO: "price_live_pro" };
    expect(planForPrice(env, "price_live_pro")).toBe("pro");
    expect(planForPrice(env, DEFAULT_PRICE_IDS.team)).toBe("team");
    expect(planForPrice(env, DEFAULT_PRICE_IDS.pro)).toBeUndefined();
    expect(planForPrice(env, undefined)).toBeUndefined();
  });

  it("orders plans so every limit grows with the rank, and names the next one up", () => {
    const byRank = Object.values(PLANS).sort((a, b) => a.rank - b.rank);
    expect(byRank.map((plan) => plan.id)).toEqual(["free", "pro", "team"]);
    for (let i = 1; i < byRank.length; i += 1) {
      const [lower, higher] = [byRank[i - 1], byRank[i]];
      expect(higher?.allowanceTokens).toBeGreaterThan(lower?.allowanceTokens ?? 0);
      expect(higher?.maxParallelSubAgents).toBeGreaterThan(lower?.maxParallelSubAgents ?? 0);
      expect(higher?.stackIdleSeconds).toBeGreaterThan(lower?.stackIdleSeconds ?? 0);
      expect(higher?.stackStartsPerHour).toBeGreaterThan(lower?.stackStartsPerHour ?? 0);
    }
    expect(nextPlan("free")?.id).toBe("pro");
    expect(nextPlan("pro")?.id).toBe("team");
    expect(nextPlan("team")).toBeUndefined();
    expect(planOf("unknown").id).toBe("free");
  });

  it("caps stack bring-ups on every plan at a number the stack's kept events can count", () => {
    for (const plan of Object.values(PLANS)) {
      expect(plan.stackStartsPerHour).toBeGreaterThanOrEqual(1);
      expect(plan.stackStartsPerHour).toBeLessThanOrEqual(MAX_COUNTABLE_STACK_STARTS);
    }
  });
});
