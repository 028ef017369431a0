import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../../platform/api-error";
import { UpstreamError } from "../../../platform/upstream-error";
import { stripeUpstreamError, toBillingApiError } from "./stripe-client";

const { errors } = Stripe;

const thrown = (error: unknown) => {
  try {
    toBillingApiError(error);
  } catch (caught) {
    return caught;
  }
  throw new Error("toBillingApiError returned");
};

describe("Stripe errors as the one upstream error", () => {
  it("classifies the SDK's error classes", () => {
    const cases: [InstanceType<typeof errors.StripeError>, number, string][] = [
      [new errors.StripeConnectionError({ message: "socket hang up" }), 0, "unavailable"],
      [new errors.StripeAPIError({ message: "oops", statusCode: 500 }), 500, "unavailable"],
      [new errors.StripeRateLimitError({ message: "slow", statusCode: 429 }), 429, "rate_limited"],
      [new errors.StripeIdempotencyError({ message: "in flight", statusCode: 409 }), 409, "conflict"],
      [new errors.StripeAuthenticationError({ message: "bad key", statusCode: 401 }), 401, "unauthorized"],
      [new errors.StripePermissionError({ message: "no", statusCode: 403 }), 403, "forbidden"],
      [
        new errors.StripeInvalidRequestError({ message: "No such customer", statusCode: 404 }),
        404,
        "not_found",
      ],
      [new errors.StripeCardError({ message: "declined", statusCode: 402 }), 402, "unexpected"],
    ];
    for (const [error, status, kind] of cases) {
      const upstream = stripeUpstreamError(error, "checkout");
      expect(upstream, error.type).toBeInstanceOf(UpstreamError);
      expect(upstream, error.type).toMatchObject({ service: "stripe", operation: "checkout", status, kind });
      expect(upstream?.cause).toBe(error);
    }
    expect(stripeUpstreamError(new Error("bug"))).toBeUndefined();
  });

  it("keeps Stripe's Retry-After and never the key Stripe echoes", () => {
    const limited = new errors.StripeRateLimitError({
      message: "slow",
      statusCode: 429,
      headers: { "retry-after": "2" },
    });
    expect(stripeUpstreamError(limited)?.retryAfterMs).toBe(2_000);
    const refused = new errors.StripeAuthenticationError({
      message: "Invalid API Key provided: sk_test_51Habcdef0123456789",
      statusCode: 401,
    });
    expect(stripeUpstreamError(refused)?.message).not.toContain("sk_test_51Habcdef0123456789");
  });
});

describe("toBillingApiError", () => {
  it("answers billing_unavailable as before: Stripe unreachable, or our key refused", () => {
    for (const error of [
      new errors.StripeConnectionError({ message: "down" }),
      new errors.StripeAPIError({ message: "oops", statusCode: 500 }),
      new errors.StripeRateLimitError({ message: "slow", statusCode: 429 }),
      new errors.StripeIdempotencyError({ message: "in flight", statusCode: 409 }),
    ]) {
      expect(thrown(error)).toMatchObject({
        code: "billing_unavailable",
        message: "Stripe is unreachable; try again shortly",
      });
    }
    for (const error of [
      new errors.StripeAuthenticationError({ message: "bad key sk_test_x", statusCode: 401 }),
      new errors.StripePermissionError({ message: "no", statusCode: 403 }),
    ]) {
      const apiError = thrown(error);
      expect(apiError).toBeInstanceOf(ApiError);
      expect(apiError).toMatchObject({
        code: "billing_unavailable",
        message: "Billing is not available on this server: Stripe refused the configured key",
      });
    }
  });

  it("throws anything else on as it is", () => {
    const invalid = new errors.StripeInvalidRequestError({ message: "No such price", statusCode: 400 });
    expect(thrown(invalid)).toBe(invalid);
    const bug = new TypeError("bug");
    expect(thrown(bug)).toBe(bug);
  });
});
