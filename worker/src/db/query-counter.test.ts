import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDatabase, startLocalDatabase } from "../../../test/support/local-db";
import { countQueries, serverTiming } from "./query-counter";

describe("countQueries", () => {
  let local: LocalDatabase;
  beforeAll(async () => {
    local = await startLocalDatabase();
  });
  afterAll(() => local.close());

  it("counts pool queries and queries inside transactions", async () => {
    const db = local.connect();
    const stats = countQueries(db.$client);
    await db.execute(sql`select 1`);
    await db.transaction(async (tx) => {
      await tx.execute(sql`select 2`);
    });
    await db.transaction(async (tx) => {
      await tx.execute(sql`select 3`);
    });
    // select 1, then begin + select + commit twice (the pool reuses the transaction's client).
    expect(stats.queries).toBe(7);
    expect(stats.totalMs).toBeGreaterThan(0);
    expect(serverTiming(stats)).toMatch(/^db;dur=\d+\.\d;desc="7 queries"$/);
  });
});
