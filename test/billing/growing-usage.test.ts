import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { usageRecords, users } from "../../schema";
import { lateTurnKey, recordGrowingUsage } from "../../worker/src/agent/usage-meter";
import { ensureCustomer } from "../../worker/src/billing/customers";
import { entitlements } from "../../worker/src/billing/entitlements";
import { reportUsage } from "../../worker/src/billing/usage-reporter";
import { useBillingFixture } from "../support/billing-fixture";

const EVENT = "growqr_tokens";

/** The gateway's two writes per streamed call (at message_start, at the end) against the allowance and Stripe. */
describe("recordGrowingUsage", () => {
  const fixture = useBillingFixture();

  async function newCustomer() {
    const [user] = await fixture.db
      .insert(users)
      .values({ clerkUserId: `u-${crypto.randomUUID()}` })
      .returning();
    if (!user) throw new Error("no user");
    return { userId: user.id, customer: await ensureCustomer(fixture.db, fixture.stripe, user) };
  }
  const usage = (input: number, output: number, cacheRead = 0) => ({
    input_tokens: input,
    output_tokens: output,
    cache_read_input_tokens: cacheRead,
  });
  const rowsOf = (userId: string) =>
    fixture.db.select().from(usageRecords).where(eq(usageRecords.userId, userId));

  it("writes one row at the start and raises it at the end; a repeated write changes nothing", async () => {
    const { userId } = await newCustomer();
    const turnKey = `gateway:${crypto.randomUUID()}`;
    const write = (input: number, output: number) =>
      recordGrowingUsage(fixture.db, { userId, turnKey, model: "m", usage: usage(input, output, 500) });
    await write(1_000, 1);
    expect((await entitlements(fixture.db, userId)).usedTokens).toBe(1_000 + 1 + 50);
    await write(1_000, 300);
    await write(1_000, 300);
    // An out-of-order (older) write cannot lower it.
    await write(1_000, 1);
    const rows = await rowsOf(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ inputTokens: 1_000, outputTokens: 300, cacheReadTokens: 500 });
    expect((await entitlements(fixture.db, userId)).usedTokens).toBe(1_350);
  });

  it("reports a call whose row Stripe's reporter claimed at message_start whole: the rest goes in one late row", async () => {
    const { userId, customer } = await newCustomer();
    const turnKey = `gateway:${crypto.randomUUID()}`;
    const write = (output: number) =>
      recordGrowingUsage(fixture.db, { userId, turnKey, model: "m", usage: usage(1_000, output) });
    await write(1);
    await reportUsage(fixture.db, fixture.stripe, { eventName: EVENT });
    expect(fixture.devStripe.meterTotals(EVENT)[customer]).toBe(1_001);
    await write(400);
    await write(400);
    const rows = await fixture.db
      .select()
      .from(usageRecords)
      .where(like(usageRecords.turnKey, `${turnKey}%`));
    expect(rows.map((r) => [r.turnKey, r.inputTokens, r.outputTokens]).sort()).toEqual(
      [
        [turnKey, 1_000, 1],
        [lateTurnKey(turnKey), 0, 399],
      ].sort(),
    );
    await reportUsage(fixture.db, fixture.stripe, { eventName: EVENT });
    expect(fixture.devStripe.meterTotals(EVENT)[customer]).toBe(1_400);
    expect((await entitlements(fixture.db, userId)).usedTokens).toBe(1_400);
  });
});
