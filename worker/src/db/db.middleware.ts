import type { MiddlewareHandler } from "hono";
import { createDb } from "../../../schema/db";
import type { AppEnv } from "../env";

/**
 * A database handle per request. Workers cannot reuse a socket across requests, so the pool is ended once the
 * response is produced (after it is sent, via waitUntil). Opening it costs nothing until the first query.
 */
export const database: MiddlewareHandler<AppEnv> = async (c, next) => {
  const db = createDb({
    databaseUrl: c.env.DATABASE_URL,
    wsProxy: c.env.DB_WS_PROXY,
    connectTimeoutMs: 3_000,
  });
  c.set("db", db);
  try {
    await next();
  } finally {
    c.executionCtx.waitUntil(db.$client.end().catch(() => {}));
  }
};
