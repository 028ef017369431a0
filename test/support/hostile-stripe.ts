import fc from "fast-check";
import { HANDLED_EVENT_TYPES } from "../../worker/src/billing/webhook-events";
import { type EventJson, nowSeconds, postStripeWebhook, subscriptionEvent } from "./stripe-webhooks";

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

/** A new, active (or `status`) Pro subscription of `customer`, created now. */
export const hostileSubscriptionEvent = (
  customer: string,
  subscriptionId: string,
  fields: { status?: string } = {},
): EventJson =>
  subscriptionEvent("customer.subscription.created", customer, subscriptionId, {
    created: nowSeconds(),
    ...fields,
  });

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
