import { sql } from "drizzle-orm";
import { ApiError } from "../../../platform/api-error";
import type { Database } from "../../../schema/db";
import { nextPlan, PLANS, type Plan, type PlanId, planOf } from "./plans";
import { billableTokensSql } from "./usage-tokens";

/** Subscription statuses that give the subscription's plan (past_due: Stripe is still retrying the payment). */
export const ENTITLED_STATUSES = ["active", "trialing", "past_due"] as const;

/** Where the SPA lets a user pick a plan; the target of every "upgrade" hint. */
export const UPGRADE_PATH = "/billing";

export interface Entitlements {
  plan: PlanId;
  planName: string;
  /** Status of the subscription that decides the plan, or of the latest one; `none` without any. */
  status: string;
  cancelAtPeriodEnd: boolean;
  /** The latest invoice of that subscription failed to be paid. */
  paymentFailed: boolean;
  /** A Stripe customer exists for the user (the customer portal can open). */
  hasBillingAccount: boolean;
  allowanceTokens: number;
  usedTokens: number;
  remainingTokens: number;
  /** The subscription's current period; the calendar month (UTC) on the free plan. */
  periodStart: Date;
  periodEnd: Date;
  maxParallelSubAgents: number;
  stackIdleSeconds: number;
  overAllowance: boolean;
}

const entitled = sql.raw(`(${ENTITLED_STATUSES.map((status) => `'${status}'`).join(", ")})`);
const planRank = sql.raw(
  `case s.plan ${Object.values(PLANS)
    .map((plan) => `when '${plan.id}' then ${plan.rank}`)
    .join(" ")} else -1 end`,
);

interface EntitlementRow extends Record<string, unknown> {
  plan: string | null;
  status: string | null;
  entitled: boolean | null;
  cancel_at_period_end: boolean | null;
  latest_invoice_status: string | null;
  period_start: string | Date;
  period_end: string | Date;
  has_customer: boolean;
  used: string | number;
}

/**
 * What this user may do now, in one database round trip: the plan of their best live subscription (free
 * without one), its period, and the tokens used in that period.
 */
export async function entitlements(db: Database, userId: string): Promise<Entitlements> {
  const result = await db.execute<EntitlementRow>(sql`
    with sub as (
      select s.plan, s.status, s.status in ${entitled} as entitled, s.cancel_at_period_end,
             s.latest_invoice_status, s.current_period_start, s.current_period_end
      from subscriptions s
      where s.user_id = ${userId}
      order by (s.status in ${entitled}) desc, ${planRank} desc, s.stripe_event_created_at desc
      limit 1
    ), period as (
      select
        case when sub.entitled and sub.current_period_start is not null and sub.current_period_end > now()
          then sub.current_period_start
          else date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' end as period_start,
        case when sub.entitled and sub.current_period_start is not null and sub.current_period_end > now()
          then sub.current_period_end
          else (date_trunc('month', now() at time zone 'UTC') + interval '1 month') at time zone 'UTC' end
          as period_end
      from (select 1) as one left join sub on true
    )
    select sub.plan, sub.status, sub.entitled, sub.cancel_at_period_end, sub.latest_invoice_status,
           period.period_start, period.period_end,
           exists (select 1 from billing_customers b where b.user_id = ${userId}) as has_customer,
           (select coalesce(sum(${billableTokensSql("u")}), 0) from usage_records u
             where u.user_id = ${userId} and u.recorded_at >= period.period_start
               and u.recorded_at < period.period_end) as used
    from period left join sub on true
  `);
  const row = result.rows[0];
  if (!row) throw new Error("entitlements query returned no row");
  const plan: Plan = row.entitled && row.plan ? planOf(row.plan) : PLANS.free;
  const usedTokens = Number(row.used);
  return {
    plan: plan.id,
    planName: plan.name,
    status: row.status ?? "none",
    cancelAtPeriodEnd: row.cancel_at_period_end ?? false,
    paymentFailed: row.latest_invoice_status === "payment_failed",
    hasBillingAccount: row.has_customer,
    allowanceTokens: plan.allowanceTokens,
    usedTokens,
    remainingTokens: Math.max(0, plan.allowanceTokens - usedTokens),
    periodStart: new Date(row.period_start),
    periodEnd: new Date(row.period_end),
    maxParallelSubAgents: plan.maxParallelSubAgents,
    stackIdleSeconds: plan.stackIdleSeconds,
    overAllowance: usedTokens >= plan.allowanceTokens,
  };
}

/**
 * 402 `allowance_exceeded`: the user has used their plan's tokens for this period. An `ApiError`, so a route
 * that lets it through answers 402 in the API's error shape; actors can read `entitlements` and `upgradePath`.
 */
export class AllowanceExceededError extends ApiError {
  override readonly name = "AllowanceExceededError";
  /** SPA path where the user can upgrade (`/billing`). */
  readonly upgradePath = UPGRADE_PATH;
  /** The next plan up, if there is one. */
  readonly upgradePlan: PlanId | undefined;

  constructor(readonly entitlements: Entitlements) {
    const next = nextPlan(entitlements.plan);
    const used = `You have used ${entitlements.usedTokens.toLocaleString("en-US")} of the ${entitlements.allowanceTokens.toLocaleString("en-US")} tokens the ${entitlements.planName} plan includes until ${entitlements.periodEnd.toISOString().slice(0, 10)}.`;
    const hint = next
      ? ` Upgrade to ${next.name} (${next.allowanceTokens.toLocaleString("en-US")} tokens a month) at ${UPGRADE_PATH}.`
      : ` The allowance renews on ${entitlements.periodEnd.toISOString().slice(0, 10)}.`;
    super("allowance_exceeded", `${used}${hint}`);
    this.upgradePlan = next?.id;
  }
}

/**
 * Call before starting work that uses model tokens (a Grow Agent turn). One query (`entitlements`); resolves
 * with the entitlements when the user is within their allowance, throws `AllowanceExceededError` (402,
 * `allowance_exceeded`) when not. Database errors propagate unchanged.
 */
export async function assertCanStartTurn(db: Database, userId: string): Promise<Entitlements> {
  const current = await entitlements(db, userId);
  if (current.overAllowance) throw new AllowanceExceededError(current);
  return current;
}
