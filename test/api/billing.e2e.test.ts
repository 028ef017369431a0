import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { billingCustomers, usageRecords } from "../../schema";
import type { Database } from "../../schema/db";
import { PLANS } from "../../worker/src/billing/plans";
import { apiUrl, call, type ErrorBody, signedInClient, stackDb } from "../support/api";

interface BillingStatus {
  plan: string;
  status: string;
  cancelAtPeriodEnd: boolean;
  hasBillingAccount: boolean;
  period: { start: string; end: string };
  usage: { usedTokens: number; allowanceTokens: number; remainingTokens: number; overAllowance: boolean };
  limits: { maxParallelSubAgents: number; stackIdleSeconds: number };
  plans: Array<{ id: string; current: boolean }>;
}

const stripeUrl = () => inject("stripeUrl");

async function devStripeState(): Promise<{
  checkoutSessions: Record<string, { customer: string }>;
}> {
  return (await fetch(`${stripeUrl()}/_dev/state`)).json();
}

/** Billing through the Worker in workerd, the Stripe SDK pointed at dev/stripe, and dev/stripe's signed webhooks. */
describe("billing API", () => {
  let db: Database;

  beforeAll(() => {
    db = stackDb();
  });
  afterAll(() => db.$client.end());

  const userIdOf = async (token: string) =>
    ((await (await call("/api/me", token)).json()) as { id: string }).id;

  it("needs a session token", async () => {
    expect((await call("/api/billing", undefined)).status).toBe(401);
    expect((await call("/api/billing/checkout", undefined, { method: "POST", body: "{}" })).status).toBe(401);
  });

  it("starts everyone on the free plan with the plan catalogue", async () => {
    const { token } = await signedInClient("bill");
    const response = await call("/api/billing", token);
    expect(response.status).toBe(200);
    const body = (await response.json()) as BillingStatus;
    expect(body).toMatchObject({
      plan: "free",
      status: "none",
      hasBillingAccount: false,
      usage: { usedTokens: 0, allowanceTokens: PLANS.free.allowanceTokens, overAllowance: false },
      limits: { maxParallelSubAgents: PLANS.free.maxParallelSubAgents },
    });
    expect(body.plans.map((plan) => plan.id)).toEqual(["free", "pro", "team"]);
    expect(body.plans.find((plan) => plan.current)?.id).toBe("free");
  });

  it("upgrades offline: checkout → dev/stripe's hosted page → signed webhooks → Pro", async () => {
    const { token } = await signedInClient("upgrade");
    const checkout = await call("/api/billing/checkout", token, {
      method: "POST",
      body: JSON.stringify({ plan: "pro" }),
    });
    expect(checkout.status).toBe(200);
    const { url, sessionId } = (await checkout.json()) as { url: string; sessionId: string };
    expect(url).toBe(`${stripeUrl()}/checkout/${sessionId}`);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Pay and subscribe");
    // The Pay button: dev/stripe answers once the worker had the webhooks, redirecting back to the SPA.
    const paid = await fetch(`${url}/complete`, { method: "POST", redirect: "manual" });
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toMatch(/\/billing\?checkout=success&session_id=cs_test_/);

    await vi.waitFor(
      async () => {
        const body = (await (await call("/api/billing", token)).json()) as BillingStatus;
        expect(body).toMatchObject({
          plan: "pro",
          status: "active",
          hasBillingAccount: true,
          usage: { allowanceTokens: PLANS.pro.allowanceTokens },
          limits: { maxParallelSubAgents: PLANS.pro.maxParallelSubAgents },
        });
        expect(new Date(body.period.end).getTime()).toBeGreaterThan(Date.now() + 20 * 24 * 3600 * 1000);
      },
      { timeout: 10_000, interval: 200 },
    );

    const again = await call("/api/billing/checkout", token, {
      method: "POST",
      body: JSON.stringify({ plan: "team" }),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error.code).toBe("already_subscribed");

    const portal = await call("/api/billing/portal", token, { method: "POST" });
    expect(portal.status).toBe(200);
    const portalUrl = ((await portal.json()) as { url: string }).url;
    expect(portalUrl).toMatch(new RegExp(`^${stripeUrl()}/portal/bps_`));
    expect(await (await fetch(portalUrl)).text()).toContain("price_growqr_pro_monthly");
  });

  it("creates one Stripe customer per user, however many checkouts race", async () => {
    const { token } = await signedInClient("race");
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        call("/api/billing/checkout", token, { method: "POST", body: JSON.stringify({ plan: "team" }) }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const sessions = await Promise.all(responses.map(async (r) => (await r.json()) as { sessionId: string }));
    const state = await devStripeState();
    const customers = new Set(sessions.map((s) => state.checkoutSessions[s.sessionId]?.customer));
    expect(customers.size).toBe(1);
    const rows = await db
      .select()
      .from(billingCustomers)
      .where(eq(billingCustomers.userId, await userIdOf(token)));
    expect(rows).toHaveLength(1);
    expect(customers.has(rows[0]?.stripeCustomerId ?? "")).toBe(true);
  });

  it("never lets a user reach another user's customer: B gets no portal, and his own customer at checkout", async () => {
    const a = await signedInClient("owner");
    const b = await signedInClient("other");
    const aCheckout = await call("/api/billing/checkout", a.token, {
      method: "POST",
      body: JSON.stringify({ plan: "pro" }),
    });
    const aSession = ((await aCheckout.json()) as { sessionId: string }).sessionId;
    const aCustomer = (await devStripeState()).checkoutSessions[aSession]?.customer;
    expect(aCustomer).toMatch(/^cus_/);

    const bPortal = await call("/api/billing/portal", b.token, {
      method: "POST",
      body: JSON.stringify({ customer: aCustomer }),
    });
    expect(bPortal.status).toBe(404);
    expect(((await bPortal.json()) as ErrorBody).error.code).toBe("billing_account_not_found");

    // Naming A's customer is refused outright; B's own checkout uses B's own customer.
    const forged = await call("/api/billing/checkout", b.token, {
      method: "POST",
      body: JSON.stringify({ plan: "pro", customer: aCustomer }),
    });
    expect(forged.status).toBe(400);
    const bCheckout = await call("/api/billing/checkout", b.token, {
      method: "POST",
      body: JSON.stringify({ plan: "pro" }),
    });
    expect(bCheckout.status).toBe(200);
    const bSession = ((await bCheckout.json()) as { sessionId: string }).sessionId;
    const bCustomer = (await devStripeState()).checkoutSessions[bSession]?.customer;
    expect(bCustomer).toMatch(/^cus_/);
    expect(bCustomer).not.toBe(aCustomer);

    // Now B has a customer: the portal opens B's, never A's.
    const bPortalNow = await call("/api/billing/portal", b.token, { method: "POST" });
    const portalId = ((await bPortalNow.json()) as { sessionId: string }).sessionId;
    const portals = (await (await fetch(`${stripeUrl()}/_dev/state`)).json()) as {
      portalSessions: Record<string, { customer: string }>;
    };
    expect(portals.portalSessions[portalId]?.customer).toBe(bCustomer);
  });

  it("rejects unknown plans", async () => {
    const { token } = await signedInClient("plan");
    for (const plan of ["free", "enterprise", ""]) {
      const response = await call("/api/billing/checkout", token, {
        method: "POST",
        body: JSON.stringify({ plan }),
      });
      expect(response.status).toBe(400);
    }
  });

  it("reports usage to the Stripe meter from the Worker's scheduled handler, once", async () => {
    const { token } = await signedInClient("meter");
    const userId = await userIdOf(token);
    await call("/api/billing/checkout", token, { method: "POST", body: JSON.stringify({ plan: "pro" }) });
    const [customer] = await db.select().from(billingCustomers).where(eq(billingCustomers.userId, userId));
    await db.insert(usageRecords).values([
      { userId, turnKey: `t-${crypto.randomUUID()}`, model: "m", inputTokens: 300, outputTokens: 30 },
      { userId, turnKey: `t-${crypto.randomUUID()}`, model: "m", inputTokens: 12, cacheReadTokens: 4_000 },
    ]);
    const totals = async () =>
      ((await (await fetch(`${stripeUrl()}/_dev/state`)).json()) as { meterTotals: Record<string, number> })
        .meterTotals[customer?.stripeCustomerId ?? ""];
    // What the cron trigger runs every minute (wrangler dev's manual trigger).
    const tick = () => fetch(`${apiUrl()}/cdn-cgi/local/scheduled`).then((r) => r.text());
    await tick();
    // 300 + 30 + 12, and the 4 000 cache reads at a tenth.
    expect(await totals()).toBe(742);
    await tick();
    expect(await totals()).toBe(742);
  });

  it("shows usage against the allowance, and over it once the allowance is used", async () => {
    const { token } = await signedInClient("usage");
    const userId = await userIdOf(token);
    await db.insert(usageRecords).values([
      {
        userId,
        turnKey: `t-${crypto.randomUUID()}`,
        model: "m",
        inputTokens: 1_000,
        outputTokens: 200,
        cacheReadTokens: 9_000,
      },
      { userId, turnKey: `t-${crypto.randomUUID()}`, model: "m", inputTokens: 10, cacheWriteTokens: 5 },
    ]);
    let body = (await (await call("/api/billing", token)).json()) as BillingStatus;
    expect(body.usage).toEqual({
      usedTokens: 2_115,
      allowanceTokens: PLANS.free.allowanceTokens,
      remainingTokens: PLANS.free.allowanceTokens - 2_115,
      overAllowance: false,
    });
    await db.insert(usageRecords).values({
      userId,
      turnKey: `t-${crypto.randomUUID()}`,
      model: "m",
      inputTokens: PLANS.free.allowanceTokens,
    });
    body = (await (await call("/api/billing", token)).json()) as BillingStatus;
    expect(body.usage).toMatchObject({ overAllowance: true, remainingTokens: 0 });
  });
});
