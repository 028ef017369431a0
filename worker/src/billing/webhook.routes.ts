import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import Stripe from "stripe";
import { ApiError } from "../../../platform/api-error";
import type { AppEnv } from "../env";
import { ErrorSchema, NO_NUL } from "../openapi/common.schemas";
import { createStripe, toBillingApiError } from "./stripe-client";
import { type HANDLED_EVENT_TYPES, processStripeEvent } from "./webhook-events";

/** Seconds a signature's timestamp may be old: Stripe's default, against replayed deliveries. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

// Web Crypto: the HMAC check works in workerd (and in Node, for tests).
const cryptoProvider = Stripe.createSubtleCryptoProvider();

// Stripe's ids (`evt_…`, `sub_…`, `cus_…`) are printable ASCII; anything else cannot be stored or matched.
const StripeId = z.string().regex(/^[\x21-\x7e]{1,255}$/);
const Expandable = z.union([StripeId, z.looseObject({ id: StripeId })]);
/** Unix seconds that make a valid Date (Stripe's `created` and periods). */
const UnixSeconds = z
  .number()
  .int()
  .min(0)
  .max(8.64e12 - 1);
// Stored in Postgres text, which cannot hold U+0000.
const StoredText = z.string().max(255).regex(NO_NUL);

const SubscriptionObject = z.looseObject({
  id: StripeId,
  customer: Expandable,
  status: StoredText,
  cancel_at_period_end: z.boolean().nullish(),
  current_period_start: UnixSeconds.nullish(),
  current_period_end: UnixSeconds.nullish(),
  items: z
    .looseObject({
      data: z.array(
        z.looseObject({
          price: z.looseObject({ id: StoredText }).nullish(),
          current_period_start: UnixSeconds.nullish(),
          current_period_end: UnixSeconds.nullish(),
        }),
      ),
    })
    .nullish(),
});

const InvoiceObject = z.looseObject({
  parent: z
    .looseObject({ subscription_details: z.looseObject({ subscription: Expandable.nullish() }).nullish() })
    .nullish(),
  subscription: Expandable.nullish(),
});

/** What processStripeEvent reads of each handled event's object; the rest is passed through untouched. */
const HandledObject: Record<(typeof HANDLED_EVENT_TYPES)[number], z.ZodType> = {
  "checkout.session.completed": z.looseObject({
    mode: z.string().nullish(),
    subscription: Expandable.nullish(),
    customer: Expandable.nullish(),
    client_reference_id: z.string().nullish(),
  }),
  "customer.subscription.created": SubscriptionObject,
  "customer.subscription.updated": SubscriptionObject,
  "customer.subscription.deleted": SubscriptionObject,
  "invoice.paid": InvoiceObject,
  "invoice.payment_failed": InvoiceObject,
};

/** The envelope every event has; a correctly signed body that is not one is refused rather than crashing on it. */
const EventEnvelope = z.looseObject({
  id: StripeId,
  type: StoredText.min(1),
  created: UnixSeconds,
  data: z.looseObject({ object: z.looseObject({}) }),
});

function isStripeEvent(value: unknown): value is Stripe.Event {
  const envelope = EventEnvelope.safeParse(value);
  if (!envelope.success) return false;
  // Own keys only: a type such as "constructor" must not find Object.prototype's.
  const { type } = envelope.data;
  if (!Object.hasOwn(HandledObject, type)) return true;
  return HandledObject[type as keyof typeof HandledObject].safeParse(envelope.data.data.object).success;
}

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
  if (!secret) throw new ApiError("billing_unavailable", "STRIPE_WEBHOOK_SECRET is not set on this server");
  const signature = c.req.header("stripe-signature");
  if (!signature) throw new ApiError("missing_signature", "Stripe-Signature header required");
  // The SDK refuses only old timestamps; a signature dated in the future is no fresh delivery either. Checked
  // first, like the signature: a body that is not signed as it should be is not looked at at all.
  const signedAt = Number(/(?:^|,)\s*t=(\d+)/.exec(signature)?.[1]);
  if (!(signedAt <= Date.now() / 1000 + SIGNATURE_TOLERANCE_SECONDS)) {
    c.var.log.warn("stripe webhook refused", { reason: "timestamp in the future" });
    throw new ApiError("invalid_signature", "Webhook signature verification failed");
  }
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
      throw new ApiError("invalid_signature", "Webhook signature verification failed");
    }
    throw new ApiError("invalid_payload", "Webhook body is not a Stripe event");
  }
  if (!isStripeEvent(event)) {
    c.var.log.warn("stripe webhook refused", { reason: "not a Stripe event" });
    throw new ApiError("invalid_payload", "Webhook body is not a Stripe event");
  }
  const outcome = await processStripeEvent(
    { db: c.var.db, stripe: () => createStripe(c.env), env: c.env, log: c.var.log },
    event,
  ).catch(toBillingApiError);
  return c.json({ received: true as const, outcome }, 200);
});
