import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../../schema";
import { createDb } from "../../../schema/db";
import { createApp } from "../app";
import type { Env } from "../env";

const bindings: Env = env;

describe("Neon driver inside workerd", () => {
  it("reaches Postgres through the WebSocket proxy and round-trips a row", async () => {
    const db = createDb({ databaseUrl: bindings.DATABASE_URL, wsProxy: bindings.DB_WS_PROXY });
    try {
      const [{ one }] = (await db.execute<{ one: number }>(sql`select 1 as one`)).rows as [{ one: number }];
      expect(one).toBe(1);

      const clerkUserId = `user_workerd_${crypto.randomUUID()}`;
      const [inserted] = await db.insert(users).values({ clerkUserId, email: "w@example.com" }).returning();
      const [found] = await db.select().from(users).where(eq(users.clerkUserId, clerkUserId));
      expect(found?.id).toBe(inserted?.id);
      expect(found?.email).toBe("w@example.com");
    } finally {
      await db.$client.end();
    }
  });

  it("serves /api/health with the database round-trip from the Worker itself", async () => {
    const response = await exports.default.fetch("http://growqr.test/api/health");
    const body = (await response.json()) as {
      checks: { database: { status: string; latencyMs: number }; provisioner: { status: string } };
    };
    expect(response.status).toBe(200);
    expect(body.checks.database.status).toBe("ok");
    // Answered by the provisioner Worker through the service binding.
    expect(body.checks.provisioner.status).toBe("ok");
    expect(body.checks.database.latencyMs).toBeGreaterThanOrEqual(0);
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });
});

describe("health when the database is unreachable", () => {
  it("answers 503 in the error shape instead of crashing", async () => {
    // A port nothing listens on: the driver's WebSocket is refused, as when the proxy or Neon is down.
    const deadEnv: Env = { ...bindings, DB_WS_PROXY: "127.0.0.1:9" };
    const ctx = createExecutionContext();
    const response = await createApp().fetch(new Request("http://growqr.test/api/health"), deadEnv, ctx);
    await waitOnExecutionContext(ctx);

    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const body = (await response.json()) as { error: { code: string; requestId: string }; checks: object };
    expect(body.error.code).toBe("database_unavailable");
    expect(body.error.requestId).toBe(response.headers.get("x-request-id"));
    expect(JSON.stringify(body)).not.toContain("postgres://");
  });
});
