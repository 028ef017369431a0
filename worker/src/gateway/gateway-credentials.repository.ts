import { eq } from "drizzle-orm";
import { hashGatewayKey } from "../../../provisioner/src/stack/gateway-key";
import { userStacks } from "../../../schema";
import type { Database } from "../../../schema/db";

/**
 * The user whose stack holds this credential: one query on the unique `gateway_key_hash` index. A destroyed
 * stack's hash is cleared by the provisioner, and a recreated one replaces it, so old credentials find no one.
 */
export async function userOfGatewayKey(db: Database, key: string): Promise<string | undefined> {
  const rows = await db
    .select({ userId: userStacks.userId })
    .from(userStacks)
    .where(eq(userStacks.gatewayKeyHash, await hashGatewayKey(key)))
    .limit(1);
  return rows[0]?.userId;
}
