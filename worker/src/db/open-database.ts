import { createDb, type Database, withDb } from "../../../schema/db";
import type { Env } from "../env";

const settingsOf = (env: Pick<Env, "DATABASE_URL" | "DB_WS_PROXY">) => ({
  databaseUrl: env.DATABASE_URL,
  wsProxy: env.DB_WS_PROXY,
  connectTimeoutMs: 3_000,
});

export const openDatabase = (env: Pick<Env, "DATABASE_URL" | "DB_WS_PROXY">): Database =>
  createDb(settingsOf(env));

/** `withDb` (schema/db.ts) with the Worker's settings: one pool for one unit of work outside a request. */
export const withDatabase = <T>(
  env: Pick<Env, "DATABASE_URL" | "DB_WS_PROXY">,
  work: (db: Database) => Promise<T>,
): Promise<T> => withDb(settingsOf(env), work);
