import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  actors,
  billingCustomers,
  events,
  memoryEntries,
  messages,
  opencodeSessions,
  outbox,
  repos,
  subscriptions,
  threads,
  usageRecords,
  userStacks,
  users,
} from "../schema";
import type { Database } from "../schema/db";
import { insertUserWithThread, type MigratedDatabase, startMigratedDatabase } from "./support/local-db";

/** Postgres SQLSTATE of the error a rejected statement raised (drizzle wraps the driver error in `cause`). */
async function sqlState(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (error) {
    const cause = (error as { cause?: { code?: string }; code?: string }).cause ?? error;
    return (cause as { code?: string }).code;
  }
  return undefined;
}

const UNIQUE_VIOLATION = "23505";
const FOREIGN_KEY_VIOLATION = "23503";
const CHECK_VIOLATION = "23514";

describe("schema constraints", () => {
  let local: MigratedDatabase;
  let db: Database;

  beforeAll(async () => {
    local = await startMigratedDatabase();
    db = local.db;
  });
  afterAll(() => local.close());

  const userWithThread = () => insertUserWithThread(db);

  it("rejects a second event with the same seq in one thread, allows it in another", async () => {
    const a = await userWithThread();
    const b = await userWithThread();
    await db
      .insert(events)
      .values({ threadId: a.thread.id, userId: a.user.id, seq: 1, type: "message.created" });

    const duplicate = db
      .insert(events)
      .values({ threadId: a.thread.id, userId: a.user.id, seq: 1, type: "text.delta" });
    expect(await sqlState(duplicate)).toBe(UNIQUE_VIOLATION);

    await db
      .insert(events)
      .values({ threadId: b.thread.id, userId: b.user.id, seq: 1, type: "message.created" });
    const count = await db.select().from(events).where(eq(events.threadId, a.thread.id));
    expect(count).toHaveLength(1);
  });

  it("rejects non-positive seqs, unknown roles and statuses, and events for missing threads", async () => {
    const { user, thread } = await userWithThread();
    expect(
      await sqlState(db.insert(events).values({ threadId: thread.id, userId: user.id, seq: 0, type: "x" })),
    ).toBe(CHECK_VIOLATION);
    expect(
      await sqlState(
        db.execute(sql`insert into messages (id, thread_id, user_id, seq, role, content)
        values (gen_random_uuid(), ${thread.id}, ${user.id}, 1, 'system', '[]'::jsonb)`),
      ),
    ).toBe(CHECK_VIOLATION);
    expect(
      await sqlState(
        db.execute(sql`insert into user_stacks (id, user_id, fly_app, status)
        values (gen_random_uuid(), ${user.id}, 'app', 'exploded')`),
      ),
    ).toBe(CHECK_VIOLATION);
    expect(
      await sqlState(
        db.insert(events).values({ threadId: crypto.randomUUID(), userId: user.id, seq: 1, type: "x" }),
      ),
    ).toBe(FOREIGN_KEY_VIOLATION);
  });

  it("keeps external ids unique: Clerk users, Stripe customers and subscriptions, webhook events, usage turns", async () => {
    const { user } = await userWithThread();
    expect(await sqlState(db.insert(users).values({ clerkUserId: user.clerkUserId }))).toBe(UNIQUE_VIOLATION);

    const other = await userWithThread();
    await db.insert(billingCustomers).values({ userId: user.id, stripeCustomerId: "cus_dup" });
    expect(
      await sqlState(
        db.insert(billingCustomers).values({ userId: other.user.id, stripeCustomerId: "cus_dup" }),
      ),
    ).toBe(UNIQUE_VIOLATION);

    const subscription = {
      userId: user.id,
      stripeSubscriptionId: "sub_dup",
      stripePriceId: "price_1",
      plan: "pro",
      status: "active",
      stripeEventCreatedAt: new Date(),
    };
    await db.insert(subscriptions).values(subscription);
    expect(await sqlState(db.insert(subscriptions).values({ ...subscription, userId: other.user.id }))).toBe(
      UNIQUE_VIOLATION,
    );

    const usage = { userId: user.id, turnKey: "turn_1", model: "claude", inputTokens: 10 };
    await db.insert(usageRecords).values(usage);
    expect(await sqlState(db.insert(usageRecords).values(usage))).toBe(UNIQUE_VIOLATION);

    await db.execute(sql`insert into processed_webhook_events (stripe_event_id, type) values ('evt_1', 'x')`);
    expect(
      await sqlState(
        db.execute(sql`insert into processed_webhook_events (stripe_event_id, type) values ('evt_1', 'x')`),
      ),
    ).toBe(UNIQUE_VIOLATION);
  });

  it("allows one user-wide memory key per user (NULL thread counts as one value)", async () => {
    const { user } = await userWithThread();
    await db.insert(memoryEntries).values({ userId: user.id, key: "tone", content: "brief" });
    expect(
      await sqlState(db.insert(memoryEntries).values({ userId: user.id, key: "tone", content: "long" })),
    ).toBe(UNIQUE_VIOLATION);
  });

  it("deleting a user removes everything they own", async () => {
    const { user, thread } = await userWithThread();
    const [actor] = await db
      .insert(actors)
      .values({ userId: user.id, actorType: "growAgent", actorKey: user.id })
      .returning();
    await db
      .insert(messages)
      .values({ threadId: thread.id, userId: user.id, seq: 1, role: "user", content: [] });
    await db.insert(events).values({ threadId: thread.id, userId: user.id, seq: 1, type: "message.created" });
    await db.insert(userStacks).values({ userId: user.id, flyApp: "growqr-runtime" });
    await db.insert(repos).values({ userId: user.id, name: "growqr-memory", giteaOwner: "u" });
    await db
      .insert(opencodeSessions)
      .values({ userId: user.id, actorId: actor?.id, threadId: thread.id, task: "t" });
    await db.insert(memoryEntries).values({ userId: user.id, threadId: thread.id, key: "k", content: "v" });
    await db
      .insert(outbox)
      .values({ userId: user.id, kind: "memory_commit", idempotencyKey: `k-${user.id}`, payload: {} });
    await db.insert(billingCustomers).values({ userId: user.id, stripeCustomerId: `cus_${user.id}` });
    await db
      .insert(usageRecords)
      .values({ userId: user.id, threadId: thread.id, turnKey: `t-${user.id}`, model: "m" });

    await db.delete(users).where(eq(users.id, user.id));

    for (const table of [
      threads,
      messages,
      events,
      actors,
      userStacks,
      repos,
      opencodeSessions,
      memoryEntries,
      outbox,
      billingCustomers,
      usageRecords,
    ]) {
      const rows = await db.select().from(table).where(eq(table.userId, user.id));
      expect(rows).toHaveLength(0);
    }
  });

  it("deleting a thread removes its log but keeps usage and sub-agent history", async () => {
    const { user, thread } = await userWithThread();
    await db
      .insert(messages)
      .values({ threadId: thread.id, userId: user.id, seq: 1, role: "user", content: [] });
    await db.insert(events).values({ threadId: thread.id, userId: user.id, seq: 1, type: "message.created" });
    await db
      .insert(usageRecords)
      .values({ userId: user.id, threadId: thread.id, turnKey: `u-${thread.id}`, model: "m" });
    await db.insert(opencodeSessions).values({ userId: user.id, threadId: thread.id, task: "t" });

    await db.delete(threads).where(eq(threads.id, thread.id));

    expect(await db.select().from(messages).where(eq(messages.threadId, thread.id))).toHaveLength(0);
    expect(await db.select().from(events).where(eq(events.threadId, thread.id))).toHaveLength(0);
    const [usage] = await db.select().from(usageRecords).where(eq(usageRecords.userId, user.id));
    expect(usage?.threadId).toBeNull();
    const [session] = await db.select().from(opencodeSessions).where(eq(opencodeSessions.userId, user.id));
    expect(session?.threadId).toBeNull();
  });
});
