import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevStripe, startDevStripe } from "../../dev/stripe/stripe-server";
import type { StripeEventJson } from "../../dev/stripe/webhook-sender";
import { createLogger } from "../../platform/logger";
import { processedWebhookEvents, subscriptions, users } from "../../schema";
import type { Database } from "../../schema/db";
import { ensureCustomer } from "../../worker/src/billing/customers";
import { entitlements } from "../../worker/src/billing/entitlements";
import { DEFAULT_PRICE_IDS } from "../../worker/src/billing/plans";
import { createStripe } from "../../worker/src/billing/stripe-client";
import { processStripeEvent, type WebhookDeps } from "../../worker/src/billing/webhook-events";
import { type MigratedDatabase, startMigratedDatabase } from "../support/local-db";

const log = createLogger({ service: "test" }, () => {});

/**
 * Webhook event handling against PGlite (through the Neon driver) and dev/stripe, with events applied in the
 * orders Stripe may deliver them. dev/stripe has no webhook URL here: the test delivers its events itself.
 */
describe("stripe webhook events", () => {
  let local: MigratedDatabase;
  let db: Database;
  let devStripe: DevStripe;
  let stripe: Stripe;
  let deps: WebhookDeps;

  beforeAll(async () => {
    local = await startMigratedDatabase();
    db = local.db;
    devStripe = await startDevStripe();
    stripe = createStripe(devStripe.workerVars, { maxNetworkRetries: 0 });
    deps = { db, stripe: () => stripe, env: {}, log };
  });
  afterAll(async () => {
    await devStripe?.close();
    await local?.close();
  });

  /** A user who went through Checkout for `plan` in dev/stripe; returns the events Stripe would send. */
  async function checkout(plan: "pro" | "team" = "pro") {
    const [user] = await db
      .insert(users)
      .values({ clerkUserId: `u-${crypto.randomUUID()}`, email: "a@example.com" })
      .returning();
    if (!user) throw new Error("no user");
    const customer = await ensureCustomer(db, stripe, user);
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      customer,
      client_reference_id: user.id,
      line_items: [{ price: DEFAULT_PRICE_IDS[plan], quantity: 1 }],
      success_url: "http://app.test/billing",
      subscription_data: { metadata: { user_id: user.id, plan } },
    });
    const [created, paid, completed] = devStripe.store.completeCheckout(session.id);
    if (!created || !paid || !completed) throw new Error("missing checkout events");
    const subscriptionId = String(created.data.object.id);
    return { userId: user.id, customer, subscriptionId, created, paid, completed };
  }

  const asEvent = (event: StripeEventJson, created?: number) =>
    ({ ...structuredClone(event), ...(created ? { created } : {}) }) as unknown as Stripe.Event;
  const process = (event: StripeEventJson, created?: number) =>
    processStripeEvent(deps, asEvent(event, created));
  const row = async (subscriptionId: string) =>
    (await db.select().from(subscriptions).where(eq(subscriptions.stripeSubscriptionId, subscriptionId)))[0];

  it("applies Checkout's events in Stripe's order: the user is on Pro", async () => {
    const { userId, subscriptionId, created, paid, completed } = await checkout("pro");
    expect(await process(created)).toBe("applied");
    expect(await process(paid)).toBe("applied");
    expect(await process(completed)).toBe("applied");
    expect(await row(subscriptionId)).toMatchObject({
      userId,
      plan: "pro",
      status: "active",
      stripePriceId: DEFAULT_PRICE_IDS.pro,
      latestInvoiceStatus: "paid",
      cancelAtPeriodEnd: false,
    });
    expect((await row(subscriptionId))?.currentPeriodEnd?.getTime()).toBeGreaterThan(Date.now());
    expect(await entitlements(db, userId)).toMatchObject({ plan: "pro", status: "active" });
  });

  it("applies an event once however often it is delivered, even concurrently", async () => {
    const { subscriptionId, created } = await checkout();
    const outcomes = await Promise.all([process(created), process(created), process(created)]);
    expect(outcomes.filter((outcome) => outcome === "applied")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "duplicate")).toHaveLength(2);
    expect(await process(created)).toBe("duplicate");
    const processed = await db
      .select()
      .from(processedWebhookEvents)
      .where(eq(processedWebhookEvents.stripeEventId, created.id));
    expect(processed).toHaveLength(1);
    expect(
      await db.select().from(subscriptions).where(eq(subscriptions.stripeSubscriptionId, subscriptionId)),
    ).toHaveLength(1);
  });

  it("subscription.updated before checkout.session.completed: the newer state wins", async () => {
    const { userId, subscriptionId, created, paid, completed } = await checkout("pro");
    // Later, the user asked to cancel at the end of the period; that event arrives first.
    const [updated] = devStripe.store.cancelSubscription(subscriptionId, true);
    if (!updated) throw new Error("no update event");
    const t = created.created;
    expect(await process(updated, t + 60)).toBe("applied");
    expect(await process(completed, t + 1)).toBe("applied");
    expect(await process(created, t)).toBe("applied");
    expect(await process(paid, t)).toBe("applied");
    expect(await row(subscriptionId)).toMatchObject({
      status: "active",
      plan: "pro",
      cancelAtPeriodEnd: true,
      stripeEventCreatedAt: new Date((t + 60) * 1000),
    });
    expect(await entitlements(db, userId)).toMatchObject({ plan: "pro", cancelAtPeriodEnd: true });
  });

  it("never revives a deleted subscription with an older event", async () => {
    const { userId, subscriptionId, created, completed } = await checkout("team");
    const [deleted] = devStripe.store.cancelSubscription(subscriptionId, false);
    if (!deleted) throw new Error("no delete event");
    const t = created.created;
    expect(await process(created, t)).toBe("applied");
    expect(await process(deleted, t + 30)).toBe("applied");
    // Late deliveries of older events: recorded, but the row stays canceled.
    expect(await process(completed, t + 1)).toBe("applied");
    const staleActive = {
      ...structuredClone(created),
      id: `evt_${crypto.randomUUID()}`,
      type: "customer.subscription.updated",
    };
    expect(await process(staleActive, t + 2)).toBe("applied");
    expect(await row(subscriptionId)).toMatchObject({ status: "canceled", plan: "team" });
    expect(await entitlements(db, userId)).toMatchObject({ plan: "free", status: "canceled" });
  });

  it("settles a tie in Stripe's one-second event time by asking Stripe for the subscription", async () => {
    const { subscriptionId, created } = await checkout("pro");
    const t = created.created;
    const [updated] = devStripe.store.cancelSubscription(subscriptionId, true);
    if (!updated) throw new Error("no update event");
    const retrieves = () =>
      devStripe.requests().filter((r) => r.path === `/v1/subscriptions/${subscriptionId}`).length;
    // Same second, newer state first: the older payload must not undo it.
    expect(await process(updated, t)).toBe("applied");
    expect(retrieves()).toBe(0);
    expect(await process(created, t)).toBe("applied");
    expect(retrieves()).toBe(1);
    expect((await row(subscriptionId))?.cancelAtPeriodEnd).toBe(true);
  });

  it("records invoice outcomes in their own order: a late invoice.paid does not hide a newer failure", async () => {
    const { userId, subscriptionId, created, paid } = await checkout("pro");
    const [failed, pastDue] = devStripe.store.failPayment(subscriptionId);
    if (!failed || !pastDue) throw new Error("no failure events");
    const t = created.created;
    await process(created, t);
    await process(pastDue, t + 20);
    await process(failed, t + 20);
    await process(paid, t);
    expect(await row(subscriptionId)).toMatchObject({
      status: "past_due",
      latestInvoiceStatus: "payment_failed",
    });
    expect(await entitlements(db, userId)).toMatchObject({ plan: "pro", paymentFailed: true });

    const [renewed, paidAgain] = devStripe.store.renewSubscription(subscriptionId);
    if (!renewed || !paidAgain) throw new Error("no renewal events");
    await process(paidAgain, t + 40);
    await process(renewed, t + 40);
    expect(await row(subscriptionId)).toMatchObject({ status: "active", latestInvoiceStatus: "paid" });
  });

  it("ignores events for customers that are not ours, and checkouts naming another user", async () => {
    const stranger = await stripe.customers.create({});
    const foreign = devStripe.emit("customer.subscription.updated", {
      id: `sub_${crypto.randomUUID()}`,
      object: "subscription",
      customer: stranger.id,
      status: "active",
      cancel_at_period_end: false,
      metadata: {},
      items: { object: "list", data: [] },
    });
    expect(await process(foreign)).toBe("ignored");

    const a = await checkout("pro");
    const b = await checkout("pro");
    // A session of B's customer that claims to be A's: applied to nobody.
    const forged = structuredClone(b.completed);
    forged.id = `evt_${crypto.randomUUID()}`;
    forged.data.object.client_reference_id = a.userId;
    expect(await process(forged)).toBe("ignored");
    expect(await row(b.subscriptionId)).toBeUndefined();
    expect((await entitlements(db, a.userId)).plan).toBe("free");
  });
});
