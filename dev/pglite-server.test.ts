import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDatabase, startLocalDatabase } from "../test/support/local-db";

describe("embedded Postgres wire server: many clients, one PGlite session", () => {
  let local: LocalDatabase;
  beforeAll(async () => {
    local = await startLocalDatabase();
    await local.connect().execute(sql`create table counters (id int primary key, n int not null)`);
    await local.connect().execute(sql`insert into counters values (1, 0)`);
  });
  afterAll(() => local.close());

  it("keeps concurrent transactions and parameterised queries from different clients apart", async () => {
    const pools = Array.from({ length: 8 }, () => local.connect());
    const results = await Promise.all(
      Array.from({ length: 80 }, async (_, i) => {
        const db = pools[i % pools.length];
        if (!db) throw new Error("no pool");
        const echoed = await db.execute<{ v: number }>(sql`select ${i}::int as v`);
        await db.transaction(async (tx) => {
          const [row] = (await tx.execute<{ n: number }>(sql`select n from counters where id = 1`)).rows;
          await tx.execute(sql`update counters set n = ${(row?.n ?? 0) + 1} where id = 1`);
        });
        return echoed.rows[0]?.v;
      }),
    );
    expect(results).toEqual(Array.from({ length: 80 }, (_, i) => i));
    // Read-modify-write inside transactions: no lost update, because transactions never interleave.
    const [counter] = (await local.connect().execute<{ n: number }>(sql`select n from counters where id = 1`))
      .rows;
    expect(counter?.n).toBe(80);
  });

  it("rolls back a transaction whose client vanished, and keeps serving others", async () => {
    const abandoned = local.connect();
    const client = await abandoned.$client.connect();
    await client.query("begin");
    await client.query("update counters set n = -1 where id = 1");
    // The socket dies mid-transaction (crashed Worker, dropped WebSocket).
    client.release(true);

    const [row] = (await local.connect().execute<{ n: number }>(sql`select n from counters where id = 1`))
      .rows;
    expect(row?.n).toBe(80);
  });
});
