import fc from "fast-check";
import Stripe from "stripe";
import { HANDLED_EVENT_TYPES } from "../../worker/src/billing/webhook-events";
import { type EventJson, nowSeconds, postStripeWebhook } from "./stripe-webhooks";

/** Stripe webhook deliveries for the hostile-input suite (`hostile-input.ts`). */

export async function deliver(payload: string, signature: string | null) {
  const response = await postStripeWebhook(payload, signature);
  return {
    status: response.status,
    text: await response.text(),
    requestId: response.headers.get("x-request-id"),
  };
}

/** The event types the webhook acts on, as it lists them: hostile cases are built for each. */
export const HANDLED_TYPES = HANDLED_EVENT_TYPES;

export function subscriptionEvent(
  customer: string,
  subscriptionId: string,
  fields: { status?: string } = {},
): EventJson {
  const created = nowSeconds();
  return {
    id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: Stripe.API_VERSION,
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: "customer.subscription.created",
    data: {
      object: {
        id: subscriptionId,
        object: "subscription",
        customer,
        status: fields.status ?? "active",
        cancel_at_period_end: false,
        metadata: {},
        items: {
          object: "list",
          data: [
            {
              id: "si_hostile",
              object: "subscription_item",
              price: { id: "price_growqr_pro_monthly", object: "price" },
              current_period_start: created - 60,
              current_period_end: created + 30 * 24 * 3600,
            },
          ],
        },
      },
    },
  };
}

const notAString = fc.oneof(
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);
/** Values each envelope field of a Stripe event must not have. */
export const BAD_ENVELOPE = {
  id: notAString,
  type: fc.oneof(notAString, fc.constantFrom("", "invoice.paid\u0000", "x".repeat(256))),
  created: fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(null, true, -1, 1.5, 1e20, [1]),
    fc.double({ noNaN: true }).filter((n) => !Number.isInteger(n)),
  ),
  data: fc.oneof(
    fc.oneof(
      fc.integer(),
      fc.string({ maxLength: 8 }),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 2 }),
    ),
    fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)).map((object) => ({ object })),
  ),
};
