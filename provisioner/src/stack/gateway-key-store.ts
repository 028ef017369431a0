import { eq } from "drizzle-orm";
import { type Database, withDb } from "../../../schema/db";
import { userStacks } from "../../../schema/tables/stacks";
import type { Env } from "../env";

/** Where the gateway looks stack credentials up: their hashes, one per user, in `user_stacks`. */
export interface GatewayKeyStore {
  /** Makes this hash the user's only valid credential (replacing any earlier one). */
  register(keyHash: string): Promise<void>;
  /** The user's stack has no valid credential any more. */
  revoke(): Promise<void>;
}

/**
 * Unlike the `user_stacks` mirror (best effort), these writes must succeed: a credential the gateway does not know
 * is never given to a machine, and a destroy that cannot revoke fails (and can be retried). The mirror's upsert
 * never touches the hash column, so the two never undo each other.
 */
export function postgresGatewayKeys(env: Env, userId: string, flyApp: string): GatewayKeyStore {
  const settings = { databaseUrl: env.DATABASE_URL, wsProxy: env.DB_WS_PROXY, connectTimeoutMs: 3_000 };
  const withDatabase = async (work: (db: Database) => Promise<unknown>) => {
    await withDb(settings, work);
  };
  return {
    register: (keyHash) =>
      withDatabase((db) =>
        db
          .insert(userStacks)
          .values({ userId, flyApp, gatewayKeyHash: keyHash })
          .onConflictDoUpdate({
            target: userStacks.userId,
            set: { gatewayKeyHash: keyHash, updatedAt: new Date() },
          }),
      ),
    revoke: () =>
      withDatabase((db) =>
        db
          .update(userStacks)
          .set({ gatewayKeyHash: null, updatedAt: new Date() })
          .where(eq(userStacks.userId, userId)),
      ),
  };
}
