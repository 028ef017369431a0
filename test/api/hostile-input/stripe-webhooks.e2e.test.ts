import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { processedWebhookEvents } from "../../../schema";
import { call, type ErrorBody, signUp } from "../../support/api";
import { type HttpCase, problemWith } from "../../support/hostile-http";
import {
  CONCURRENCY,
  closeDatabase,
  database,
  mapLimit,
  openDatabase,
  RUNS,
  sample,
  show,
  startSamplesAt,
} from "../../support/hostile-input";
import { samplesBefore } from "../../support/hostile-seeds";
import { BAD_ENVELOPE, deliver, HANDLED_TYPES, hostileSubscriptionEvent } from "../../support/hostile-stripe";
import { nastyText } from "../../support/hostile-values";
import { type EventJson, nowSeconds, signStripePayload } from "../../support/stripe-webhooks";

/**
 * Forged, fuzzed and replayed Stripe webhook deliveries (the suite: `test/support/hostile-input.ts`): refused
 * without a valid signature, never a 5xx for an odd body, applied once however often replayed.
 */

startSamplesAt(await samplesBefore("stripe-webhooks"));

beforeAll(openDatabase);
afterAll(closeDatabase);

describe("Stripe webhooks: forged, fuzzed and replayed deliveries", () => {
  const run = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const prefix = `evt_hostile_${run}_`;
  const recorded = async () =>
    (
      await database().execute(
        sql`select count(*)::int as n from ${processedWebhookEvents} where stripe_event_id like ${`${prefix}%`}`,
      )
    ).rows[0]?.n as number;
  const eventId = fc.uuid().map((u) => `${prefix}${u.replaceAll("-", "")}`);

  it("refuses unsigned, forged, stale and future deliveries of fuzzed bodies with 400, recording nothing", async () => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      nastyText(300),
      fc
        .record({
          id: eventId,
          type: fc.oneof(fc.constantFrom(...HANDLED_TYPES), nastyText(30)),
          created: fc.integer({ min: 0, max: 2 ** 31 }),
          data: fc.record({
            object: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 })),
          }),
        })
        .map((e) => JSON.stringify(e)),
    );
    const signature = fc.oneof(
      fc.constant({ kind: "none" as const }),
      fc
        .string({ unit: "grapheme-ascii", minLength: 1, maxLength: 200 })
        .map((value) => ({ kind: "garbage" as const, value })),
      fc
        .tuple(fc.integer({ min: 0, max: 2 ** 31 }), fc.stringMatching(/^[0-9a-f]{64}$/))
        .map(([t, v1]) => ({ kind: "garbage" as const, value: `t=${t},v1=${v1}` })),
      fc.constant({ kind: "wrong-secret" as const }),
      fc.integer({ min: 301, max: 10 ** 7 }).map((seconds) => ({ kind: "stale" as const, seconds })),
      fc.integer({ min: 400, max: 10 ** 7 }).map((seconds) => ({ kind: "future" as const, seconds })),
      fc.constant({ kind: "tampered" as const }),
    );
    const cases = sample(fc.tuple(body, signature), RUNS * 2);
    const outcomes = await mapLimit(cases, CONCURRENCY, async ([payload, how]) => {
      const header = (() => {
        switch (how.kind) {
          case "none":
            return null;
          case "garbage":
            return how.value;
          case "wrong-secret":
            return signStripePayload(payload, { secret: "whsec_not_the_secret" });
          case "stale":
            return signStripePayload(payload, { timestamp: nowSeconds() - how.seconds });
          case "future":
            return signStripePayload(payload, { timestamp: nowSeconds() + how.seconds });
          case "tampered":
            return signStripePayload(`${payload} `);
        }
      })();
      return { payload, how, outcome: await deliver(payload, header) };
    });
    const problems: string[] = [];
    for (const { payload, how, outcome } of outcomes) {
      const hostile: HttpCase = {
        kind: "junk",
        note: "",
        authorization: undefined,
        pathValues: {},
        query: [],
        headers: {},
        expect: [400],
      };
      const problem = problemWith(hostile, outcome);
      const code = (JSON.parse(outcome.text) as ErrorBody).error?.code;
      if (problem || !["missing_signature", "invalid_signature"].includes(code))
        problems.push(
          `${how.kind} ${show(payload)} → ${outcome.status} ${problem ?? code}: ${outcome.text.slice(0, 200)}`,
        );
    }
    console.info(`hostile-input: ${outcomes.length} forged webhook deliveries`);
    expect(problems, problems.join("\n")).toEqual([]);
    expect(await recorded()).toBe(0);
  });

  it("refuses correctly signed bodies that are not Stripe events with 400, and never fails on odd ones", async () => {
    const stranger = "cus_hostile_not_ours";
    const subscription = (id: string) => hostileSubscriptionEvent(stranger, `sub_hostile_${id.slice(-8)}`);
    type Delivery = { payload: string; expect: readonly number[]; note: string };
    const broken =
      (note: string) =>
      (value: unknown): Delivery => ({ payload: JSON.stringify(value) ?? "null", expect: [400], note });
    const cases = sample(
      fc.oneof<fc.Arbitrary<Delivery>[]>(
        // Not an event at all.
        fc
          .jsonValue({ maxDepth: 2 })
          .filter((v) => typeof v !== "object" || v === null || Array.isArray(v))
          .map(broken("not an object")),
        // An event with one envelope field of the wrong type or out of range.
        fc
          .tuple(eventId, fc.constantFrom(...(Object.keys(BAD_ENVELOPE) as Array<keyof typeof BAD_ENVELOPE>)))
          .chain(([id, field]) =>
            BAD_ENVELOPE[field].map((value) =>
              broken(`envelope ${field}`)({ ...subscription(id), id, [field]: value }),
            ),
          ),
        fc
          .tuple(eventId, fc.constantFrom(-1, 1.5, 1e20, "1700000000", null))
          .map(([id, created]) => broken("created out of range")({ ...subscription(id), id, created })),
        fc
          .tuple(eventId, fc.constantFrom("", "evt_\u0000", "evt x", `evt_${"e".repeat(300)}`, "évt_1"))
          .map(([suffix, id]) => broken("unstorable id")({ ...subscription(suffix), id })),
        // A subscription event whose object has a field of the wrong type.
        fc
          .tuple(
            eventId,
            fc.constantFrom("id", "customer", "status", "cancel_at_period_end", "items"),
            fc.oneof(
              fc.integer(),
              fc.constant(null),
              fc.array(fc.integer(), { minLength: 1, maxLength: 2 }),
              fc.constant("\u0000"),
            ),
          )
          .filter(
            ([, field, value]) =>
              !(field === "cancel_at_period_end" && value === null) && !(field === "items" && value === null),
          )
          .map(([id, field, value]) => {
            const event = subscription(id);
            return broken(`subscription ${field}`)({
              ...event,
              id,
              data: { object: { ...event.data.object, [field]: value } },
            });
          }),
        // Odd but well-formed: unknown types, unknown fields, customers that are not ours. Acknowledged.
        fc
          .tuple(
            eventId,
            // Prototype names too: looking a type up in a plain object once found Object.prototype's (a 500).
            fc.oneof(
              fc.constantFrom("constructor", "__proto__", "toString", "hasOwnProperty"),
              nastyText(40, 1),
            ),
            fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
          )
          .filter(
            ([, type]) =>
              !type.includes("\u0000") &&
              type.length <= 255 &&
              !(HANDLED_TYPES as readonly string[]).includes(type),
          )
          .map(
            ([id, type, object]): Delivery => ({
              payload: JSON.stringify({ ...subscription(id), id, type, data: { object } }),
              expect: [200],
              note: "unknown type",
            }),
          ),
        fc
          .tuple(
            eventId,
            fc.dictionary(
              fc
                .string({ maxLength: 8 })
                .filter(
                  (k) =>
                    ![
                      "id",
                      "customer",
                      "status",
                      "items",
                      "cancel_at_period_end",
                      "current_period_start",
                      "current_period_end",
                    ].includes(k),
                ),
              fc.jsonValue({ maxDepth: 2 }),
              { maxKeys: 4 },
            ),
          )
          .map(([id, extra]): Delivery => {
            const event = subscription(id);
            return {
              payload: JSON.stringify({ ...event, id, data: { object: { ...event.data.object, ...extra } } }),
              expect: [200],
              note: "someone else's customer",
            };
          }),
      ),
      RUNS * 2,
    );
    const outcomes = await mapLimit(cases, CONCURRENCY, async (c) => ({
      c,
      outcome: await deliver(c.payload, signStripePayload(c.payload)),
    }));
    const problems: string[] = [];
    for (const { c, outcome } of outcomes) {
      const hostile: HttpCase = {
        kind: "body",
        note: c.note,
        authorization: undefined,
        pathValues: {},
        query: [],
        headers: {},
        expect: c.expect,
      };
      const problem = problemWith(hostile, outcome);
      if (problem)
        problems.push(
          `${c.note} ${show(c.payload)} → ${outcome.status} (${problem}): ${outcome.text.slice(0, 200)}`,
        );
    }
    console.info(`hostile-input: ${outcomes.length} signed odd or broken webhook bodies`);
    expect(problems, problems.join("\n")).toEqual([]);
    const acknowledged = outcomes.filter(({ outcome }) => outcome.status === 200).length;
    expect(await recorded()).toBe(acknowledged);
  });

  it("applies a validly signed event once however often it is replayed, and refuses stale replays", async () => {
    const user = await signUp("replay");
    const checkout = await call("/api/billing/checkout", user.token, {
      method: "POST",
      body: JSON.stringify({ plan: "pro" }),
    });
    expect(checkout.status).toBe(200);
    const { sessionId } = (await checkout.json()) as { sessionId: string };
    const state = (await (await fetch(`${inject("stripeUrl")}/_dev/state`)).json()) as {
      checkoutSessions: Record<string, { customer: string }>;
    };
    const customer = state.checkoutSessions[sessionId]?.customer ?? "";
    const subscriptionId = `sub_replay_${run}`;
    const event = hostileSubscriptionEvent(customer, subscriptionId);
    const payload = JSON.stringify(event);
    const processed = async (id: string) =>
      (
        await database().execute(
          sql`select count(*)::int as n from ${processedWebhookEvents} where stripe_event_id = ${id}`,
        )
      ).rows[0]?.n as number;
    const rows = async () =>
      (
        await database().execute(
          sql`select status from subscriptions where stripe_subscription_id = ${subscriptionId}`,
        )
      ).rows;

    const firstSignature = signStripePayload(payload);
    const first = await deliver(payload, firstSignature);
    expect(JSON.parse(first.text)).toEqual({ received: true, outcome: "applied" });

    // The very same request again, re-signed deliveries, and a burst at once: each a duplicate.
    const replays = [
      await deliver(payload, firstSignature),
      await deliver(payload, signStripePayload(payload)),
      ...(await Promise.all(Array.from({ length: 4 }, () => deliver(payload, signStripePayload(payload))))),
    ];
    for (const replay of replays) {
      expect(replay.status).toBe(200);
      expect(JSON.parse(replay.text)).toEqual({ received: true, outcome: "duplicate" });
    }

    // Replayed with an old timestamp: refused before it is even looked at, like a new event signed long ago.
    const stale = await deliver(payload, signStripePayload(payload, { timestamp: nowSeconds() - 600 }));
    expect(stale.status).toBe(400);
    expect((JSON.parse(stale.text) as ErrorBody).error.code).toBe("invalid_signature");
    const cancelled = JSON.stringify(
      hostileSubscriptionEvent(customer, subscriptionId, { status: "canceled" }),
    );
    const staleNew = await deliver(
      cancelled,
      signStripePayload(cancelled, { timestamp: nowSeconds() - 600 }),
    );
    expect(staleNew.status).toBe(400);

    expect(await processed(event.id)).toBe(1);
    expect(await processed((JSON.parse(cancelled) as EventJson).id)).toBe(0);
    expect(await rows()).toEqual([{ status: "active" }]);
    const billing = (await (await call("/api/billing", user.token)).json()) as {
      plan: string;
      status: string;
    };
    expect(billing).toMatchObject({ plan: "pro", status: "active" });
  });
});
