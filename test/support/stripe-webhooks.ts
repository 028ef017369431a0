import Stripe from "stripe";
import { inject } from "vitest";
import { apiUrl } from "./api";

/** A Stripe event as the webhook receives it (the fields the tests set; Stripe sends more). */
export interface EventJson {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
  [key: string]: unknown;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A `stripe-signature` header for `payload`, by Stripe's own library (the stack's secret unless given). */
export const signStripePayload = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
  Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? inject("stripeWebhookSecret"),
    timestamp: options.timestamp ?? nowSeconds(),
  });

/** POSTs a webhook body to the Worker as Stripe would; `signature` null sends none. */
export function postStripeWebhook(payload: string, signature: string | null): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== null) headers["stripe-signature"] = signature;
  return fetch(`${apiUrl()}/api/webhooks/stripe`, { method: "POST", headers, body: payload });
}

/** A `customer.subscription.*` event for the Pro price, its period starting a minute before `created`. */
export function subscriptionEvent(
  type: string,
  customer: string,
  subscriptionId: string,
  fields: { created: number; status?: string; cancelAtPeriodEnd?: boolean },
): EventJson {
  const start = fields.created - 60;
  return {
    id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: Stripe.API_VERSION,
    created: fields.created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: {
      object: {
        id: subscriptionId,
        object: "subscription",
        customer,
        status: fields.status ?? "active",
        cancel_at_period_end: fields.cancelAtPeriodEnd ?? false,
        metadata: {},
        items: {
          object: "list",
          data: [
            {
              id: "si_test",
              object: "subscription_item",
              price: { id: "price_growqr_pro_monthly", object: "price" },
              current_period_start: start,
              current_period_end: start + 30 * 24 * 3600,
            },
          ],
        },
      },
    },
  };
}
