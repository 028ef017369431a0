import { randomBytes } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { decodeForm, type FormObject } from "./form";
import { checkoutPage, portalPage } from "./pages";
import { DevStripeStore, type Json, StripeApiError } from "./store";
import { type DeliveryAttempt, type StripeEventJson, WebhookSender } from "./webhook-sender";

export interface DevStripeOptions {
  /** 0 or unset: a free port. */
  port?: number;
  /** The key the Worker must send (`Authorization: Bearer`); default a fresh `sk_test_…`. */
  secretKey?: string;
  /** Signs webhook deliveries; default a fresh `whsec_…`. */
  webhookSecret?: string;
  /** Where events are POSTed; can be set later (`setWebhookUrl`): events wait until then. */
  webhookUrl?: string;
  /** Keeps customers, subscriptions, meter events… across restarts; omitted means in memory. */
  stateFile?: string;
  /** Pause before each webhook retry; default 1 s, 5 s, 30 s, 2 min, 10 min (Stripe: up to 3 days). */
  retryDelaysMs?: number[];
  log?: (line: string) => void;
}

export interface DevStripeFault {
  /** Only requests with this method (default any) and exactly this path. */
  method?: string;
  path: string;
  /**
   * `status`: answer `status` with a Stripe error without doing anything. `drop`: do the work, then close the
   * connection without answering (a lost response). `drop_before`: close it without doing anything.
   */
  mode: "status" | "drop" | "drop_before";
  status?: number;
  /** How many matching requests it applies to (default 1). */
  times?: number;
}

export interface DevStripe {
  url: string;
  secretKey: string;
  webhookSecret: string;
  /** What the Worker needs to use it: STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_HOST/PORT/PROTOCOL. */
  workerVars: Record<string, string>;
  setWebhookUrl(url: string | undefined): void;
  /** Pays a Checkout session (as the hosted page's button does) and waits for the first webhook attempts. */
  completeCheckout(sessionId: string): Promise<StripeEventJson[]>;
  /** Sends any event (signed, with retries) and returns it. */
  emit(
    type: string,
    object: Json,
    options?: { created?: number; previousAttributes?: Json },
  ): StripeEventJson;
  store: DevStripeStore;
  /** Meter totals per customer (each identifier counted once). */
  meterTotals(eventName?: string): Record<string, number>;
  deliveries(): DeliveryAttempt[];
  /** Resolves when no webhook delivery is in flight or waiting for a retry. */
  webhooksIdle(): Promise<void>;
  injectFault(fault: DevStripeFault): void;
  /** API requests received (method, path, status), oldest first, at most 500. */
  requests(): Array<{ method: string; path: string; status: number; idempotencyKey?: string }>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A local stand-in for the Stripe API subset GrowQR uses (customers, Checkout sessions, billing portal
 * sessions, meter events, subscriptions retrieve): form-encoded requests, Bearer secret-key auth,
 * Idempotency-Key replay, Stripe-shaped objects and errors. Its hosted Checkout and portal pages change
 * subscriptions and send correctly signed webhooks to the Worker, so the upgrade flow works offline.
 */
export async function startDevStripe(options: DevStripeOptions = {}): Promise<DevStripe> {
  const log = options.log ?? (() => {});
  const secretKey = options.secretKey ?? `sk_test_dev_${randomBytes(16).toString("hex")}`;
  const webhookSecret = options.webhookSecret ?? `whsec_dev${randomBytes(24).toString("base64url")}`;
  const sender = new WebhookSender({
    secret: webhookSecret,
    retryDelaysMs: options.retryDelaysMs ?? [1_000, 5_000, 30_000, 120_000, 600_000],
    log,
  });
  sender.setUrl(options.webhookUrl);
  let baseUrl = "";
  // While set, new events are returned to the caller instead of sent (tests deliver them in their own order).
  let holding = false;
  const store = new DevStripeStore({
    baseUrl: () => baseUrl,
    stateFile: options.stateFile,
    onEvent: (event) => {
      if (!holding) sender.send(event);
    },
  });
  const held = <T>(run: () => T): T => {
    holding = true;
    try {
      return run();
    } finally {
      holding = false;
    }
  };
  const faults: Array<DevStripeFault & { left: number }> = [];
  const idempotent = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  const recorded: Array<{ method: string; path: string; status: number; idempotencyKey?: string }> = [];

  const takeFault = (method: string, path: string) => {
    const index = faults.findIndex(
      (f) => f.path === path && (!f.method || f.method.toUpperCase() === method),
    );
    const fault = faults[index];
    if (!fault) return undefined;
    fault.left -= 1;
    if (fault.left <= 0) faults.splice(index, 1);
    return fault;
  };

  const completeCheckout = async (sessionId: string) => {
    const events = store.completeCheckout(sessionId);
    await sender.firstAttempts(
      events.map((event) => event.id),
      10_000,
    );
    return events;
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`internal error: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent)
        send(response, 500, new StripeApiError(500, "api_error", "dev/stripe failed").body());
      else response.destroy();
    });
  });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", baseUrl);
    const path = url.pathname;
    const raw = await readBody(request);
    response.setHeader("request-id", `req_${randomBytes(7).toString("hex")}`);
    const fault = takeFault(method, path);
    if (fault?.mode === "drop_before") {
      log(`fault: dropped ${method} ${path} before handling`);
      request.socket.destroy();
      return;
    }
    if (fault?.mode === "status") {
      const status = fault.status ?? 500;
      const type = status >= 500 ? "api_error" : "invalid_request_error";
      send(response, status, new StripeApiError(status, type, `dev/stripe fault: ${status}`).body());
      return;
    }
    const finish = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (path.startsWith("/v1/")) {
        recorded.push({ method, path, status, idempotencyKey: header(request, "idempotency-key") });
        if (recorded.length > 500) recorded.splice(0, recorded.length - 500);
      }
      if (fault?.mode === "drop") {
        log(`fault: handled ${method} ${path} (${status}), dropped the response`);
        request.socket.destroy();
        return;
      }
      send(response, status, body, headers);
    };

    if (path.startsWith("/v1/")) {
      const authError = checkAuth(request, secretKey);
      if (authError) return finish(401, authError.body());
      const key = header(request, "idempotency-key");
      const fingerprint = `${method} ${path} ${raw}`;
      if (method === "POST" && key) {
        const saved = idempotent.get(key);
        if (saved && saved.fingerprint !== fingerprint) {
          const error = new StripeApiError(
            400,
            "idempotency_error",
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          );
          return finish(400, error.body());
        }
        if (saved)
          return finish(saved.status, saved.body, { "idempotent-replayed": "true", "idempotency-key": key });
      }
      try {
        const { status, body } = api(method, path, decodeForm(raw));
        // Stripe keeps the result of a request that ran; only successes here, so a failed try can be retried.
        if (method === "POST" && key) {
          idempotent.set(key, { fingerprint, status, body });
          if (idempotent.size > 5_000) idempotent.delete(idempotent.keys().next().value as string);
        }
        return finish(status, body, {
          "stripe-version": header(request, "stripe-version") ?? Stripe.API_VERSION,
          ...(key ? { "idempotency-key": key } : {}),
        });
      } catch (error) {
        if (error instanceof StripeApiError) return finish(error.status, error.body());
        throw error;
      }
    }

    const checkout = /^\/checkout\/([^/]+)(\/complete)?$/.exec(path);
    if (checkout?.[1]) {
      const sessionId = decodeURIComponent(checkout[1]);
      const session = tryGet(() => store.checkoutSession(sessionId));
      if (!session) return sendHtml(response, 404, "<p>No such checkout session.</p>");
      const priceId = store.snapshot().sessionExtras[sessionId]?.priceId ?? "";
      if (method === "GET" && !checkout[2]) {
        return sendHtml(response, 200, checkoutPage(session, priceId, store.unitAmount(priceId)));
      }
      if (method === "POST" && checkout[2]) {
        try {
          const events = url.searchParams.has("hold")
            ? held(() => store.completeCheckout(sessionId))
            : await completeCheckout(sessionId);
          if (wantsJson(request))
            return send(response, 200, { session: store.checkoutSession(sessionId), events });
          const success = String(session.success_url).replaceAll("{CHECKOUT_SESSION_ID}", sessionId);
          return redirect(response, success);
        } catch (error) {
          if (!(error instanceof StripeApiError)) throw error;
          if (wantsJson(request)) return send(response, error.status, error.body());
          return sendHtml(
            response,
            409,
            checkoutPage(session, priceId, store.unitAmount(priceId), error.message),
          );
        }
      }
      return send(
        response,
        405,
        new StripeApiError(405, "invalid_request_error", "Method not allowed").body(),
      );
    }

    const portal = /^\/portal\/([^/]+)(?:\/([a-z-]+))?$/.exec(path);
    if (portal?.[1]) {
      const sessionId = decodeURIComponent(portal[1]);
      const session = tryGet(() => store.portalSession(sessionId));
      if (!session) return sendHtml(response, 404, "<p>No such portal session.</p>");
      const customer = session.customer as string;
      if (method === "GET" && !portal[2]) {
        return sendHtml(
          response,
          200,
          portalPage(session, store.subscriptionsOf(customer), store.knownPrices()),
        );
      }
      if (method === "POST" && portal[2]) {
        const form = new URLSearchParams(raw);
        const subscriptionId = form.get("subscription") ?? "";
        const subscription = tryGet(() => store.subscription(subscriptionId));
        // A portal session acts on its own customer's subscriptions only.
        if (!subscription || subscription.customer !== customer) {
          return sendHtml(response, 404, "<p>No such subscription.</p>");
        }
        const action = portal[2];
        const hold = url.searchParams.has("hold");
        const events = hold
          ? held(() => portalAction(action, subscriptionId, form))
          : portalAction(action, subscriptionId, form);
        if (!events) return sendHtml(response, 404, "<p>Unknown action.</p>");
        if (!hold) {
          await sender.firstAttempts(
            events.map((event) => event.id),
            10_000,
          );
        }
        if (wantsJson(request)) return send(response, 200, { events });
        return redirect(response, `/portal/${encodeURIComponent(sessionId)}`);
      }
    }

    if (path.startsWith("/_dev/")) return devRoute(method, path, raw, response);
    return send(
      response,
      404,
      new StripeApiError(
        404,
        "invalid_request_error",
        `Unrecognized request URL (${method}: ${path}).`,
      ).body(),
    );
  }

  function api(method: string, path: string, params: FormObject): { status: number; body: unknown } {
    const ok = (body: unknown) => ({ status: 200, body });
    if (method === "POST" && path === "/v1/customers") return ok(store.createCustomer(params));
    if (method === "POST" && path === "/v1/checkout/sessions") return ok(store.createCheckoutSession(params));
    if (method === "POST" && path === "/v1/billing_portal/sessions")
      return ok(store.createPortalSession(params));
    if (method === "POST" && path === "/v1/billing/meter_events") {
      const { event, duplicate } = store.createMeterEvent(params);
      if (duplicate) log(`meter event ${String(event.identifier)} already recorded; counted once`);
      return ok(event);
    }
    const one = /^\/v1\/(customers|checkout\/sessions|subscriptions)\/([^/]+)$/.exec(path);
    if (method === "GET" && one?.[2]) {
      const id = decodeURIComponent(one[2]);
      if (one[1] === "customers") return ok(store.customer(id));
      if (one[1] === "subscriptions") return ok(store.subscription(id));
      return ok(store.checkoutSession(id));
    }
    throw new StripeApiError(
      404,
      "invalid_request_error",
      `Unrecognized request URL (${method}: ${path}). dev/stripe implements only the subset GrowQR uses.`,
    );
  }

  function portalAction(action: string, subscriptionId: string, form: URLSearchParams) {
    switch (action) {
      case "cancel":
        return store.cancelSubscription(subscriptionId, form.get("at_period_end") === "true");
      case "resume":
        return store.resumeSubscription(subscriptionId);
      case "switch":
        return store.switchPrice(subscriptionId, form.get("price") ?? "");
      case "fail-payment":
        return store.failPayment(subscriptionId);
      case "renew":
        return store.renewSubscription(subscriptionId);
      default:
        return undefined;
    }
  }

  function devRoute(method: string, path: string, raw: string, response: http.ServerResponse) {
    if (method === "GET" && path === "/_dev/state") {
      return send(response, 200, {
        ...store.snapshot(),
        meterTotals: store.meterTotals(),
        deliveries: sender.attempts,
        webhookUrl: sender.endpoint ?? null,
      });
    }
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    if (method === "POST" && path === "/_dev/webhook") {
      sender.setUrl(typeof body.url === "string" ? body.url : undefined);
      return send(response, 200, { webhookUrl: sender.endpoint ?? null });
    }
    if (method === "POST" && path === "/_dev/faults") {
      const fault = body as unknown as DevStripeFault;
      faults.push({ ...fault, left: fault.times ?? 1 });
      return send(response, 200, { faults: faults.length });
    }
    if (method === "POST" && path === "/_dev/reset") {
      store.reset();
      idempotent.clear();
      faults.length = 0;
      return send(response, 200, { reset: true });
    }
    return send(
      response,
      404,
      new StripeApiError(404, "invalid_request_error", `No dev route ${path}`).body(),
    );
  }

  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  log(`dev/stripe on ${baseUrl}`);

  return {
    url: baseUrl,
    secretKey,
    webhookSecret,
    workerVars: {
      STRIPE_SECRET_KEY: secretKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_HOST: "127.0.0.1",
      STRIPE_API_PORT: String(port),
      STRIPE_API_PROTOCOL: "http",
    },
    setWebhookUrl: (url) => sender.setUrl(url),
    completeCheckout,
    emit: (type, object, emitOptions = {}) =>
      store.emit(type, object, emitOptions.previousAttributes, emitOptions.created),
    store,
    meterTotals: (eventName) => store.meterTotals(eventName),
    deliveries: () => [...sender.attempts],
    webhooksIdle: () => sender.idle(),
    injectFault: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    requests: () => [...recorded],
    async close() {
      sender.close();
      server.closeAllConnections();
      server.close();
      await once(server, "close").catch(() => {});
    },
  };
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Bearer `sk_…`, or Basic with the key as user name (as `curl -u sk_…:` sends it). */
function checkAuth(request: http.IncomingMessage, secretKey: string): StripeApiError | undefined {
  const authorization = header(request, "authorization") ?? "";
  let key: string | undefined;
  if (/^bearer /i.test(authorization)) key = authorization.slice(7).trim();
  else if (/^basic /i.test(authorization)) {
    key = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8").split(":")[0];
  }
  if (!key) {
    return new StripeApiError(
      401,
      "invalid_request_error",
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    );
  }
  if (key !== secretKey) {
    return new StripeApiError(
      401,
      "invalid_request_error",
      `Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`,
      "api_key_invalid",
    );
  }
  return undefined;
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const wantsJson = (request: http.IncomingMessage) =>
  /application\/json/.test(header(request, "accept") ?? "");

function tryGet<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof StripeApiError) return undefined;
    throw error;
  }
}

function send(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body, null, 2);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "access-control-allow-origin": "*",
    ...headers,
  });
  response.end(text);
}

function sendHtml(response: http.ServerResponse, status: number, html: string) {
  response.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
  });
  response.end(html);
}

function redirect(response: http.ServerResponse, location: string) {
  response.writeHead(303, { location, "content-length": 0 });
  response.end();
}
