import { UserError } from "rivetkit/errors";

export type ActorType = "growAgent" | "subAgent";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SUB_AGENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** growAgent: exactly one per user, keyed by the user's id. */
export const growAgentKey = (userId: string): string[] => [userId];

/** subAgent: one per unit of delegated work, keyed by owner and sub-agent id. */
export const subAgentKey = (userId: string, subAgentId: string): string[] => [userId, subAgentId];

/** The user a well-formed key belongs to, or undefined for a key no client may use. */
export function keyOwner(type: ActorType, key: readonly string[]): string | undefined {
  const [userId, subAgentId] = key;
  if (!userId || !UUID.test(userId)) return undefined;
  if (type === "growAgent") return key.length === 1 ? userId : undefined;
  return key.length === 2 && subAgentId && SUB_AGENT_ID.test(subAgentId) ? userId : undefined;
}

/**
 * Refuses a caller whose verified user does not own the actor's key. The same refusal for "not yours" and
 * "malformed", so a caller learns nothing about other users' actors.
 */
export function assertOwnsKey(type: ActorType, key: readonly string[], userId: string): void {
  if (keyOwner(type, key) !== userId) {
    throw new UserError("This actor does not belong to you", { code: "forbidden" });
  }
}

/** Stable text form of a key for the `actors` table (unique with the type). */
export const serializeKey = (key: readonly string[]): string => JSON.stringify(key);
