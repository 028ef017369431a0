import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import Stripe from "stripe";
import { type FormObject, list, obj, str, stringMap } from "./form";
import type { StripeEventJson } from "./webhook-sender";

export type Json = Record<string, unknown>;

/** A Stripe-shaped error: `{ error: { type, message, code?, param? } }` with Stripe's status. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: "invalid_request_error" | "api_error" | "idempotency_error" | "card_error",
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
  }

  body() {
    return {
      error: {
        type: this.type,
        message: this.message,
        ...(this.code
          ? { code: this.code, doc_url: `https://stripe.com/docs/error-codes/${this.code}` }
          : {}),
        ...(this.param ? { param: this.param } : {}),
      },
    };
  }
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const randomId = (prefix: string, length = 24) =>
  `${prefix}_${Array.from(randomBytes(length), (byte) => ALPHABET[byte % ALPHABET.length]).join("")}`;

const now = () => Math.floor(Date.now() / 1000);

/** One calendar month later, as Stripe bills monthly prices. */
function addMonth(seconds: number): number {
  const date = new Date(seconds * 1000);
  date.setUTCMonth(date.getUTCMonth() + 1);
  return Math.floor(date.getTime() / 1000);
}

const missing = (param: string) =>
  new StripeApiError(
    400,
    "invalid_request_error",
    `Missing required param: ${param}.`,
    "parameter_missing",
    param,
  );
const noSuch = (what: string, id: string, param?: string, status = 404) =>
  new StripeApiError(status, "invalid_request_error", `No such ${what}: '${id}'`, "resource_missing", param);

interface SessionExtras {
  priceId: string;
  quantity: number;
  subscriptionMetadata: Record<string, string>;
}

interface Persisted {
  customers: Record<string, Json>;
  checkoutSessions: Record<string, Json>;
  sessionExtras: Record<string, SessionExtras>;
  subscriptions: Record<string, Json>;
  invoices: Record<string, Json>;
  portalSessions: Record<string, Json>;
  /** By identifier: Stripe's dedupe key for meter events. */
  meterEvents: Record<string, Json>;
  events: StripeEventJson[];
}

const emptyState = (): Persisted => ({
  customers: {},
  checkoutSessions: {},
  sessionExtras: {},
  subscriptions: {},
  invoices: {},
  portalSessions: {},
  meterEvents: {},
  events: [],
});

/** Amounts for the checkout page and invoices; any other `price_…` costs this. */
const DEFAULT_UNIT_AMOUNT = 2_000;
const UNIT_AMOUNTS: Record<string, number> = {
  price_growqr_pro_monthly: 2_000,
  price_growqr_team_monthly: 10_000,
};

/**
 * The objects dev/stripe keeps and the state changes it makes, without HTTP. Every change that Stripe would
 * announce produces the same event types (`onEvent`), with the object as it is after the change.
 */
export class DevStripeStore {
  private state: Persisted;

  constructor(
    private readonly options: {
      baseUrl: () => string;
      stateFile?: string;
      onEvent: (event: StripeEventJson) => void;
    },
  ) {
    this.state =
      options.stateFile && existsSync(options.stateFile)
        ? { ...emptyState(), ...(JSON.parse(readFileSync(options.stateFile, "utf8")) as Persisted) }
        : emptyState();
  }

  snapshot(): Persisted {
    return structuredClone(this.state);
  }

  reset(): void {
    this.state = emptyState();
    this.save();
  }

  // ---- API objects -------------------------------------------------------------------------------------

  createCustomer(params: FormObject): Json {
    const customer = {
      id: randomId("cus", 14),
      object: "customer",
      address: null,
      balance: 0,
      created: now(),
      currency: null,
      default_source: null,
      delinquent: false,
      description: str(params.description) ?? null,
      email: str(params.email) ?? null,
      invoice_prefix: randomBytes(4).toString("hex").toUpperCase(),
      livemode: false,
      metadata: stringMap(params.metadata),
      name: str(params.name) ?? null,
      phone: null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: "none",
    };
    this.state.customers[customer.id] = customer;
    this.save();
    this.emit("customer.created", customer);
    return customer;
  }

  customer(id: string): Json {
    const customer = this.state.customers[id];
    if (!customer) throw noSuch("customer", id);
    return customer;
  }

  createCheckoutSession(params: FormObject): Json {
    const mode = str(params.mode);
    if (!mode) throw missing("mode");
    if (mode !== "subscription") {
      throw new StripeApiError(
        400,
        "invalid_request_error",
        "dev/stripe supports mode=subscription only",
        undefined,
        "mode",
      );
    }
    const customerId = str(params.customer);
    if (!customerId) throw missing("customer");
    if (!this.state.customers[customerId]) throw noSuch("customer", customerId, "customer", 400);
    const item = obj(list(params.line_items)?.[0]);
    const priceId = str(item?.price);
    if (!priceId) throw missing("line_items[0][price]");
    if (!priceId.startsWith("price_")) throw noSuch("price", priceId, "line_items[0][price]", 400);
    const successUrl = str(params.success_url);
    if (!successUrl) throw missing("success_url");
    const id = randomId("cs_test", 58);
    const created = now();
    const session = {
      id,
      object: "checkout.session",
      amount_subtotal: this.unitAmount(priceId),
      amount_total: this.unitAmount(priceId),
      cancel_url: str(params.cancel_url) ?? null,
      client_reference_id: str(params.client_reference_id) ?? null,
      created,
      currency: "usd",
      customer: customerId,
      customer_email: null,
      expires_at: created + 24 * 3600,
      invoice: null,
      livemode: false,
      metadata: stringMap(params.metadata),
      mode,
      payment_status: "unpaid",
      status: "open",
      subscription: null,
      success_url: successUrl,
      ui_mode: "hosted",
      url: `${this.options.baseUrl()}/checkout/${id}`,
    };
    this.state.checkoutSessions[id] = session;
    this.state.sessionExtras[id] = {
      priceId,
      quantity: Number(str(item?.quantity) ?? "1") || 1,
      subscriptionMetadata: stringMap(obj(params.subscription_data)?.metadata),
    };
    this.save();
    return session;
  }

  checkoutSession(id: string): Json {
    const session = this.state.checkoutSessions[id];
    if (!session) throw noSuch("checkout.session", id);
    return session;
  }

  createPortalSession(params: FormObject): Json {
    const customerId = str(params.customer);
    if (!customerId) throw missing("customer");
    if (!this.state.customers[customerId]) throw noSuch("customer", customerId, "customer", 400);
    const id = randomId("bps", 24);
    const session = {
      id,
      object: "billing_portal.session",
      configuration: "bpc_dev_default",
      created: now(),
      customer: customerId,
      flow: null,
      livemode: false,
      locale: null,
      on_behalf_of: null,
      return_url: str(params.return_url) ?? null,
      url: `${this.options.baseUrl()}/portal/${id}`,
    };
    this.state.portalSessions[id] = session;
    this.save();
    return session;
  }

  portalSession(id: string): Json {
    const session = this.state.portalSessions[id];
    if (!session) throw noSuch("billing_portal.session", id);
    return session;
  }

  /** Stripe keeps the first event per identifier; a repeat is answered with it and counted once. */
  createMeterEvent(params: FormObject): { event: Json; duplicate: boolean } {
    const eventName = str(params.event_name);
    if (!eventName) throw missing("event_name");
    const payload = stringMap(params.payload);
    if (!obj(params.payload)) throw missing("payload");
    if (!payload.stripe_customer_id) throw missing("payload[stripe_customer_id]");
    if (payload.value === undefined) throw missing("payload[value]");
    if (!/^-?\d+$/.test(payload.value)) {
      throw new StripeApiError(
        400,
        "invalid_request_error",
        "Invalid integer: payload[value]",
        undefined,
        "payload[value]",
      );
    }
    const timestamp = Number(str(params.timestamp) ?? now());
    const age = now() - timestamp;
    if (!Number.isInteger(timestamp) || age > 35 * 24 * 3600 || age < -300) {
      throw new StripeApiError(
        400,
        "invalid_request_error",
        "Timestamp must be within the past 35 calendar days or up to 5 minutes in the future.",
        undefined,
        "timestamp",
      );
    }
    const identifier = str(params.identifier) || randomId("mev", 20);
    const existing = this.state.meterEvents[identifier];
    if (existing) return { event: existing, duplicate: true };
    const event = {
      object: "billing.meter_event",
      created: now(),
      event_name: eventName,
      identifier,
      livemode: false,
      payload,
      timestamp,
    };
    this.state.meterEvents[identifier] = event;
    this.save();
    return { event, duplicate: false };
  }

  subscription(id: string): Json {
    const subscription = this.state.subscriptions[id];
    if (!subscription) throw noSuch("subscription", id);
    return subscription;
  }

  /** Sum of `payload.value` per customer (and event name), each identifier once. */
  meterTotals(eventName?: string): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const event of Object.values(this.state.meterEvents)) {
      if (eventName && event.event_name !== eventName) continue;
      const payload = event.payload as Record<string, string>;
      const customer = payload.stripe_customer_id ?? "";
      totals[customer] = (totals[customer] ?? 0) + Number(payload.value);
    }
    return totals;
  }

  // ---- What the hosted pages (or tests) do -----------------------------------------------------------------

  /**
   * Pays an open Checkout session: makes the subscription and its first (paid) invoice and announces them as
   * Stripe does: customer.subscription.created, invoice.paid, checkout.session.completed.
   */
  completeCheckout(sessionId: string): StripeEventJson[] {
    const session = this.checkoutSession(sessionId);
    if (session.status !== "open") {
      throw new StripeApiError(
        400,
        "invalid_request_error",
        `Checkout session ${sessionId} is ${session.status}`,
      );
    }
    const extras = this.state.sessionExtras[sessionId];
    if (!extras) throw new StripeApiError(500, "api_error", "checkout session lost its line items");
    const customerId = session.customer as string;
    const start = now();
    const subscriptionId = randomId("sub", 24);
    const invoiceId = randomId("in", 24);
    const subscription: Json = {
      id: subscriptionId,
      object: "subscription",
      billing_cycle_anchor: start,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      collection_method: "charge_automatically",
      created: start,
      currency: "usd",
      customer: customerId,
      ended_at: null,
      items: {
        object: "list",
        data: [
          this.subscriptionItem(subscriptionId, extras.priceId, extras.quantity, start, addMonth(start)),
        ],
        has_more: false,
        total_count: 1,
        url: `/v1/subscription_items?subscription=${subscriptionId}`,
      },
      latest_invoice: invoiceId,
      livemode: false,
      metadata: extras.subscriptionMetadata,
      start_date: start,
      status: "active",
    };
    this.state.subscriptions[subscriptionId] = subscription;
    const invoice = this.makeInvoice(invoiceId, subscription, "paid", "subscription_create");
    Object.assign(session, {
      status: "complete",
      payment_status: "paid",
      subscription: subscriptionId,
      invoice: invoiceId,
    });
    this.save();
    return [
      this.emit("customer.subscription.created", subscription),
      this.emit("invoice.paid", invoice),
      this.emit("checkout.session.completed", session),
    ];
  }

  /** Portal actions: cancel now (deleted), at period end or resume (updated), switch price (updated). */
  cancelSubscription(id: string, atPeriodEnd: boolean): StripeEventJson[] {
    const subscription = this.subscription(id);
    if (subscription.status === "canceled") return [];
    if (atPeriodEnd) {
      return [
        this.update(subscription, { cancel_at_period_end: true, cancel_at: this.periodEnd(subscription) }),
      ];
    }
    const at = now();
    const previous = { status: subscription.status };
    Object.assign(subscription, { status: "canceled", canceled_at: at, ended_at: at });
    this.save();
    return [this.emit("customer.subscription.deleted", subscription, previous)];
  }

  resumeSubscription(id: string): StripeEventJson[] {
    const subscription = this.subscription(id);
    if (subscription.status === "canceled" || !subscription.cancel_at_period_end) return [];
    return [this.update(subscription, { cancel_at_period_end: false, cancel_at: null })];
  }

  switchPrice(id: string, priceId: string): StripeEventJson[] {
    const subscription = this.subscription(id);
    const items = subscription.items as { data: Json[] };
    const current = items.data[0];
    if (!current) return [];
    const replaced = this.subscriptionItem(
      id,
      priceId,
      1,
      current.current_period_start as number,
      current.current_period_end as number,
    );
    return [this.update(subscription, { items: { ...items, data: [replaced] } })];
  }

  /** The renewal payment fails: invoice.payment_failed, and the subscription goes past_due. */
  failPayment(id: string): StripeEventJson[] {
    const subscription = this.subscription(id);
    const invoice = this.makeInvoice(randomId("in", 24), subscription, "open", "subscription_cycle");
    subscription.latest_invoice = invoice.id;
    return [this.emit("invoice.payment_failed", invoice), this.update(subscription, { status: "past_due" })];
  }

  /** A new period starts and is paid: invoice.paid, subscription updated with the new period. */
  renewSubscription(id: string): StripeEventJson[] {
    const subscription = this.subscription(id);
    const items = subscription.items as { data: Json[] };
    const current = items.data[0];
    if (!current) return [];
    const start = current.current_period_end as number;
    const renewed = { ...current, current_period_start: start, current_period_end: addMonth(start) };
    const updated = this.update(subscription, { status: "active", items: { ...items, data: [renewed] } });
    const invoice = this.makeInvoice(randomId("in", 24), subscription, "paid", "subscription_cycle");
    subscription.latest_invoice = invoice.id;
    this.save();
    return [updated, this.emit("invoice.paid", invoice)];
  }

  /** Any event, as given (tests of ordering and redelivery). */
  emit(type: string, object: Json, previousAttributes?: Json, created = now()): StripeEventJson {
    const event: StripeEventJson = {
      id: randomId("evt", 24),
      object: "event",
      api_version: Stripe.API_VERSION,
      created,
      data: {
        object: structuredClone(object),
        ...(previousAttributes ? { previous_attributes: previousAttributes } : {}),
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    this.state.events.push(event);
    if (this.state.events.length > 500) this.state.events.splice(0, this.state.events.length - 500);
    this.save();
    this.options.onEvent(event);
    return event;
  }

  unitAmount(priceId: string): number {
    return UNIT_AMOUNTS[priceId] ?? DEFAULT_UNIT_AMOUNT;
  }

  /** Prices seen in Checkout sessions, for the portal's "switch plan". */
  knownPrices(): string[] {
    return [...new Set(Object.values(this.state.sessionExtras).map((extras) => extras.priceId))];
  }

  subscriptionsOf(customerId: string): Json[] {
    return Object.values(this.state.subscriptions).filter((sub) => sub.customer === customerId);
  }

  private update(subscription: Json, changes: Json): StripeEventJson {
    const previous: Json = {};
    for (const key of Object.keys(changes)) previous[key] = structuredClone(subscription[key]);
    Object.assign(subscription, changes);
    this.save();
    return this.emit("customer.subscription.updated", subscription, previous);
  }

  private periodEnd(subscription: Json): number | null {
    const item = (subscription.items as { data: Json[] }).data[0];
    return (item?.current_period_end as number | undefined) ?? null;
  }

  private subscriptionItem(
    subscriptionId: string,
    priceId: string,
    quantity: number,
    start: number,
    end: number,
  ) {
    return {
      id: randomId("si", 14),
      object: "subscription_item",
      created: start,
      current_period_start: start,
      current_period_end: end,
      metadata: {},
      price: {
        id: priceId,
        object: "price",
        active: true,
        currency: "usd",
        product: `prod_${priceId.replace(/^price_/, "")}`,
        recurring: { interval: "month", interval_count: 1, usage_type: "licensed" },
        type: "recurring",
        unit_amount: this.unitAmount(priceId),
      },
      quantity,
      subscription: subscriptionId,
    };
  }

  private makeInvoice(id: string, subscription: Json, status: "paid" | "open", reason: string): Json {
    const item = (subscription.items as { data: Json[] }).data[0] as Json;
    const amount = ((item.price as Json).unit_amount as number) * ((item.quantity as number) ?? 1);
    const invoice = {
      id,
      object: "invoice",
      amount_due: amount,
      amount_paid: status === "paid" ? amount : 0,
      amount_remaining: status === "paid" ? 0 : amount,
      attempt_count: 1,
      billing_reason: reason,
      collection_method: "charge_automatically",
      created: now(),
      currency: "usd",
      customer: subscription.customer,
      livemode: false,
      parent: {
        type: "subscription_details",
        quote_details: null,
        subscription_details: { metadata: subscription.metadata, subscription: subscription.id },
      },
      period_end: item.current_period_end,
      period_start: item.current_period_start,
      status,
      total: amount,
    };
    this.state.invoices[id] = invoice;
    return invoice;
  }

  private save(): void {
    const file = this.options.stateFile;
    if (!file) return;
    writeFileSync(`${file}.tmp`, JSON.stringify(this.state), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
}
