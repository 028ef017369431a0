import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeForm } from "./form";
import { type DevStripe, startDevStripe } from "./stripe-server";

/** The real `stripe` SDK against dev/stripe, configured as the Worker configures it (host/port/protocol). */
function sdk(devStripe: DevStripe, key = devStripe.secretKey, maxNetworkRetries = 0) {
  return new Stripe(key, {
    host: devStripe.workerVars.STRIPE_API_HOST,
    port: devStripe.workerVars.STRIPE_API_PORT,
    protocol: "http",
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries,
    telemetry: false,
  });
}

/** A webhook endpoint that verifies signatures like the Worker does, and fails the first `failFirst` posts. */
async function webhookReceiver(secret: string, failFirst = 0) {
  const received: Stripe.Event[] = [];
  const refused: string[] = [];
  let posts = 0;
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    posts += 1;
    if (posts <= failFirst) {
      response.writeHead(500).end();
      return;
    }
    try {
      const event = await Stripe.webhooks.constructEventAsync(
        Buffer.concat(chunks).toString("utf8"),
        request.headers["stripe-signature"] ?? "",
        secret,
        300,
        Stripe.createSubtleCryptoProvider(),
      );
      received.push(event);
      response.writeHead(200, { "content-type": "application/json" }).end('{"received":true}');
    } catch (error) {
      refused.push((error as Error).message);
      response.writeHead(400).end();
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("form decoding", () => {
  it("decodes Stripe's bracket notation into objects and arrays", () => {
    expect(
      decodeForm(
        "mode=subscription&line_items[0][price]=price_1&line_items[0][quantity]=1&metadata[user_id]=u%201&expand[0]=a&expand[1]=b&subscription_data[metadata][plan]=pro",
      ),
    ).toEqual({
      mode: "subscription",
      line_items: [{ price: "price_1", quantity: "1" }],
      metadata: { user_id: "u 1" },
      expand: ["a", "b"],
      subscription_data: { metadata: { plan: "pro" } },
    });
    expect(decodeForm("a%5Bb%5D=1&c[]=x&c[]=y")).toEqual({ a: { b: "1" }, c: ["x", "y"] });
  });
});

describe("dev/stripe through the stripe SDK", () => {
  let devStripe: DevStripe;
  let stripe: Stripe;

  beforeAll(async () => {
    devStripe = await startDevStripe({ retryDelaysMs: [50, 50, 50] });
    stripe = sdk(devStripe);
  });
  afterAll(() => devStripe.close());

  it("refuses a missing or wrong secret key with Stripe's 401", async () => {
    const wrong = sdk(devStripe, "sk_test_not_the_key");
    const error = await wrong.customers.create({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(401);
    const response = await fetch(`${devStripe.url}/v1/customers`, { method: "POST" });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { type: "invalid_request_error" } });
  });

  it("creates customers, replaying an idempotency key and refusing it with other parameters", async () => {
    const first = await stripe.customers.create(
      { email: "a@example.com", metadata: { user_id: "u1" } },
      { idempotencyKey: "customer-u1" },
    );
    expect(first.id).toMatch(/^cus_/);
    expect(first).toMatchObject({ object: "customer", email: "a@example.com", metadata: { user_id: "u1" } });
    const again = await stripe.customers.create(
      { email: "a@example.com", metadata: { user_id: "u1" } },
      { idempotencyKey: "customer-u1" },
    );
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.idempotencyKey).toBe("customer-u1");
    const other = await stripe.customers
      .create({ email: "b@example.com" }, { idempotencyKey: "customer-u1" })
      .catch((e: unknown) => e);
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(Object.keys(devStripe.store.snapshot().customers)).toHaveLength(1);
    expect((await stripe.customers.retrieve(first.id)).id).toBe(first.id);
  });

  it("answers missing parameters and unknown objects with Stripe's error bodies", async () => {
    const noMode = await stripe.checkout.sessions
      .create({ customer: "cus_x" } as Stripe.Checkout.SessionCreateParams)
      .catch((e: unknown) => e);
    expect(noMode).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(noMode).toMatchObject({ code: "parameter_missing", param: "mode", statusCode: 400 });
    const unknown = await stripe.checkout.sessions
      .create({
        mode: "subscription",
        customer: "cus_nope",
        line_items: [{ price: "price_x", quantity: 1 }],
        success_url: "http://app.test/ok",
      })
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: "resource_missing", param: "customer" });
    const noSub = await stripe.subscriptions.retrieve("sub_nope").catch((e: unknown) => e);
    expect(noSub).toMatchObject({ code: "resource_missing", statusCode: 404 });
    const route = await fetch(`${devStripe.url}/v1/charges`, {
      method: "POST",
      headers: { authorization: `Bearer ${devStripe.secretKey}` },
    });
    expect(route.status).toBe(404);
    expect(await route.json()).toMatchObject({ error: { type: "invalid_request_error" } });
  });

  it("runs Checkout offline: hosted page, payment, subscription, signed webhooks (retried after a 500)", async () => {
    const receiver = await webhookReceiver(devStripe.webhookSecret, 1);
    devStripe.setWebhookUrl(receiver.url);
    try {
      const customer = await stripe.customers.create({ metadata: { user_id: "u2" } });
      const session = await stripe.checkout.sessions.create({
        mode: "subscription",
        customer: customer.id,
        client_reference_id: "u2",
        line_items: [{ price: "price_growqr_pro_monthly", quantity: 1 }],
        success_url: "http://app.test/billing?session_id={CHECKOUT_SESSION_ID}",
        cancel_url: "http://app.test/billing",
        subscription_data: { metadata: { plan: "pro" } },
      });
      expect(session).toMatchObject({ object: "checkout.session", status: "open", customer: customer.id });
      expect(session.url).toBe(`${devStripe.url}/checkout/${session.id}`);

      const page = await fetch(session.url ?? "");
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`action="/checkout/${session.id}/complete"`);

      const paid = await fetch(`${session.url}/complete`, { method: "POST", redirect: "manual" });
      expect(paid.status).toBe(303);
      expect(paid.headers.get("location")).toBe(`http://app.test/billing?session_id=${session.id}`);

      await devStripe.webhooksIdle();
      const types = receiver.received
        .map((event) => event.type)
        .filter((type) => type !== "customer.created");
      expect(types).toEqual(["customer.subscription.created", "invoice.paid", "checkout.session.completed"]);
      expect(receiver.refused).toEqual([]);
      // The first post got a 500 and was delivered again.
      const retried = devStripe.deliveries().filter((d) => d.attempt > 1);
      expect(retried.length).toBeGreaterThanOrEqual(1);

      const completed = receiver.received.find((e) => e.type === "checkout.session.completed");
      if (!completed) throw new Error("no checkout.session.completed");
      const subscriptionId = (completed.data.object as Stripe.Checkout.Session).subscription as string;
      const subscription = await stripe.subscriptions.retrieve(subscriptionId);
      expect(subscription).toMatchObject({
        status: "active",
        customer: customer.id,
        metadata: { plan: "pro" },
      });
      expect(subscription.items.data[0]?.price.id).toBe("price_growqr_pro_monthly");
      expect(subscription.items.data[0]?.current_period_end).toBeGreaterThan(Date.now() / 1000);
      const invoice = receiver.received.find((e) => e.type === "invoice.paid")?.data.object as Stripe.Invoice;
      expect(invoice.parent?.subscription_details?.subscription).toBe(subscriptionId);

      const twice = await fetch(`${session.url}/complete`, {
        method: "POST",
        headers: { accept: "application/json" },
      });
      expect(twice.status).toBe(400);

      const portal = await stripe.billingPortal.sessions.create({
        customer: customer.id,
        return_url: "http://app.test/billing",
      });
      expect(portal.url).toBe(`${devStripe.url}/portal/${portal.id}`);
      expect(await (await fetch(portal.url)).text()).toContain(subscriptionId);
      const cancel = await fetch(`${portal.url}/cancel`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: `subscription=${subscriptionId}`,
      });
      expect(cancel.status).toBe(200);
      await devStripe.webhooksIdle();
      expect(receiver.received.at(-1)?.type).toBe("customer.subscription.deleted");
      expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe("canceled");
    } finally {
      devStripe.setWebhookUrl(undefined);
      await receiver.close();
    }
  });

  it("signs webhooks so that a wrong secret fails verification", async () => {
    const receiver = await webhookReceiver("whsec_some_other_secret");
    devStripe.setWebhookUrl(receiver.url);
    try {
      devStripe.emit("customer.subscription.updated", { id: "sub_x", object: "subscription" });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(receiver.refused[0]).toMatch(/signature/i);
    } finally {
      devStripe.setWebhookUrl(undefined);
      await receiver.close();
    }
  });

  it("counts a meter event identifier once, also when the first answer was lost", async () => {
    const customer = await stripe.customers.create({});
    const params = {
      event_name: "growqr_tokens",
      payload: { stripe_customer_id: customer.id, value: "120" },
      identifier: "growqr-usage-test-1",
    };
    devStripe.injectFault({ method: "POST", path: "/v1/billing/meter_events", mode: "drop" });
    const lost = await stripe.billing.meterEvents.create(params).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    const retried = await stripe.billing.meterEvents.create(params);
    expect(retried).toMatchObject({ object: "billing.meter_event", identifier: "growqr-usage-test-1" });
    await stripe.billing.meterEvents.create(params);
    expect(devStripe.meterTotals("growqr_tokens")[customer.id]).toBe(120);

    await stripe.billing.meterEvents.create({ ...params, identifier: "growqr-usage-test-2" });
    expect(devStripe.meterTotals("growqr_tokens")[customer.id]).toBe(240);
    const bad = await stripe.billing.meterEvents
      .create({ ...params, identifier: "x", payload: { stripe_customer_id: customer.id, value: "1.5" } })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it("injects failing statuses like Stripe's 500s", async () => {
    devStripe.injectFault({ path: "/v1/customers", mode: "status", status: 503 });
    const error = await stripe.customers.create({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect((await stripe.customers.create({})).id).toMatch(/^cus_/);
  });
});
