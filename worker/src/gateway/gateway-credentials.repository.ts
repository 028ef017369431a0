import { eq } from "drizzle-orm";
import { userStacks } from "../../../schema";
import type { Database } from "../../../schema/db";

/**
 * The user whose stack holds the credential with this hash (`hashGatewayKey`): one query on the unique
 * `gateway_key_hash` index. A destroyed stack's hash is cleared by the provisioner, and a recreated one replaces
 * it, so old credentials find no one.
 */
export async function userOfGatewayKeyHash(db: Database, keyHash: string): Promise<string | undefined> {
  const rows = await db
    .select({ userId: userStacks.userId })
    .from(userStacks)
    .where(eq(userStacks.gatewayKeyHash, keyHash))
    .limit(1);
  return rows[0]?.userId;
}
