import Stripe from "stripe";

export interface StripeEventJson {
  id: string;
  object: "event";
  type: string;
  created: number;
  api_version: string;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
}

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  attempt: number;
  at: string;
  /** HTTP status, or undefined when the request failed. */
  status?: number;
  error?: string;
}

export interface WebhookSenderOptions {
  secret: string;
  /** Pause before retry n (1-based) of a failed delivery; its length is the number of retries. */
  retryDelaysMs: number[];
  /** Per-attempt timeout. */
  timeoutMs?: number;
  log: (line: string) => void;
}

/**
 * Delivers events to one endpoint like Stripe does: a JSON POST signed with `Stripe-Signature` (v1 HMAC of
 * `<timestamp>.<body>`, made by the SDK's own `generateTestHeaderString`, fresh timestamp per attempt),
 * first attempts in creation order, and retries with back-off after a non-2xx answer or a network error.
 * Events made before the endpoint is known wait for it.
 */
export class WebhookSender {
  private url: string | undefined;
  private readonly waiting: StripeEventJson[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private closed = false;
  readonly attempts: DeliveryAttempt[] = [];
  /** Event id → resolves after its first attempt (whatever the outcome). */
  private readonly firstAttempt = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: WebhookSenderOptions) {}

  get endpoint(): string | undefined {
    return this.url;
  }

  setUrl(url: string | undefined): void {
    this.url = url;
    if (!url) return;
    for (const event of this.waiting.splice(0)) this.schedule(event, 1);
  }

  send(event: StripeEventJson): void {
    let resolve = () => {};
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.firstAttempt.set(event.id, { promise, resolve });
    if (this.url) this.schedule(event, 1);
    else this.waiting.push(event);
  }

  /** Resolves once each event had its first delivery attempt, or after `timeoutMs`. */
  async firstAttempts(eventIds: string[], timeoutMs: number): Promise<void> {
    const all = Promise.all(eventIds.map((id) => this.firstAttempt.get(id)?.promise));
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  /** Resolves when nothing is being delivered or waiting for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.notifyIdle();
  }

  private isIdle() {
    return this.inFlight === 0 && this.timers.size === 0 && this.waiting.length === 0;
  }

  private notifyIdle() {
    if (!this.isIdle() && !this.closed) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private schedule(event: StripeEventJson, attempt: number): void {
    this.inFlight += 1;
    if (attempt === 1) {
      // First attempts keep creation order; retries run on their own timers.
      this.chain = this.chain.then(() => this.deliver(event, attempt));
    } else {
      void this.deliver(event, attempt);
    }
  }

  private async deliver(event: StripeEventJson, attempt: number): Promise<void> {
    const url = this.url;
    const record: DeliveryAttempt = {
      eventId: event.id,
      type: event.type,
      attempt,
      at: new Date().toISOString(),
    };
    try {
      if (this.closed || !url) return;
      const payload = JSON.stringify(event, null, 2);
      const signature = Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: this.options.secret,
        timestamp: Math.floor(Date.now() / 1000),
      });
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json; charset=utf-8",
            "stripe-signature": signature,
            "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          },
          body: payload,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        record.status = response.status;
        await response.body?.cancel().catch(() => {});
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      }
      this.attempts.push(record);
      if (this.attempts.length > 1_000) this.attempts.splice(0, this.attempts.length - 1_000);
      const ok = record.status !== undefined && record.status >= 200 && record.status < 300;
      this.options.log(
        `webhook ${event.type} ${event.id} attempt ${attempt}: ${record.status ?? record.error}${ok ? "" : " (will retry)"}`,
      );
      const delay = this.options.retryDelaysMs[attempt - 1];
      if (!ok && delay !== undefined && !this.closed) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.schedule(event, attempt + 1);
        }, delay);
        timer.unref();
        this.timers.add(timer);
      }
    } finally {
      if (attempt === 1) this.firstAttempt.get(event.id)?.resolve();
      this.inFlight -= 1;
      this.notifyIdle();
    }
  }
}
