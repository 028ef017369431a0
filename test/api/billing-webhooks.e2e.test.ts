import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { processedWebhookEvents, subscriptions } from "../../schema";
import type { Database } from "../../schema/db";
import { call, type ErrorBody, signedInClient, stackDb } from "../support/api";
import {
  type EventJson,
  postStripeWebhook,
  signStripePayload,
  subscriptionEvent,
} from "../support/stripe-webhooks";

const stripeUrl = () => inject("stripeUrl");

/** POSTs a webhook body to the Worker as Stripe would, signed with `signWith` at `timestamp` (or unsigned). */
function deliver(
  payload: string,
  options: { signWith?: string | null; timestamp?: number; signature?: string } = {},
): Promise<Response> {
  if (options.signature) return postStripeWebhook(payload, options.signature);
  if (options.signWith === null) return postStripeWebhook(payload, null);
  return postStripeWebhook(
    payload,
    signStripePayload(payload, { secret: options.signWith, timestamp: options.timestamp }),
  );
}

const deliverEvent = (event: EventJson) => deliver(JSON.stringify(event));

/** A user with a Stripe customer (made by a first checkout) and that checkout's session id. */
async function customerUser(prefix: string) {
  const { token } = await signedInClient(prefix);
  const response = await call("/api/billing/checkout", token, {
    method: "POST",
    body: JSON.stringify({ plan: "pro" }),
  });
  const { sessionId } = (await response.json()) as { sessionId: string };
  const state = (await (await fetch(`${stripeUrl()}/_dev/state`)).json()) as {
    checkoutSessions: Record<string, { customer: string }>;
  };
  const customer = state.checkoutSessions[sessionId]?.customer ?? "";
  return { token, sessionId, customer };
}

/** The webhook endpoint in workerd: signatures checked with Web Crypto, each event applied once, in any order. */
describe("Stripe webhook endpoint", () => {
  let db: Database;

  beforeAll(() => {
    db = stackDb();
  });
  afterAll(() => db.$client.end());

  const processedCount = async (eventId: string) =>
    (
      await db
        .select({ n: count() })
        .from(processedWebhookEvents)
        .where(eq(processedWebhookEvents.stripeEventId, eventId))
    )[0]?.n ?? 0;
  const subscriptionRows = (subscriptionId: string) =>
    db.select().from(subscriptions).where(eq(subscriptions.stripeSubscriptionId, subscriptionId));

  it("refuses unsigned, wrongly signed, stale and tampered deliveries with 400 and changes nothing", async () => {
    const { customer } = await customerUser("sig");
    const subscriptionId = `sub_sig_${crypto.randomUUID().slice(0, 8)}`;
    const now = Math.floor(Date.now() / 1000);
    const event = subscriptionEvent("customer.subscription.created", customer, subscriptionId, {
      created: now,
    });
    const payload = JSON.stringify(event);

    const attempts: Array<[string, Response]> = [
      ["unsigned", await deliver(payload, { signWith: null })],
      ["wrong secret", await deliver(payload, { signWith: "whsec_not_the_secret" })],
      ["stale", await deliver(payload, { timestamp: now - 600 })],
      ["from the future", await deliver(payload, { timestamp: now + 600 })],
      ["garbage header", await deliver(payload, { signature: "t=1,v1=deadbeef" })],
    ];
    // Signed, then changed in flight.
    const signature = signStripePayload(payload);
    attempts.push(["tampered", await deliver(payload.replace('"active"', '"canceled"'), { signature })]);

    for (const [what, response] of attempts) {
      expect(response.status, what).toBe(400);
      const body = (await response.json()) as ErrorBody;
      expect(["missing_signature", "invalid_signature"], what).toContain(body.error.code);
    }
    expect(await processedCount(event.id)).toBe(0);
    expect(await subscriptionRows(subscriptionId)).toEqual([]);

    // The same bytes, properly signed and fresh, are accepted.
    const ok = await deliver(payload);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ received: true, outcome: "applied" });
    expect(await subscriptionRows(subscriptionId)).toHaveLength(1);
  });

  it("applies the same event delivered twice (or concurrently) once", async () => {
    const { token, customer } = await customerUser("dup");
    const subscriptionId = `sub_dup_${crypto.randomUUID().slice(0, 8)}`;
    const event = subscriptionEvent("customer.subscription.created", customer, subscriptionId, {
      created: Math.floor(Date.now() / 1000),
    });
    const first = await deliverEvent(event);
    expect(await first.json()).toEqual({ received: true, outcome: "applied" });
    const again = await Promise.all([deliverEvent(event), deliverEvent(event), deliverEvent(event)]);
    for (const response of again) {
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: true, outcome: "duplicate" });
    }
    expect(await processedCount(event.id)).toBe(1);
    const rows = await subscriptionRows(subscriptionId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ plan: "pro", status: "active" });
    const billing = (await (await call("/api/billing", token)).json()) as { plan: string };
    expect(billing.plan).toBe("pro");
  });

  it("ends in the newest state when subscription.updated arrives before checkout.session.completed", async () => {
    const { token, sessionId } = await customerUser("order");
    // Pay in dev/stripe but hold its events; then cancel at period end in the portal, also held.
    const paid = await fetch(`${stripeUrl()}/checkout/${sessionId}/complete?hold`, {
      method: "POST",
      headers: { accept: "application/json" },
    });
    const { events: checkoutEvents } = (await paid.json()) as { events: EventJson[] };
    expect(checkoutEvents.map((e) => e.type)).toEqual([
      "customer.subscription.created",
      "invoice.paid",
      "checkout.session.completed",
    ]);
    const subscriptionId = String(checkoutEvents[0]?.data.object.id);
    const portal = (await (await call("/api/billing/portal", token, { method: "POST" })).json()) as {
      url: string;
    };
    const cancel = await fetch(`${portal.url}/cancel?hold`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: `subscription=${subscriptionId}&at_period_end=true`,
    });
    const [updated] = ((await cancel.json()) as { events: EventJson[] }).events;
    if (!updated) throw new Error("no update event");
    expect(updated.type).toBe("customer.subscription.updated");

    // Newest first, then the older ones.
    updated.created += 5;
    const [created, invoicePaid, completed] = checkoutEvents as [EventJson, EventJson, EventJson];
    for (const event of [updated, completed, created, invoicePaid]) {
      const response = await deliverEvent(event);
      expect(response.status, event.type).toBe(200);
    }
    const billing = (await (await call("/api/billing", token)).json()) as {
      plan: string;
      status: string;
      cancelAtPeriodEnd: boolean;
    };
    expect(billing).toMatchObject({ plan: "pro", status: "active", cancelAtPeriodEnd: true });
    expect((await subscriptionRows(subscriptionId))[0]?.stripeEventCreatedAt.getTime()).toBe(
      updated.created * 1000,
    );
  });

  it("acknowledges events it does not act on", async () => {
    const event = {
      id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
      object: "event",
      type: "charge.succeeded",
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: "ch_1", object: "charge" } },
    };
    const response = await deliver(JSON.stringify(event));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: "ignored" });
    expect(await processedCount(event.id)).toBe(1);
  });
});
