import { createDb, type Database } from "../../../schema/db";
import type { Env } from "../env";

export const openDatabase = (env: Pick<Env, "DATABASE_URL" | "DB_WS_PROXY">): Database =>
  createDb({ databaseUrl: env.DATABASE_URL, wsProxy: env.DB_WS_PROXY, connectTimeoutMs: 3_000 });
