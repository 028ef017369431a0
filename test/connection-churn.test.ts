import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../schema/db";
import { type LocalDatabase, startLocalDatabase } from "./support/local-db";

// Workers open and end a pool per request; the local stack must release each connection as Neon does, or it
// stops answering once its connection limit (100) is used up.
describe("per-request connections through the local stack", () => {
  let local: LocalDatabase;
  beforeAll(async () => {
    local = await startLocalDatabase();
  });
  afterAll(() => local.close());

  it("serves far more sequential pools than the connection limit", async () => {
    let ok = 0;
    for (let i = 0; i < 150; i++) {
      const db = createDb(local.settings);
      const result = await db.execute<{ n: number }>(sql`select ${i}::int as n`);
      if (result.rows[0]?.n === i) ok += 1;
      await db.$client.end();
    }
    expect(ok).toBe(150);
  });
});
