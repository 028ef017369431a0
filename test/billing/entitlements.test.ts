import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscriptions, usageRecords, users } from "../../schema";
import type { Database } from "../../schema/db";
import {
  AllowanceExceededError,
  assertCanStartTurn,
  entitlements,
} from "../../worker/src/billing/entitlements";
import { PLANS } from "../../worker/src/billing/plans";
import { countQueries } from "../../worker/src/db/query-counter";
import { type MigratedDatabase, startMigratedDatabase } from "../support/local-db";

const DAY = 24 * 3600 * 1000;

describe("entitlements", () => {
  let local: MigratedDatabase;
  let db: Database;

  beforeAll(async () => {
    local = await startMigratedDatabase();
    db = local.db;
  });
  afterAll(() => local?.close());

  async function newUser(): Promise<string> {
    const [user] = await db
      .insert(users)
      .values({ clerkUserId: `u-${crypto.randomUUID()}` })
      .returning();
    return user?.id ?? "";
  }

  let turn = 0;
  async function use(
    userId: string,
    tokens: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number },
    at = new Date(),
  ) {
    turn += 1;
    await db.insert(usageRecords).values({
      userId,
      turnKey: `turn-${crypto.randomUUID()}:${turn}`,
      model: "claude-test",
      inputTokens: tokens.input ?? 0,
      outputTokens: tokens.output ?? 0,
      cacheReadTokens: tokens.cacheRead ?? 0,
      cacheWriteTokens: tokens.cacheWrite ?? 0,
      recordedAt: at,
    });
  }

  async function subscribe(
    userId: string,
    plan: string,
    status: string,
    period: { start: Date; end: Date } = {
      start: new Date(Date.now() - 10 * DAY),
      end: new Date(Date.now() + 20 * DAY),
    },
  ) {
    await db.insert(subscriptions).values({
      userId,
      stripeSubscriptionId: `sub_${crypto.randomUUID()}`,
      stripePriceId: `price_${plan}`,
      plan,
      status,
      currentPeriodStart: period.start,
      currentPeriodEnd: period.end,
      stripeEventCreatedAt: new Date(),
    });
  }

  it("gives a user without a subscription the free plan for the calendar month, in one query", async () => {
    const userId = await newUser();
    await use(userId, { input: 1_000, output: 500, cacheRead: 90_000, cacheWrite: 200 });
    // Last month's usage does not count.
    const lastMonth = new Date();
    lastMonth.setUTCDate(0);
    await use(userId, { input: 50_000 }, lastMonth);

    const stats = countQueries(db.$client);
    const current = await entitlements(db, userId);
    expect(stats.queries).toBe(1);

    const now = new Date();
    expect(current).toMatchObject({
      plan: "free",
      status: "none",
      hasBillingAccount: false,
      allowanceTokens: PLANS.free.allowanceTokens,
      // input + output + cache writes + a tenth of the cache reads (90 000 → 9 000): reads are not free.
      usedTokens: 10_700,
      remainingTokens: PLANS.free.allowanceTokens - 10_700,
      maxParallelSubAgents: PLANS.free.maxParallelSubAgents,
      stackIdleSeconds: PLANS.free.stackIdleSeconds,
      overAllowance: false,
    });
    expect(current.periodStart.toISOString()).toBe(
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
    );
    expect(current.periodEnd.toISOString()).toBe(
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    );
    await expect(assertCanStartTurn(db, userId)).resolves.toMatchObject({ plan: "free" });
  });

  it("throws allowance_exceeded (402) with an upgrade target once the allowance is used", async () => {
    const userId = await newUser();
    await use(userId, { input: PLANS.free.allowanceTokens - 10, output: 5 });
    await expect(assertCanStartTurn(db, userId)).resolves.toBeDefined();
    await use(userId, { output: 5 });

    const error = await assertCanStartTurn(db, userId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllowanceExceededError);
    const exceeded = error as AllowanceExceededError;
    expect(exceeded).toMatchObject({
      status: 402,
      code: "allowance_exceeded",
      upgradePath: "/billing",
      upgradePlan: "pro",
    });
    expect(exceeded.message).toMatch(/Free plan/);
    expect(exceeded.message).toMatch(/Upgrade to Pro/);
    expect(exceeded.entitlements).toMatchObject({ overAllowance: true, remainingTokens: 0 });
  });

  it("uses the live subscription's plan and period; the same usage is within Pro's allowance", async () => {
    const userId = await newUser();
    const start = new Date(Date.now() - 3 * DAY);
    await use(userId, { input: PLANS.free.allowanceTokens }, new Date(Date.now() - 4 * DAY));
    await use(userId, { input: PLANS.free.allowanceTokens + 1 });
    await expect(assertCanStartTurn(db, userId)).rejects.toBeInstanceOf(AllowanceExceededError);

    await subscribe(userId, "pro", "active", { start, end: new Date(Date.now() + 27 * DAY) });
    const current = await assertCanStartTurn(db, userId);
    expect(current).toMatchObject({
      plan: "pro",
      status: "active",
      allowanceTokens: PLANS.pro.allowanceTokens,
      // Only what was used since the subscription's period began.
      usedTokens: PLANS.free.allowanceTokens + 1,
      maxParallelSubAgents: PLANS.pro.maxParallelSubAgents,
      stackIdleSeconds: PLANS.pro.stackIdleSeconds,
    });
    expect(current.periodStart.toISOString()).toBe(start.toISOString());
  });

  it("keeps the plan while past_due, drops it when canceled, and prefers the best live plan", async () => {
    const pastDue = await newUser();
    await subscribe(pastDue, "pro", "past_due");
    expect((await entitlements(db, pastDue)).plan).toBe("pro");

    const canceled = await newUser();
    await subscribe(canceled, "team", "canceled");
    expect(await entitlements(db, canceled)).toMatchObject({ plan: "free", status: "canceled" });

    const both = await newUser();
    await subscribe(both, "pro", "active");
    await subscribe(both, "team", "trialing");
    await subscribe(both, "team", "incomplete_expired");
    expect(await entitlements(db, both)).toMatchObject({ plan: "team", status: "trialing" });
  });

  it("falls back to the calendar month when the stored period has ended (a missed renewal event)", async () => {
    const userId = await newUser();
    await subscribe(userId, "pro", "active", {
      start: new Date(Date.now() - 60 * DAY),
      end: new Date(Date.now() - 30 * DAY),
    });
    const current = await entitlements(db, userId);
    expect(current.plan).toBe("pro");
    expect(current.periodEnd.getTime()).toBeGreaterThan(Date.now());
  });
});
