import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../schema";
import { applyMigrations } from "../schema/migrate";
import { type LocalDatabase, startLocalDatabase, tableNames } from "./support/local-db";

const EXPECTED_TABLES = [
  "actors",
  "billing_customers",
  "events",
  "memory_entries",
  "memory_versions",
  "messages",
  "opencode_sessions",
  "outbox",
  "processed_webhook_events",
  "repos",
  "schedule_runs",
  "schedules",
  "subscriptions",
  "thread_shares",
  "threads",
  "turn_regenerations",
  "usage_records",
  "usage_reports",
  "user_stacks",
  "users",
];

describe("migrations", () => {
  let local: LocalDatabase;
  beforeAll(async () => {
    local = await startLocalDatabase();
  });
  afterAll(() => local.close());

  const appliedCount = async () => {
    const result = await local
      .connect()
      .execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    return result.rows[0]?.n;
  };

  it("create every table on an empty database", async () => {
    expect(await tableNames(local.connect())).toEqual([]);
    await applyMigrations(local.settings);
    expect(await tableNames(local.connect())).toEqual(EXPECTED_TABLES);
    expect(await appliedCount()).toBeGreaterThan(0);
  });

  it("are idempotent: a second run applies nothing and keeps data", async () => {
    const before = await appliedCount();
    const db = local.connect();
    await db.insert(users).values({ clerkUserId: "user_survives_migrate" });

    await applyMigrations(local.settings);

    expect(await appliedCount()).toBe(before);
    expect(await tableNames(db)).toEqual(EXPECTED_TABLES);
    const rows = await db.select().from(users);
    expect(rows.map((u) => u.clerkUserId)).toContain("user_survives_migrate");
  });
});
