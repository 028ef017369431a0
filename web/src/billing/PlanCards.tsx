import { For, Show } from "solid-js";
import { formatDuration, formatNumber } from "../ui/format";
import type { BillingPlan, BillingStatus, PaidPlan } from "./billing-queries";

/** The plan catalogue: what each includes; Upgrade (Checkout) from the free plan, the portal otherwise. */
export function PlanCards(props: {
  billing: BillingStatus;
  busyPlan: PaidPlan | null;
  onUpgrade: (plan: PaidPlan) => void;
}) {
  const onFree = () => props.billing.plan === "free";
  return (
    <ul class="plans" aria-label="Plans">
      <For each={props.billing.plans}>
        {(plan: BillingPlan) => (
          <li class="plan" data-current={plan.current ? "" : undefined} data-testid={`plan-${plan.id}`}>
            <h3 class="plan-name">
              {plan.name}
              <Show when={plan.current}>
                <span class="badge current">Current plan</span>
              </Show>
            </h3>
            <p class="plan-price">{plan.priceLabel}</p>
            <ul class="plan-features">
              <li>{formatNumber(plan.allowanceTokens)} tokens a month</li>
              <li>
                {plan.maxParallelSubAgents} sub-agent{plan.maxParallelSubAgents === 1 ? "" : "s"} at a time
              </li>
              <li>Sandbox kept awake {formatDuration(plan.stackIdleSeconds * 1000)} after use</li>
            </ul>
            <Show when={!plan.current && plan.id !== "free"}>
              <Show when={onFree()} fallback={<p class="muted small">Switch plans in Manage billing.</p>}>
                <button
                  type="button"
                  class="button primary"
                  disabled={props.busyPlan !== null}
                  onClick={() => props.onUpgrade(plan.id as PaidPlan)}
                >
                  {props.busyPlan === plan.id ? "Opening checkout…" : `Upgrade to ${plan.name}`}
                </button>
              </Show>
            </Show>
          </li>
        )}
      </For>
    </ul>
  );
}
