import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { neon, neonConfig, type Pool } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ws from "ws";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../dev/pglite-server";
import { isDatabaseUnavailable, isUniqueViolation } from "../worker/src/db/database-errors";
import { createDb, type Database } from "./db";
import { paramText } from "./sql-over-http";
import { startWsProxy, type WsProxy } from "./ws-proxy";

/**
 * The `/sql` stand-in through the real driver: what a query answers over HTTP must be what the same query
 * answers over the WebSocket (the wire protocol straight from Postgres), errors included.
 */
describe("sql over http", () => {
  let postgres: EmbeddedPostgres;
  let proxy: WsProxy;
  let db: Database;
  const sqlEndpoint = () => `http://${proxy.address}/sql`;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(sqlEndpoint(), {
      method: "POST",
      body: JSON.stringify(body),
      headers: {
        "Neon-Connection-String": postgres.databaseUrl,
        "Neon-Raw-Text-Output": "true",
        "Neon-Array-Mode": "true",
        ...headers,
      },
    });

  beforeAll(async () => {
    postgres = await startEmbeddedPostgres();
    proxy = await startWsProxy({ allowedTargets: [postgres.databaseUrl] });
    db = createDb({ databaseUrl: postgres.databaseUrl, wsProxy: proxy.address, webSocketConstructor: ws });
    await db.execute(
      sql`create table kinds (id serial primary key, name text unique, big bigint, ok boolean, at timestamptz, doc jsonb, tags text[], n numeric, raw bytea)`,
    );
  });
  afterAll(async () => {
    await db?.$client.end();
    await proxy?.close();
    await postgres?.close();
  });

  /** The same query over a client checked out of the pool: a WebSocket and the wire protocol. */
  async function overWebSocket(text: string, values: unknown[]) {
    const client = await (db.$client as Pool).connect();
    try {
      return await client.query({ text, values, rowMode: "array" });
    } finally {
      client.release();
    }
  }

  it("answers a pool query over HTTP exactly as Postgres answers it over the wire", async () => {
    const insert = `insert into kinds (name, big, ok, at, doc, tags, n, raw) values ($1, $2, $3, $4, $5, $6, $7, $8), ($9, null, null, null, null, null, null, null) returning id`;
    const values = [
      'quote " and \\ and {braces}',
      "9007199254740993",
      true,
      new Date("2026-12-06T05:00:00.123Z"),
      JSON.stringify({ a: [1, "two", null] }),
      ["x", 'y "quoted"', "NULL", ""],
      "12345.678901234567890",
      Buffer.from([0, 1, 254, 255]),
      "second",
    ];
    const before = proxy.stats().httpQueries;
    const inserted = await db.$client.query({ text: insert, values });
    expect(proxy.stats().httpQueries).toBe(before + 1);
    expect(inserted.command).toBe("INSERT");
    expect(inserted.rowCount).toBe(2);

    const select = "select name, big, ok, at, doc, tags, n, raw from kinds where id = any($1) order by id";
    const ids = inserted.rows.map((row: { id: number }) => row.id);
    const viaHttp = await db.$client.query({ text: select, values: [ids], rowMode: "array" });
    const viaWs = await overWebSocket(select, [ids]);
    expect(viaHttp.rows).toEqual(viaWs.rows);
    expect(viaHttp.rowCount).toBe(2);
    expect(viaHttp.fields.map((field) => [field.name, field.dataTypeID])).toEqual(
      viaWs.fields.map((field) => [field.name, field.dataTypeID]),
    );
    expect(viaHttp.rows[0]).toEqual([
      values[0],
      "9007199254740993",
      true,
      new Date("2026-12-06T05:00:00.123Z"),
      { a: [1, "two", null] },
      ["x", 'y "quoted"', "NULL", ""],
      "12345.678901234567890",
      Buffer.from([0, 1, 254, 255]),
    ]);
    expect(viaHttp.rows[1]).toEqual(["second", null, null, null, null, null, null, null]);
  });

  it("keeps a long-lived pool's queries on its WebSocket when asked to", async () => {
    const longLived = createDb({
      databaseUrl: postgres.databaseUrl,
      wsProxy: proxy.address,
      webSocketConstructor: ws,
      queriesOver: "websocket",
    });
    try {
      const before = proxy.stats();
      for (let i = 0; i < 3; i++) await longLived.execute(sql`select ${i}::int as i`);
      const after = proxy.stats();
      expect(after.httpQueries).toBe(before.httpQueries);
      expect(after.connections).toBe(before.connections + 1);
    } finally {
      await longLived.$client.end();
    }
  });

  it("goes through drizzle, and a constraint violation keeps its SQLSTATE and constraint", async () => {
    await db.execute(sql`insert into kinds (name) values ('unique-name')`);
    const duplicate = await db.execute(sql`insert into kinds (name) values ('unique-name')`).catch((e) => e);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
    expect(duplicate.cause).toMatchObject({ code: "23505", constraint: "kinds_name_key", table: "kinds" });
  });

  it("runs one statement per query, as Neon's extended-protocol endpoint does", async () => {
    const error = await db.$client.query("select 1; select 2").catch((e) => e);
    expect(error.code).toBe("42601");
  });

  it("runs a batch in one transaction: all or nothing, in the mode its headers ask", async () => {
    const run = neon(postgres.databaseUrl);
    const [first, second] = await run.transaction([
      run`insert into kinds (name) values ('batch-1') returning name`,
      run`select count(*)::int as n from kinds where name like 'batch-%'`,
    ]);
    expect(first).toEqual([{ name: "batch-1" }]);
    expect(second).toEqual([{ n: 1 }]);

    const failed = await run
      .transaction([
        run`insert into kinds (name) values ('batch-2')`,
        run`insert into kinds (name) values ('batch-1')`,
      ])
      .catch((e) => e);
    expect(failed.code).toBe("23505");
    expect(await run`select name from kinds where name = 'batch-2'`).toEqual([]);

    const readOnly = await run
      .transaction([run`insert into kinds (name) values ('batch-3')`], { readOnly: true })
      .catch((e) => e);
    expect(readOnly.code).toBe("25006");
  });

  it("refuses what Neon refuses, with a message and no query run", async () => {
    const before = await db.$client.query("select count(*)::int as n from kinds");
    const cases: [Response, number][] = [
      [await fetch(sqlEndpoint()), 405],
      [
        await post(
          { query: "delete from kinds" },
          { "Neon-Connection-String": "postgres://u:p@10.0.0.1/db" },
        ),
        400,
      ],
      [
        await post({ query: "delete from kinds" }, { "Neon-Connection-String": "mysql://u:p@127.0.0.1/db" }),
        400,
      ],
      [await post({ query: "delete from kinds" }, { "Neon-Raw-Text-Output": "false" }), 400],
      [
        await post({ queries: [{ query: "delete from kinds" }] }, { "Neon-Batch-Isolation-Level": "Chaos" }),
        400,
      ],
      [await post({ params: [] }), 400],
      [await post({ query: "x".repeat(11 * 1024 * 1024) }), 413],
    ];
    for (const [response, status] of cases) {
      expect(response.status).toBe(status);
      expect(((await response.json()) as { message: string }).message).toBeTruthy();
    }
    expect(await db.$client.query("select count(*)::int as n from kinds")).toMatchObject({
      rows: before.rows,
    });
  });

  it("never hands a connection left inside a transaction to the next query", async () => {
    expect((await post({ query: "BEGIN" })).status).toBe(200);
    // PGlite has one session: an open transaction on a pooled connection would hold every other client.
    const viaWs = await overWebSocket("select 1 as one", []);
    expect(viaWs.rows).toEqual([[1]]);
    // Each query in a transaction of its own: a leaked open transaction would show the same id twice.
    const txid = async () =>
      ((await (await post({ query: "select txid_current()::text as id" })).json()) as { rows: string[][] })
        .rows;
    expect(await txid()).not.toEqual(await txid());
  });

  it("converts JSON parameters to Postgres text as Neon does", () => {
    expect([true, 42, 'foo"', null, { a: 1 }].map(paramText)).toEqual([
      "true",
      "42",
      'foo"',
      null,
      '{"a":1}',
    ]);
    expect(paramText([true, null, "NULL", 42, 'bar"-\\'])).toBe('{true,NULL,"NULL",42,"bar\\"-\\\\"}');
    expect(
      paramText([
        [1, 2],
        [null, "a"],
      ]),
    ).toBe('{{1,2},{NULL,"a"}}');
    expect(paramText([{ foo: 1 }])).toBe('{"{\\"foo\\":1}"}');
  });

  it("gives up on an endpoint that does not answer, as the database being unavailable", async () => {
    const hung = createServer(() => {});
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    const { port } = hung.address() as AddressInfo;
    const slow = createDb({
      databaseUrl: postgres.databaseUrl,
      wsProxy: `127.0.0.1:${port}`,
      httpQueryTimeoutMs: 300,
    });
    try {
      const started = Date.now();
      const error = await slow.execute(sql`select 1`).catch((e) => e);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      hung.closeAllConnections();
      hung.close();
      // The driver's settings are global: put back the ones every other test uses.
      db = createDb({ databaseUrl: postgres.databaseUrl, wsProxy: proxy.address, webSocketConstructor: ws });
    }
  });

  it("reports a database it cannot reach as a server error, which the Worker reads as unavailable", async () => {
    const other = await startEmbeddedPostgres();
    const otherProxy = await startWsProxy({ allowedTargets: [other.databaseUrl] });
    const fetchEndpoint = neonConfig.fetchEndpoint;
    try {
      neonConfig.fetchEndpoint = `http://${otherProxy.address}/sql`;
      const run = neon(other.databaseUrl);
      expect(await run`select 1 as one`).toEqual([{ one: 1 }]);
      await other.close();
      const down = await run`select 1 as one`.catch((e) => e);
      expect(down.message).toMatch(/Server error \(HTTP status 500\)/);
      expect(isDatabaseUnavailable(down)).toBe(true);
      await otherProxy.close();
      const gone = await run`select 1 as one`.catch((e) => e);
      expect(gone.message).toMatch(/Error connecting to database/);
      expect(isDatabaseUnavailable(gone)).toBe(true);
    } finally {
      neonConfig.fetchEndpoint = fetchEndpoint;
      await otherProxy.close().catch(() => {});
    }
  });
});
