import { eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../platform/logger";
import { usageRecords, usageReports, users } from "../../schema";
import { ensureCustomer } from "../../worker/src/billing/customers";
import { meterIdentifier, reportUsage } from "../../worker/src/billing/usage-reporter";
import { useBillingFixture } from "../support/billing-fixture";

const log = createLogger({ service: "test" }, () => {});
const EVENT = "growqr_tokens";
const METER_PATH = "/v1/billing/meter_events";

/** The usage reporter against PGlite and dev/stripe, with Stripe failing in the ways that lose or double usage. */
describe("usage reporter", () => {
  const fixture = useBillingFixture();

  const run = (options: { maxRecordsPerBatch?: number } = {}) =>
    reportUsage(fixture.db, fixture.stripe, { eventName: EVENT, log, ...options });

  async function newUser(withCustomer = true) {
    const [user] = await fixture.db
      .insert(users)
      .values({ clerkUserId: `u-${crypto.randomUUID()}` })
      .returning();
    if (!user) throw new Error("no user");
    const customer = withCustomer ? await ensureCustomer(fixture.db, fixture.stripe, user) : undefined;
    return { userId: user.id, customer: customer ?? "" };
  }

  /** One model call: `input + output + cacheWrite` count, and a tenth of the cache reads (rounded up). */
  async function use(userId: string, input: number, output = 0, cacheRead = 0, cacheWrite = 0) {
    await fixture.db.insert(usageRecords).values({
      userId,
      turnKey: `turn-${crypto.randomUUID()}`,
      model: "claude-test",
      inputTokens: input,
      outputTokens: output,
      cacheReadTokens: cacheRead,
      cacheWriteTokens: cacheWrite,
    });
  }

  const metered = (customer: string) => fixture.devStripe.meterTotals(EVENT)[customer] ?? 0;
  const unreported = async (userId: string) =>
    (await fixture.db.select().from(usageRecords).where(eq(usageRecords.userId, userId))).filter(
      (r) => !r.reportId,
    );
  const reportsOf = (userId: string) =>
    fixture.db.select().from(usageReports).where(eq(usageReports.userId, userId));

  it("reports each customer's billable tokens once, in one meter event per batch", async () => {
    const a = await newUser();
    const b = await newUser();
    await use(a.userId, 100, 50, 10_000, 7);
    await use(a.userId, 10, 5);
    await use(b.userId, 1_000);

    const result = await run();
    expect(result.stoppedBy).toBeUndefined();
    expect(metered(a.customer)).toBe(1_172);
    expect(metered(b.customer)).toBe(1_000);
    expect(await unreported(a.userId)).toEqual([]);
    const [report] = await reportsOf(a.userId);
    expect(report).toMatchObject({ status: "reported", tokens: 1_172, records: 2, attempts: 1 });
    expect(fixture.devStripe.store.snapshot().meterEvents[meterIdentifier(report?.id ?? "")]).toMatchObject({
      event_name: EVENT,
      payload: { stripe_customer_id: a.customer, value: "1172" },
    });

    // Nothing new: nothing sent again.
    await run();
    expect(metered(a.customer)).toBe(1_172);
    await use(a.userId, 8);
    await run();
    expect(metered(a.customer)).toBe(1_180);
    expect(await reportsOf(a.userId)).toHaveLength(2);
  });

  it("leaves usage of users without a Stripe customer alone", async () => {
    const free = await newUser(false);
    await use(free.userId, 500);
    await run();
    expect(await unreported(free.userId)).toHaveLength(1);
    expect(await reportsOf(free.userId)).toEqual([]);
  });

  it("counts usage once when Stripe's answer is lost and the reporter runs again", async () => {
    const { userId, customer } = await newUser();
    await use(userId, 300);
    // Stripe records the event, the reporter never hears back.
    fixture.devStripe.injectFault({ method: "POST", path: METER_PATH, mode: "drop" });
    const interrupted = await run();
    expect(interrupted.stoppedBy).toBeDefined();
    expect(metered(customer)).toBe(300);
    const [pending] = await reportsOf(userId);
    expect(pending).toMatchObject({ status: "pending", attempts: 1 });
    // More usage meanwhile waits for the pending batch: it is not folded into it.
    await use(userId, 20);

    const retried = await run();
    expect(retried.stoppedBy).toBeUndefined();
    expect(metered(customer)).toBe(300);
    const after = await reportsOf(userId);
    expect(after.find((r) => r.id === pending?.id)).toMatchObject({ status: "reported", attempts: 2 });
    // The same identifier went to Stripe twice; dev/stripe (like Stripe) kept one.
    const sent = fixture.devStripe.requests().filter((r) => r.path === METER_PATH);
    expect(sent.length).toBeGreaterThanOrEqual(2);

    await run();
    expect(metered(customer)).toBe(320);
    expect(await unreported(userId)).toEqual([]);
  });

  it("loses nothing while Stripe is down, and reports it all once Stripe is back", async () => {
    const { userId, customer } = await newUser();
    await use(userId, 40);
    fixture.devStripe.injectFault({
      method: "POST",
      path: METER_PATH,
      mode: "status",
      status: 503,
      times: 3,
    });
    for (let i = 0; i < 3; i += 1) {
      const result = await run();
      expect(result.stoppedBy).toBeDefined();
    }
    expect(metered(customer)).toBe(0);
    expect(await reportsOf(userId)).toMatchObject([{ status: "pending", attempts: 3 }]);
    await run();
    expect(metered(customer)).toBe(40);
    expect(await reportsOf(userId)).toMatchObject([{ status: "reported" }]);
  });

  it("counts once when the reporter dies after Stripe accepted but before it marked the batch", async () => {
    const { userId, customer } = await newUser();
    await use(userId, 77);
    // The database goes away right after the meter event was sent: the mark never happens.
    const dying = new Proxy(fixture.db, {
      get(target, property, receiver) {
        if (property === "update") {
          return () => {
            throw new Error("connection lost");
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
    await expect(reportUsage(dying, fixture.stripe, { eventName: EVENT, log })).rejects.toThrow(
      "connection lost",
    );
    expect(metered(customer)).toBe(77);
    expect(await reportsOf(userId)).toMatchObject([{ status: "pending" }]);

    await run();
    expect(metered(customer)).toBe(77);
    expect(await reportsOf(userId)).toMatchObject([{ status: "reported" }]);
  });

  it("splits large backlogs into batches and never double-claims records across overlapping runs", async () => {
    const { userId, customer } = await newUser();
    for (let i = 1; i <= 25; i += 1) await use(userId, i);
    await Promise.all([run({ maxRecordsPerBatch: 10 }), run({ maxRecordsPerBatch: 10 })]);
    for (let i = 0; i < 4; i += 1) await run({ maxRecordsPerBatch: 10 });
    expect(metered(customer)).toBe((25 * 26) / 2);
    expect(await unreported(userId)).toEqual([]);
    const reports = await reportsOf(userId);
    expect(reports.reduce((sum, r) => sum + r.records, 0)).toBe(25);
    expect(reports.every((r) => r.status === "reported")).toBe(true);
    const claimedTwice = await fixture.db.select().from(usageRecords).where(isNull(usageRecords.reportId));
    expect(claimedTwice.filter((r) => r.userId === userId)).toEqual([]);
  });

  it("marks a batch Stripe refuses for good as rejected and goes on with the others", async () => {
    const bad = await newUser();
    const good = await newUser();
    await use(bad.userId, 5);
    await use(good.userId, 6);
    fixture.devStripe.injectFault({ method: "POST", path: METER_PATH, mode: "status", status: 400 });
    const result = await run();
    expect(result.rejected).toBe(1);
    const statuses = [...(await reportsOf(bad.userId)), ...(await reportsOf(good.userId))].map(
      (r) => r.status,
    );
    expect(statuses.sort()).toEqual(["rejected", "reported"]);
  });
});
