import Stripe from "stripe";
import { ApiError } from "../../../platform/api-error";
import { parseRetryAfter } from "../../../platform/retry";
import {
  UpstreamError,
  type UpstreamErrorKind,
  upstreamKindForStatus,
} from "../../../platform/upstream-error";
import { splitList } from "../auth/auth-config";
import type { PlanPriceEnv } from "./plans";
import type { UsageReports } from "./usage-reports.do";

/** Billing settings of the main Worker (docs/configuration.md and docs/billing.md). */
export interface BillingEnv extends PlanPriceEnv {
  /** Stripe secret key. Locally the dev stack sets a fake one for dev/stripe. */
  STRIPE_SECRET_KEY?: string;
  /** Signing secret of the webhook endpoint (`whsec_…`). */
  STRIPE_WEBHOOK_SECRET?: string;
  /** Where the SDK sends API calls; set only locally (dev/stripe). Production talks to api.stripe.com. */
  STRIPE_API_HOST?: string;
  STRIPE_API_PORT?: string;
  STRIPE_API_PROTOCOL?: string;
  /** `event_name` of the Stripe meter model tokens are reported to. */
  STRIPE_METER_EVENT?: string;
  /** Where Checkout and the customer portal send the user back (the SPA's billing page). */
  BILLING_RETURN_URL?: string;
  /** Origins of our front ends; the first one is the fallback for BILLING_RETURN_URL. */
  AUTHORIZED_PARTIES?: string;
  /** Sends usage to the Stripe meter after it is written (billing/usage-reports.do.ts). */
  USAGE_REPORTS?: DurableObjectNamespace<UsageReports>;
  /** Seconds from the first unreported usage to its report (default 60; tests use 1). */
  USAGE_REPORT_DELAY_SECONDS?: string;
}

export const DEFAULT_METER_EVENT = "growqr_tokens";

export const meterEventName = (env: BillingEnv) => env.STRIPE_METER_EVENT?.trim() || DEFAULT_METER_EVENT;

export const billingUnavailable = (detail: string) =>
  new ApiError("billing_unavailable", `Billing is not available on this server: ${detail}`, {
    "Retry-After": "30",
  });

/**
 * The one place a Stripe client is made. The same code runs against api.stripe.com and, locally, against
 * dev/stripe: only host, port and protocol differ. `fetch` underneath in workerd and Node alike.
 */
export function createStripe(env: BillingEnv, options: { maxNetworkRetries?: number } = {}): Stripe {
  if (!env.STRIPE_SECRET_KEY) throw billingUnavailable("STRIPE_SECRET_KEY is not set");
  const protocol = env.STRIPE_API_PROTOCOL === "http" ? "http" : env.STRIPE_API_HOST ? "https" : undefined;
  return new Stripe(env.STRIPE_SECRET_KEY, {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: 15_000,
    telemetry: false,
    ...(env.STRIPE_API_HOST ? { host: env.STRIPE_API_HOST } : {}),
    ...(env.STRIPE_API_PORT ? { port: env.STRIPE_API_PORT } : {}),
    ...(protocol ? { protocol } : {}),
  });
}

/** The SPA's billing page: BILLING_RETURN_URL, else `<first authorized party>/billing`. */
export function billingReturnUrl(env: BillingEnv): string {
  if (env.BILLING_RETURN_URL) return env.BILLING_RETURN_URL;
  const origin = splitList(env.AUTHORIZED_PARTIES)[0];
  if (!origin) throw billingUnavailable("BILLING_RETURN_URL is not set");
  return `${origin.replace(/\/+$/, "")}/billing`;
}

/**
 * A Stripe SDK error as the one upstream error (service `"stripe"`); undefined for anything that is not one.
 * Stripe's error classes say more than the status (a connection error has none), so they set the kind.
 */
export function stripeUpstreamError(error: unknown, operation = "request"): UpstreamError | undefined {
  if (!(error instanceof Stripe.errors.StripeError)) return undefined;
  const status = error instanceof Stripe.errors.StripeConnectionError ? 0 : (error.statusCode ?? 0);
  const retryAfter = error.headers?.["retry-after"];
  return new UpstreamError({
    service: "stripe",
    operation,
    status,
    kind: stripeKind(error, status),
    detail: error.message,
    retryAfterMs: parseRetryAfter(retryAfter, Date.now()),
    cause: error,
  });
}

function stripeKind(
  error: InstanceType<typeof Stripe.errors.StripeError>,
  status: number,
): UpstreamErrorKind {
  const { errors } = Stripe;
  if (error instanceof errors.StripeConnectionError || error instanceof errors.StripeAPIError)
    return "unavailable";
  if (error instanceof errors.StripeRateLimitError) return "rate_limited";
  // The same idempotency key with another request, or one still in flight: billed as Stripe not answering now.
  if (error instanceof errors.StripeIdempotencyError) return "conflict";
  if (error instanceof errors.StripeAuthenticationError) return "unauthorized";
  if (error instanceof errors.StripePermissionError) return "forbidden";
  return status === 0 ? "unexpected" : upstreamKindForStatus(status);
}

/**
 * Stripe failures a route should answer 503 for (Stripe down, rate limited, an idempotency clash, or our key
 * refused); any other error is thrown on as it is.
 */
export function toBillingApiError(error: unknown): never {
  const upstream = stripeUpstreamError(error);
  if (upstream?.retryable || upstream?.kind === "conflict") {
    throw new ApiError("billing_unavailable", "Stripe is unreachable; try again shortly");
  }
  if (upstream?.kind === "unauthorized" || upstream?.kind === "forbidden") {
    throw billingUnavailable("Stripe refused the configured key");
  }
  throw error;
}
