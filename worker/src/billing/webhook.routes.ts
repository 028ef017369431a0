import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import Stripe from "stripe";
import { ApiError } from "../../../platform/api-error";
import type { AppEnv } from "../env";
import { ErrorSchema } from "../openapi/common.schemas";
import { createStripe, toBillingApiError } from "./stripe-client";
import { processStripeEvent } from "./webhook-events";

/** Seconds a signature's timestamp may be old: Stripe's default, against replayed deliveries. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

// Web Crypto: the HMAC check works in workerd (and in Node, for tests).
const cryptoProvider = Stripe.createSubtleCryptoProvider();

const Received = z
  .object({ received: z.literal(true), outcome: z.enum(["applied", "duplicate", "ignored"]) })
  .openapi("WebhookReceived");

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

const route = createRoute({
  method: "post",
  path: "/stripe",
  tags: ["billing"],
  summary: "Stripe webhook endpoint (signed by Stripe; not for API clients)",
  description:
    "The raw body must carry a valid `Stripe-Signature` for STRIPE_WEBHOOK_SECRET, at most 5 minutes old. Each event id is applied once; redeliveries answer `duplicate`.",
  responses: {
    200: { description: "Event accepted", content: { "application/json": { schema: Received } } },
    400: error("Missing, invalid or stale signature"),
    503: error("Webhooks are not configured, or the database or Stripe is unreachable (Stripe retries)"),
  },
});

export const webhookRoutes = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const secret = c.env.STRIPE_WEBHOOK_SECRET;
  if (!secret)
    throw new ApiError(503, "billing_unavailable", "STRIPE_WEBHOOK_SECRET is not set on this server");
  const signature = c.req.header("stripe-signature");
  if (!signature) throw new ApiError(400, "missing_signature", "Stripe-Signature header required");
  // The exact bytes Stripe signed: read as text, never re-serialised.
  const payload = await c.req.text();
  let event: Stripe.Event;
  try {
    event = await Stripe.webhooks.constructEventAsync(
      payload,
      signature,
      secret,
      SIGNATURE_TOLERANCE_SECONDS,
      cryptoProvider,
    );
  } catch (cause) {
    if (cause instanceof Stripe.errors.StripeSignatureVerificationError) {
      c.var.log.warn("stripe webhook refused", { reason: cause.message });
      throw new ApiError(400, "invalid_signature", "Webhook signature verification failed");
    }
    throw new ApiError(400, "invalid_payload", "Webhook body is not a Stripe event");
  }
  // The SDK refuses only old timestamps; a signature dated in the future is no fresh delivery either.
  const signedAt = Number(/(?:^|,)\s*t=(\d+)/.exec(signature)?.[1]);
  if (!(signedAt <= Date.now() / 1000 + SIGNATURE_TOLERANCE_SECONDS)) {
    c.var.log.warn("stripe webhook refused", { reason: "timestamp in the future" });
    throw new ApiError(400, "invalid_signature", "Webhook signature verification failed");
  }
  const outcome = await processStripeEvent(
    { db: c.var.db, stripe: () => createStripe(c.env), env: c.env, log: c.var.log },
    event,
  ).catch(toBillingApiError);
  return c.json({ received: true as const, outcome }, 200);
});
