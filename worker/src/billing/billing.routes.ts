import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../../../platform/api-error";
import type { AppEnv } from "../env";
import { authenticatedErrors, ErrorSchema, jsonResponse, notFound } from "../openapi/common.schemas";
import { validationHook } from "../openapi/validation-hook";
import { ensureCustomer, findCustomerId } from "./customers";
import { type Entitlements, entitlements } from "./entitlements";
import { PAID_PLAN_IDS, PLAN_IDS, PLANS, priceIdFor } from "./plans";
import { billingReturnUrl, createStripe, toBillingApiError } from "./stripe-client";

const security = [{ bearerAuth: [] }];
const tags = ["billing"];
const conflict = { 409: jsonResponse(ErrorSchema, "Conflicts with the current subscription") };

const PlanInfo = z
  .object({
    id: z.enum(PLAN_IDS),
    name: z.string(),
    allowanceTokens: z.number().int(),
    maxParallelSubAgents: z.number().int(),
    stackIdleSeconds: z.number().int(),
    priceLabel: z.string(),
    current: z.boolean(),
  })
  .openapi("BillingPlan");

const BillingStatus = z
  .object({
    plan: z.enum(PLAN_IDS),
    planName: z.string(),
    status: z.string().openapi({
      description: "Stripe status of the subscription that decides the plan (or of the latest one); `none`",
      example: "active",
    }),
    cancelAtPeriodEnd: z.boolean(),
    paymentFailed: z.boolean().openapi({ description: "The latest invoice could not be paid" }),
    hasBillingAccount: z.boolean().openapi({ description: "The customer portal can open" }),
    period: z.object({ start: z.string(), end: z.string() }),
    usage: z.object({
      usedTokens: z.number().int(),
      allowanceTokens: z.number().int(),
      remainingTokens: z.number().int(),
      overAllowance: z.boolean(),
    }),
    limits: z.object({ maxParallelSubAgents: z.number().int(), stackIdleSeconds: z.number().int() }),
    plans: z.array(PlanInfo),
  })
  .openapi("BillingStatus");

const CheckoutBody = z.strictObject({ plan: z.enum(PAID_PLAN_IDS) }).openapi("CheckoutRequest");

const RedirectUrl = z
  .object({
    url: z.string().openapi({ description: "Send the browser here" }),
    sessionId: z.string(),
  })
  .openapi("BillingRedirect");

const routes = {
  status: createRoute({
    method: "get",
    path: "/",
    tags,
    security,
    summary: "Your plan, its status and period, and the tokens used in it against the allowance",
    responses: { 200: jsonResponse(BillingStatus, "Billing status"), ...authenticatedErrors },
  }),
  checkout: createRoute({
    method: "post",
    path: "/checkout",
    tags,
    security,
    summary: "Start a Stripe Checkout for a paid plan; answers the Checkout page URL",
    description:
      "Creates your Stripe customer on first use (once, whatever the concurrency). 409 `already_subscribed` when a paid plan is live: change plans in the customer portal.",
    request: { body: { required: true, content: { "application/json": { schema: CheckoutBody } } } },
    responses: { 200: jsonResponse(RedirectUrl, "Checkout session"), ...authenticatedErrors, ...conflict },
  }),
  portal: createRoute({
    method: "post",
    path: "/portal",
    tags,
    security,
    summary: "Open the Stripe customer portal for your own customer",
    description: "404 `billing_account_not_found` until you have been through Checkout once.",
    responses: { 200: jsonResponse(RedirectUrl, "Portal session"), ...authenticatedErrors, ...notFound },
  }),
};

export const billingRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(routes.status, async (c) => {
    return c.json(statusBody(await entitlements(c.var.db, c.var.user.id)), 200);
  })
  .openapi(routes.checkout, async (c) => {
    const { db, user } = c.var;
    const { plan } = c.req.valid("json");
    const current = await entitlements(db, user.id);
    if (current.plan !== "free") {
      throw new ApiError(
        "already_subscribed",
        `You are on the ${current.planName} plan; change plans in the customer portal`,
      );
    }
    const returnUrl = billingReturnUrl(c.env);
    const stripe = createStripe(c.env);
    const session = await (async () => {
      const customer = await ensureCustomer(db, stripe, user);
      return stripe.checkout.sessions.create({
        mode: "subscription",
        customer,
        client_reference_id: user.id,
        line_items: [{ price: priceIdFor(c.env, plan), quantity: 1 }],
        success_url: `${returnUrl}?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${returnUrl}?checkout=cancelled`,
        metadata: { user_id: user.id, plan },
        subscription_data: { metadata: { user_id: user.id, plan } },
      });
    })().catch(toBillingApiError);
    if (!session.url) throw new Error("Stripe returned a checkout session without a URL");
    c.var.log.info("checkout session created", { plan, sessionId: session.id });
    return c.json({ url: session.url, sessionId: session.id }, 200);
  })
  .openapi(routes.portal, async (c) => {
    // The customer comes only from the caller's own row: nothing in the request can name another one.
    const customer = await findCustomerId(c.var.db, c.var.user.id);
    if (!customer) {
      throw new ApiError("billing_account_not_found", "You have no billing account yet; choose a plan first");
    }
    const returnUrl = billingReturnUrl(c.env);
    const session = await createStripe(c.env)
      .billingPortal.sessions.create({ customer, return_url: returnUrl })
      .catch(toBillingApiError);
    return c.json({ url: session.url, sessionId: session.id }, 200);
  });

function statusBody(current: Entitlements) {
  return {
    plan: current.plan,
    planName: current.planName,
    status: current.status,
    cancelAtPeriodEnd: current.cancelAtPeriodEnd,
    paymentFailed: current.paymentFailed,
    hasBillingAccount: current.hasBillingAccount,
    period: { start: current.periodStart.toISOString(), end: current.periodEnd.toISOString() },
    usage: {
      usedTokens: current.usedTokens,
      allowanceTokens: current.allowanceTokens,
      remainingTokens: current.remainingTokens,
      overAllowance: current.overAllowance,
    },
    limits: {
      maxParallelSubAgents: current.maxParallelSubAgents,
      stackIdleSeconds: current.stackIdleSeconds,
    },
    plans: Object.values(PLANS).map((plan) => ({
      id: plan.id,
      name: plan.name,
      allowanceTokens: plan.allowanceTokens,
      maxParallelSubAgents: plan.maxParallelSubAgents,
      stackIdleSeconds: plan.stackIdleSeconds,
      priceLabel: plan.priceLabel,
      current: plan.id === current.plan,
    })),
  };
}
