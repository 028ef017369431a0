import { describe, expect, it } from "vitest";
import {
  accountCost,
  addUsage,
  allowanceFactor,
  MONTH_SECONDS,
  marginalCost,
  type PlanTerms,
  scaleUsage,
  stripeFee,
  total,
  usagePerUser,
} from "./cost-model";
import { MIX } from "./mix";
import { PRICES } from "./prices";
import { largestAllowanceUnder, TODAY, userCost } from "./scenarios";
import { billableTokens, UNIT_USAGE } from "./unit-usage";

const free = MIX.find((c) => c.name === "free");
if (!free) throw new Error("no free class");
const now = { hibernation: false };
const hib = { hibernation: true };
// Hand-checked below: the free class is 40% active, 6 days, 8 turns + 3 sub-agent minutes (1 bring-up) a day.
const FACTOR = 200_000 / 412_800;

describe("cost model (numbers checked by hand)", () => {
  it("counts billable tokens as the allowance does", () => {
    expect(billableTokens(UNIT_USAGE.turn.tokens)).toBe(4_000 + 400 + 600 + 300);
    expect(billableTokens(UNIT_USAGE.subAgentMinute.tokens)).toBe(3_000 + 800 + 2_000 + 3_000);
  });

  it("cuts a free user's turns and sub-agent minutes to the 200k allowance", () => {
    // demand = 6 days × (8 × 5 300 + 3 × 8 800) = 412 800 tokens
    expect(allowanceFactor(free, TODAY.free)).toBeCloseTo(FACTOR, 9);
    expect(allowanceFactor(free, { ...TODAY.free, allowanceTokens: 1_000_000 })).toBe(1);
  });

  it("prices a free user's tokens: $0.0141 a turn, $0.025 a sub-agent minute, 40% active", () => {
    const tokens = marginalCost(usagePerUser(free, TODAY.free, now), PRICES, 20)["Claude tokens"];
    // per turn 4000×$2 + 400×$10 + 600×$2.5 + 3000×$0.2 per MTok; per minute 3000×2 + 800×10 + 2000×2.5 + 30000×0.2
    expect(tokens).toBeCloseTo(0.4 * (48 * FACTOR * 0.0141 + 18 * FACTOR * 0.025), 9);
    expect(tokens).toBeCloseTo(0.21837, 4);
  });

  it("keeps a DO resident for the open tab today, only around events with hibernation", () => {
    const sub = 18 * FACTOR * 60 * 2;
    const today = usagePerUser(free, TODAY.free, now).doGbSeconds;
    expect(today).toBeCloseTo(0.4 * (6 * 1.5 * 3_600 + sub) * 0.128, 6); // ≈ 1 712 GB-s
    const turns = 48 * FACTOR;
    // The hub runs 2 ms per publish (176 a turn) and per renewal (72 an hour over 9 tab hours).
    const hub = (turns * 176 + 9 * 72) * 0.002;
    const hibernating = usagePerUser(free, TODAY.free, hib).doGbSeconds;
    expect(hibernating).toBeCloseTo(0.4 * ((turns + 12) * 10 + turns * 8 + hub + sub) * 0.128, 6);
    expect(hibernating).toBeLessThan(today / 10);
  });

  it("counts the hub's requests with hibernation: a publish per event, renewals at 20:1, two per page load", () => {
    const turns = 48 * FACTOR;
    const extra =
      usagePerUser(free, TODAY.free, hib).doRequests - usagePerUser(free, TODAY.free, now).doRequests;
    expect(extra).toBeCloseTo(0.4 * (turns * 176 + (9 * 72) / 20 + 12 * 2), 6);
  });

  it("bills stacks: 2 GB of volumes and suspended rootfs + memory for every user who keeps one", () => {
    const usage = usagePerUser(free, TODAY.free, now);
    expect(usage.volumeGbMonths).toBeCloseTo(0.6 * 2, 9);
    // OpenCode runs 1 bring-up × (300 s idle + 0.5 s wake) + 3 minutes a day; Gitea also 1 memory wake a day.
    const opencode = 6 * FACTOR * 300.5 + 18 * FACTOR * 60;
    const gitea = opencode + 6 * 300.5;
    expect(usage.opencodeRunningSeconds).toBeCloseTo(0.4 * 0.6 * opencode, 6);
    const running = (0.4 * 0.6 * (opencode * 1.8 + gitea * 0.75)) / MONTH_SECONDS;
    expect(usage.suspendedGbMonths).toBeCloseTo(0.6 * (1.8 + 0.75) - running, 9);
    const stored = marginalCost(usage, PRICES, 20)["Fly suspended + volumes"];
    expect(stored).toBeCloseTo(0.18 + (1.53 - running) * 0.15, 9); // ≈ $0.409
  });

  it("drops a dormant user's stack when stacks are retained a month only", () => {
    const month: PlanTerms = { ...TODAY.free, stackRetention: "month" };
    expect(usagePerUser(free, month, now).volumeGbMonths).toBeCloseTo(0.4 * 0.6 * 2, 9);
  });

  it("charges Stripe 2.9% + $0.30 on each Pro payment", () => {
    expect(stripeFee(PRICES, 20)).toBeCloseTo(0.88, 9);
  });

  it("applies the included allowances and the smallest Neon compute to an account's bill", () => {
    const small = scaleUsage(usagePerUser(free, TODAY.free, now), 10);
    const bill = accountCost(small, PRICES, 20);
    expect(bill.Workers).toBe(5);
    expect(bill["Durable Objects"]).toBe(0);
    expect(bill["Neon Postgres"]).toBeCloseTo(0.25 * 720 * 0.106 + small.pgStorageGb * 0.35, 9);
    const both = addUsage(small, small);
    expect(both.registeredUsers).toBe(20);
    expect(both.tokens.output).toBeCloseTo(2 * small.tokens.output, 9);
  });

  it("finds the largest allowance under a ceiling", () => {
    const plan: PlanTerms = { ...TODAY.free, stackRetention: "month" };
    const best = largestAllowanceUnder(0.5, free, plan, PRICES, hib, 20);
    expect(userCost(free, { ...plan, allowanceTokens: best }, PRICES, hib, 20).total).toBeLessThanOrEqual(
      0.5,
    );
    expect(
      userCost(free, { ...plan, allowanceTokens: best + 10_000 }, PRICES, hib, 20).total,
    ).toBeGreaterThan(0.5);
    expect(largestAllowanceUnder(0.01, free, plan, PRICES, hib, 20)).toBe(0);
    expect(total(marginalCost(usagePerUser(free, plan, hib), PRICES, 20))).toBeGreaterThan(0);
  });
});
