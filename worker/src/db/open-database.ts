import { createDb, type Database, withDb } from "../../../schema/db";
import type { Env } from "../env";

const settingsOf = (env: Pick<Env, "DATABASE_URL" | "DB_WS_PROXY">) => ({
  databaseUrl: env.DATABASE_URL,
  wsProxy: env.DB_WS_PROXY,
  connectTimeoutMs: 3_000,
});

export const openDatabase = (env: Pick<Env, "DATABASE_URL" | "DB_WS_PROXY">): Database =>
  createDb(settingsOf(env));

/**
 * A pool for a Durable Object's whole life (an actor's turns, its event shipping): its queries share one WebSocket,
 * which the object may keep across requests, instead of a `fetch` each (decision 0012).
 */
export const openLongLivedDatabase = (env: Pick<Env, "DATABASE_URL" | "DB_WS_PROXY">): Database =>
  createDb({ ...settingsOf(env), queriesOver: "websocket" });

/**
 * `withDb` (schema/db.ts) with the Worker's settings: one pool for one unit of work outside a request. Work that
 * runs many queries (a batch job) passes `queriesOver: "websocket"`: over HTTP each query would be a subrequest,
 * and an invocation may make only so many.
 */
export const withDatabase = <T>(
  env: Pick<Env, "DATABASE_URL" | "DB_WS_PROXY">,
  work: (db: Database) => Promise<T>,
  options: { queriesOver?: "http" | "websocket" } = {},
): Promise<T> => withDb({ ...settingsOf(env), ...options }, work);
