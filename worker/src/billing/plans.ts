/**
 * The plans, in one place. Everything else asks `entitlements()` (entitlements.ts) what a user may do; only this
 * module knows what each plan gives and which Stripe price sells it.
 */

export const PLAN_IDS = ["free", "pro", "team"] as const;
export type PlanId = (typeof PLAN_IDS)[number];
export const PAID_PLAN_IDS = ["pro", "team"] as const satisfies readonly PlanId[];
export type PaidPlanId = (typeof PAID_PLAN_IDS)[number];

export interface Plan {
  id: PlanId;
  name: string;
  /** Model tokens per billing period (see `billableTokensSql` for what counts). */
  allowanceTokens: number;
  /** Sub-agents one user may run at the same time. */
  maxParallelSubAgents: number;
  /** A stack nobody used for this long is suspended. */
  stackIdleSeconds: number;
  /**
   * Bring-ups (creating or waking the stack's machines) per hour, by `POST /api/stack/wake` or a sub-agent
   * (worker/src/stack/admit-stack-start.ts)
   * (`STACK_START_WINDOW_SECONDS`). Every plan gets a sandbox, since sub-agents need one; the cap keeps a script
   * from cycling machines, sized so a user returning after each idle suspend is not refused. At most
   * `MAX_COUNTABLE_STACK_STARTS` (http/limits.ts).
   */
  stackStartsPerHour: number;
  /** Schedules one user may keep (worker/src/schedules/; paused ones count). */
  maxSchedules: number;
  /** Scheduled runs one user may start in any 24 hours; a run past it is recorded failed. */
  scheduleRunsPerDay: number;
  /** For display only; the amount charged is the Stripe price's. */
  priceLabel: string;
  /** Higher is better: the plan a user with several live subscriptions gets, and the upgrade order. */
  rank: number;
}

export const PLANS: Readonly<Record<PlanId, Plan>> = {
  free: {
    id: "free",
    name: "Free",
    allowanceTokens: 200_000,
    maxParallelSubAgents: 1,
    stackIdleSeconds: 300,
    stackStartsPerHour: 4,
    maxSchedules: 3,
    scheduleRunsPerDay: 24,
    priceLabel: "$0",
    rank: 0,
  },
  pro: {
    id: "pro",
    name: "Pro",
    allowanceTokens: 5_000_000,
    maxParallelSubAgents: 3,
    stackIdleSeconds: 900,
    stackStartsPerHour: 6,
    maxSchedules: 25,
    scheduleRunsPerDay: 300,
    priceLabel: "$20 / month",
    rank: 1,
  },
  team: {
    id: "team",
    name: "Team",
    allowanceTokens: 25_000_000,
    maxParallelSubAgents: 10,
    stackIdleSeconds: 3_600,
    stackStartsPerHour: 8,
    maxSchedules: 100,
    scheduleRunsPerDay: 2000,
    priceLabel: "$100 / month",
    rank: 2,
  },
};

/** Stripe settings of the plans (docs/configuration.md). */
export interface PlanPriceEnv {
  STRIPE_PRICE_PRO?: string;
  STRIPE_PRICE_TEAM?: string;
}

/** Used when the env names no price: what dev/stripe (which accepts any `price_…`) and the tests use. */
export const DEFAULT_PRICE_IDS: Readonly<Record<PaidPlanId, string>> = {
  pro: "price_growqr_pro_monthly",
  team: "price_growqr_team_monthly",
};

export function priceIdFor(env: PlanPriceEnv, plan: PaidPlanId): string {
  const configured = plan === "pro" ? env.STRIPE_PRICE_PRO : env.STRIPE_PRICE_TEAM;
  return configured?.trim() || DEFAULT_PRICE_IDS[plan];
}

/** The plan a Stripe price sells, if it is one of ours. */
export function planForPrice(env: PlanPriceEnv, priceId: string | undefined): PaidPlanId | undefined {
  if (!priceId) return undefined;
  return PAID_PLAN_IDS.find((plan) => priceIdFor(env, plan) === priceId);
}

export const isPlanId = (value: unknown): value is PlanId =>
  typeof value === "string" && (PLAN_IDS as readonly string[]).includes(value);

export const planOf = (id: string): Plan => (isPlanId(id) ? PLANS[id] : PLANS.free);

/** The next plan up, for "upgrade to …" messages; undefined at the top. */
export function nextPlan(id: PlanId): Plan | undefined {
  return Object.values(PLANS)
    .filter((plan) => plan.rank > PLANS[id].rank)
    .sort((a, b) => a.rank - b.rank)[0];
}
