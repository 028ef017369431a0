/** The questions `npm run cost` answers, on top of the pure model: a month's bill, a class's cost, a free plan. */
import { PLANS } from "../../worker/src/billing/plans";
import {
  accountCost,
  addUsage,
  type Costs,
  type ModelOptions,
  marginalCost,
  type PlanTerms,
  scaleUsage,
  total,
  type Usage,
  usagePerUser,
} from "./cost-model";
import type { UserClass } from "./mix";
import type { Prices } from "./prices";

export interface Plans {
  free: PlanTerms;
  pro: PlanTerms;
}

/** Today's plans (plans.ts), and today's provisioner, which never deletes an unused stack. */
export const TODAY: Plans = {
  free: {
    allowanceTokens: PLANS.free.allowanceTokens,
    stackIdleSeconds: PLANS.free.stackIdleSeconds,
    stackRetention: "forever",
  },
  pro: {
    allowanceTokens: PLANS.pro.allowanceTokens,
    stackIdleSeconds: PLANS.pro.stackIdleSeconds,
    stackRetention: "forever",
  },
};

export interface Bill {
  usage: Usage;
  costs: Costs;
  total: number;
  perDailyActive: number;
  perRegistered: number;
}

/** The month's bill for `users` registered users split as `mix` says. */
export function monthlyBill(
  users: number,
  mix: readonly UserClass[],
  plans: Plans,
  prices: Prices,
  options: ModelOptions,
  proPrice: number,
): Bill {
  const usage = mix
    .map((cls) => scaleUsage(usagePerUser(cls, plans[cls.name], options), users * cls.share))
    .reduce(addUsage);
  const costs = accountCost(usage, prices, proPrice);
  const sum = total(costs);
  return {
    usage,
    costs,
    total: sum,
    perDailyActive: sum / usage.dailyActiveUsers,
    perRegistered: sum / users,
  };
}

/** What one more registered user of `cls` adds to the bill in a month, by component. */
export function userCost(
  cls: UserClass,
  plan: PlanTerms,
  prices: Prices,
  options: ModelOptions,
  proPrice: number,
) {
  const costs = marginalCost(usagePerUser(cls, plan, options), prices, proPrice);
  return { costs, total: total(costs) };
}

/**
 * The largest token allowance (in steps of `step`) that keeps the class's average user at or under `ceiling`
 * with the other terms of `plan`; 0 when even no tokens cost more than the ceiling.
 */
export function largestAllowanceUnder(
  ceiling: number,
  cls: UserClass,
  plan: PlanTerms,
  prices: Prices,
  options: ModelOptions,
  proPrice: number,
  step = 10_000,
): number {
  let best = 0;
  for (let tokens = step; tokens <= 10_000_000; tokens += step) {
    const cost = userCost(cls, { ...plan, allowanceTokens: tokens }, prices, options, proPrice).total;
    if (cost > ceiling) break;
    best = tokens;
  }
  return best;
}
