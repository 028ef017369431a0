import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { openDatabase } from "./open-database";
import { countQueries, serverTiming } from "./query-counter";

/**
 * A database handle per request. Workers cannot reuse a socket across requests, so the pool is ended once the
 * response is produced (after it is sent, via waitUntil). Opening it costs nothing until the first query.
 */
export const database: MiddlewareHandler<AppEnv> = async (c, next) => {
  const db = openDatabase(c.env);
  const stats = countQueries(db.$client);
  c.set("db", db);
  try {
    await next();
  } finally {
    c.executionCtx.waitUntil(db.$client.end().catch(() => {}));
  }
  c.header("Server-Timing", serverTiming(stats), { append: true });
};
