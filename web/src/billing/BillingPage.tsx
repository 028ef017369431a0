import { useSearchParams } from "@solidjs/router";
import { createEffect, createSignal, Match, onCleanup, Show, Switch } from "solid-js";
import { errorMessage } from "../api/client";
import { formatDate } from "../ui/format";
import { checkoutUrl, leaveFor, type PaidPlan, portalUrl, statusLabel, useBilling } from "./billing-queries";
import { PlanCards } from "./PlanCards";
import { UsageBar } from "./UsageBar";
import "./billing.css";

/** How long the page waits, back from Checkout, for Stripe's webhook to change the plan. */
const RETURN_WAIT_MS = 30_000;

/**
 * Route `/billing`: plan, status and period, usage against the allowance, Upgrade (Stripe Checkout) and Manage
 * (customer portal). Checkout sends the user back to `/billing?checkout=success|cancelled`; after a success the
 * page polls until the plan has changed.
 */
export default function BillingPage() {
  const [params] = useSearchParams<{ checkout?: string }>();
  const returned =
    params.checkout === "success" ? "success" : params.checkout === "cancelled" ? "cancelled" : null;
  const [waiting, setWaiting] = createSignal(returned === "success");
  const billing = useBilling(waiting);

  // Back from a successful Checkout: done once the plan is a paid one (or after a while, said so).
  createEffect(() => {
    if (waiting() && billing.data && billing.data.plan !== "free") setWaiting(false);
  });
  const giveUp = setTimeout(() => setWaiting(false), RETURN_WAIT_MS);
  onCleanup(() => clearTimeout(giveUp));

  const [busyPlan, setBusyPlan] = createSignal<PaidPlan | null>(null);
  const [checkoutError, setCheckoutError] = createSignal<string | null>(null);
  const upgrade = async (plan: PaidPlan) => {
    setBusyPlan(plan);
    setCheckoutError(null);
    try {
      leaveFor(await checkoutUrl(plan));
    } catch (failure) {
      setCheckoutError(errorMessage(failure));
      setBusyPlan(null);
    }
  };

  const [portalBusy, setPortalBusy] = createSignal(false);
  const [portalError, setPortalError] = createSignal<string | null>(null);
  const manage = async () => {
    setPortalBusy(true);
    setPortalError(null);
    try {
      leaveFor(await portalUrl());
    } catch (failure) {
      setPortalError(errorMessage(failure));
      setPortalBusy(false);
    }
  };

  return (
    <section class="billing-page page" aria-labelledby="billing-heading">
      <header class="page-head">
        <h1 id="billing-heading">Billing</h1>
        <p class="muted">Your plan, what you have used this period, and upgrades.</p>
      </header>

      <Show when={returned}>
        <div class="return-banner" role="status" data-testid="checkout-return">
          <Switch>
            <Match when={returned === "cancelled"}>Checkout cancelled: nothing was charged.</Match>
            <Match when={waiting()}>
              <span class="spinner" aria-hidden="true" /> Payment received. Activating your plan…
            </Match>
            <Match when={billing.data && billing.data.plan !== "free"}>
              You are on the {billing.data?.planName} plan now. Thank you!
            </Match>
            <Match when={true}>
              Stripe has not confirmed the payment yet. This page shows the new plan once it does; reload in a
              minute.
            </Match>
          </Switch>
        </div>
      </Show>

      <Switch>
        <Match when={billing.isPending}>
          <p class="placeholder muted" role="status">
            Loading billing…
          </p>
        </Match>
        <Match when={billing.isError && !billing.data}>
          <div class="error" role="alert">
            <p>Could not load billing: {errorMessage(billing.error)}</p>
            <button type="button" class="button small" onClick={() => void billing.refetch()}>
              Try again
            </button>
          </div>
        </Match>
        <Match when={billing.data}>
          {(current) => (
            <>
              <div class="card plan-summary" data-testid="current-plan" data-plan={current().plan}>
                <div class="plan-summary-head">
                  <h2>
                    <span data-testid="plan-name">{current().planName}</span> plan
                  </h2>
                  <span class="badge" data-testid="plan-status">
                    {statusLabel(current().status)}
                  </span>
                </div>
                <p class="muted">
                  Period {formatDate(current().period.start)} – {formatDate(current().period.end)}
                  <Show when={current().plan !== "free"}>
                    {current().cancelAtPeriodEnd
                      ? ` · ends on ${formatDate(current().period.end)}`
                      : ` · renews on ${formatDate(current().period.end)}`}
                  </Show>
                </p>
                <Show when={current().paymentFailed}>
                  <p class="error" role="alert">
                    Your last payment failed. Update your payment method in Manage billing to keep your plan.
                  </p>
                </Show>
                <UsageBar usage={current().usage} periodEnd={current().period.end} />
                <Show when={current().hasBillingAccount}>
                  <button
                    type="button"
                    class="button"
                    onClick={() => void manage()}
                    disabled={portalBusy()}
                    data-testid="manage-billing"
                  >
                    {portalBusy() ? "Opening…" : "Manage billing"}
                  </button>
                </Show>
                <Show when={portalError()}>
                  <p class="error small" role="alert">
                    {portalError()}
                  </p>
                </Show>
              </div>

              <h2 class="plans-heading">Plans</h2>
              <Show when={checkoutError()}>
                <p class="error" role="alert" data-testid="checkout-error">
                  {checkoutError()}
                </p>
              </Show>
              <PlanCards billing={current()} busyPlan={busyPlan()} onUpgrade={(plan) => void upgrade(plan)} />
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}
