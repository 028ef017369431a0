import { createDb, type Database } from "../../../schema/db";
import type { Env } from "../env";

export const openDatabase = (env: Pick<Env, "DATABASE_URL" | "DB_WS_PROXY">): Database =>
  createDb({ databaseUrl: env.DATABASE_URL, wsProxy: env.DB_WS_PROXY, connectTimeoutMs: 3_000 });

/**
 * Runs `work` on a pool of its own and ends the pool after it, for work outside a request's pool (an actor, a
 * stream that outlives its handler): a Worker's sockets cannot outlive the request or event that opened them.
 */
export async function withDatabase<T>(
  env: Pick<Env, "DATABASE_URL" | "DB_WS_PROXY">,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  const db = openDatabase(env);
  try {
    return await work(db);
  } finally {
    await db.$client.end().catch(() => {});
  }
}
