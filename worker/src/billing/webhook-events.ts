import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Logger } from "../../../platform/logger";
import { processedWebhookEvents, subscriptions } from "../../../schema";
import type { Database } from "../../../schema/db";
import { findCustomerOwner } from "./customers";
import { isPlanId, type PlanPriceEnv, planForPrice } from "./plans";

/** The events the webhook acts on; any other event is acknowledged and recorded as processed. */
export const HANDLED_EVENT_TYPES = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
] as const;

export type EventOutcome = "applied" | "duplicate" | "ignored";

export interface WebhookDeps {
  db: Database;
  /** Made only when an event needs the current state from Stripe. */
  stripe: () => Stripe;
  env: PlanPriceEnv;
  log: Logger;
}

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** A subscription as we store it. */
export interface SubscriptionSnapshot {
  stripeSubscriptionId: string;
  userId: string;
  priceId: string;
  plan: string;
  status: string;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
}

type Effect =
  | {
      kind: "subscription";
      snapshot: SubscriptionSnapshot;
      /** Created time of the event this state belongs to: the row's version. */
      version: Date;
      /**
       * The state was read from Stripe just now, so it is at least as new as anything stamped with the same
       * second; an event's own payload is not (Stripe's `created` has one-second resolution).
       */
      fresh: boolean;
    }
  | { kind: "invoice"; stripeSubscriptionId: string; status: "paid" | "payment_failed"; version: Date };

const FINAL_STATUSES = "('canceled', 'incomplete_expired')";

/**
 * Applies one verified Stripe event exactly once. Reads (our customer mapping, and Stripe for the current
 * subscription where the event does not carry it or ties with the stored version) happen first; then one
 * transaction records the event id in `processed_webhook_events` and applies the effects, so a redelivery
 * (even a concurrent one) finds the id and changes nothing. Subscription rows only move forward in event
 * time, so events may arrive in any order.
 */
export async function processStripeEvent(deps: WebhookDeps, event: Stripe.Event): Promise<EventOutcome> {
  if (await alreadyProcessed(deps.db, event.id)) return "duplicate";
  const effects = await effectsOf(deps, event);
  const outcome = await deps.db.transaction(async (tx) => {
    const [claimed] = await tx
      .insert(processedWebhookEvents)
      .values({ stripeEventId: event.id, type: event.type })
      .onConflictDoNothing()
      .returning({ id: processedWebhookEvents.stripeEventId });
    if (!claimed) return "duplicate" as const;
    for (const effect of effects) await apply(tx, effect);
    return effects.length > 0 ? ("applied" as const) : ("ignored" as const);
  });
  deps.log.info("stripe event", { eventId: event.id, type: event.type, outcome });
  return outcome;
}

async function alreadyProcessed(db: Database, eventId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: processedWebhookEvents.stripeEventId })
    .from(processedWebhookEvents)
    .where(eq(processedWebhookEvents.stripeEventId, eventId));
  return !!row;
}

async function effectsOf(deps: WebhookDeps, event: Stripe.Event): Promise<Effect[]> {
  const version = new Date(event.created * 1000);
  switch (event.type) {
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      let subscription = event.data.object;
      // Same second as the stored state: the payload cannot say which is newer, Stripe can.
      const stored = await storedVersion(deps.db, subscription.id);
      const fresh = stored?.getTime() === version.getTime();
      if (fresh) subscription = await deps.stripe().subscriptions.retrieve(subscription.id);
      const snapshot = await snapshotOf(deps, subscription);
      return snapshot ? [{ kind: "subscription", snapshot, version, fresh }] : [];
    }
    case "checkout.session.completed": {
      const session = event.data.object;
      const subscriptionId = idOf(session.subscription);
      if (session.mode !== "subscription" || !subscriptionId) return [];
      const owner = await ownerOf(deps, session.customer);
      if (!owner) return [];
      if (session.client_reference_id && session.client_reference_id !== owner) {
        deps.log.warn("checkout session of another user's customer ignored", { eventId: event.id });
        return [];
      }
      const snapshot = await snapshotOf(deps, await deps.stripe().subscriptions.retrieve(subscriptionId));
      return snapshot ? [{ kind: "subscription", snapshot, version, fresh: true }] : [];
    }
    case "invoice.paid":
    case "invoice.payment_failed": {
      const subscriptionId = invoiceSubscriptionId(event.data.object);
      if (!subscriptionId) return [];
      const snapshot = await snapshotOf(deps, await deps.stripe().subscriptions.retrieve(subscriptionId));
      if (!snapshot) return [];
      const status = event.type === "invoice.paid" ? "paid" : "payment_failed";
      return [
        { kind: "subscription", snapshot, version, fresh: true },
        { kind: "invoice", stripeSubscriptionId: subscriptionId, status, version },
      ];
    }
    default:
      return [];
  }
}

async function storedVersion(db: Database, stripeSubscriptionId: string): Promise<Date | undefined> {
  const [row] = await db
    .select({ version: subscriptions.stripeEventCreatedAt })
    .from(subscriptions)
    .where(eq(subscriptions.stripeSubscriptionId, stripeSubscriptionId));
  return row?.version;
}

const idOf = (value: string | { id: string } | null | undefined): string | undefined =>
  typeof value === "string" ? value : (value?.id ?? undefined);

async function ownerOf(
  deps: Pick<WebhookDeps, "db" | "log">,
  customer: string | { id: string } | null | undefined,
): Promise<string | undefined> {
  const customerId = idOf(customer);
  const owner = customerId ? await findCustomerOwner(deps.db, customerId) : undefined;
  if (!owner) deps.log.warn("stripe event for a customer that is not ours ignored", { customerId });
  return owner;
}

/** Our row for a Stripe subscription; undefined when its customer is not one of ours. */
export async function snapshotOf(
  deps: Pick<WebhookDeps, "db" | "env" | "log">,
  subscription: Stripe.Subscription,
): Promise<SubscriptionSnapshot | undefined> {
  const userId = await ownerOf(deps, subscription.customer);
  if (!userId) return undefined;
  const item = subscription.items?.data?.[0];
  // Webhook payloads follow the endpoint's API version: periods moved from the subscription to its items.
  const legacy = subscription as unknown as { current_period_start?: number; current_period_end?: number };
  const start = item?.current_period_start ?? legacy.current_period_start;
  const end = item?.current_period_end ?? legacy.current_period_end;
  const priceId = item?.price?.id ?? "";
  const metadataPlan = subscription.metadata?.plan;
  const plan = planForPrice(deps.env, priceId) ?? (isPlanId(metadataPlan) ? metadataPlan : "free");
  return {
    stripeSubscriptionId: subscription.id,
    userId,
    priceId,
    plan,
    status: subscription.status,
    currentPeriodStart: start ? new Date(start * 1000) : null,
    currentPeriodEnd: end ? new Date(end * 1000) : null,
    cancelAtPeriodEnd: subscription.cancel_at_period_end ?? false,
  };
}

function invoiceSubscriptionId(invoice: Stripe.Invoice): string | undefined {
  const fromParent = idOf(invoice.parent?.subscription_details?.subscription);
  // Older API versions carried it on the invoice itself.
  return fromParent ?? idOf((invoice as unknown as { subscription?: string | { id: string } }).subscription);
}

async function apply(tx: Tx, effect: Effect): Promise<void> {
  if (effect.kind === "invoice") {
    // Its own version: a late invoice.paid must not hide a newer failure, nor the reverse.
    await tx
      .update(subscriptions)
      .set({ latestInvoiceStatus: effect.status, latestInvoiceEventCreatedAt: effect.version })
      .where(
        sql`${subscriptions.stripeSubscriptionId} = ${effect.stripeSubscriptionId} and (
          ${subscriptions.latestInvoiceEventCreatedAt} is null
          or ${subscriptions.latestInvoiceEventCreatedAt} < ${effect.version}
          or (${subscriptions.latestInvoiceEventCreatedAt} = ${effect.version} and ${effect.status} = 'paid'))`,
      );
    return;
  }
  const { snapshot, version } = effect;
  const values = {
    stripePriceId: snapshot.priceId,
    plan: snapshot.plan,
    status: snapshot.status,
    currentPeriodStart: snapshot.currentPeriodStart,
    currentPeriodEnd: snapshot.currentPeriodEnd,
    cancelAtPeriodEnd: snapshot.cancelAtPeriodEnd,
    stripeEventCreatedAt: version,
  };
  const newer = effect.fresh
    ? sql`subscriptions.stripe_event_created_at <= excluded.stripe_event_created_at`
    : sql`subscriptions.stripe_event_created_at < excluded.stripe_event_created_at`;
  await tx
    .insert(subscriptions)
    .values({ ...values, userId: snapshot.userId, stripeSubscriptionId: snapshot.stripeSubscriptionId })
    .onConflictDoUpdate({
      target: subscriptions.stripeSubscriptionId,
      set: { ...values, updatedAt: new Date() },
      // Only forward in time, and a canceled subscription stays canceled (Stripe never revives one).
      setWhere: sql`${newer} and (subscriptions.status not in ${sql.raw(FINAL_STATUSES)}
        or excluded.status in ${sql.raw(FINAL_STATUSES)})`,
    });
}
