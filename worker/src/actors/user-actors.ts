import type { Client } from "rivetkit";
import { ApiError } from "../../../platform/api-error";
import type { Env } from "../env";
import { growAgentKey, subAgentKey } from "./actor-keys";
import { internalParams } from "./internal-auth";
import type { Registry } from "./registry";

export type ActorsClient = (env: Env) => Client<Registry>;

/** A REST call's credential outlives the call by a margin only; a live stream passes its own deadline. */
const CALL_LIFETIME_MS = 60_000;

/**
 * The Worker's handles on a user's actors, for a user the request already verified. They carry internal
 * credentials (an HMAC, checked without the database) instead of the caller's token, so a REST call costs one
 * JWT check and one pool, in the Worker, not a second round inside the actor (docs/decisions/0006).
 */
export function userActors(
  actorsClient: ActorsClient | undefined,
  env: Env,
  userId: string,
  lifetimeMs = CALL_LIFETIME_MS,
) {
  if (!actorsClient) throw new ApiError("actors_unavailable", "Actors are not available on this server");
  const client = actorsClient(env);
  return {
    growAgent: async () =>
      client.growAgent.getOrCreate(growAgentKey(userId), {
        params: await internalParams(env, userId, "growAgent", Date.now(), lifetimeMs),
      }),
    subAgent: async (subAgentId: string) =>
      client.subAgent.get(subAgentKey(userId, subAgentId), {
        params: await internalParams(env, userId, "subAgent", Date.now(), lifetimeMs),
      }),
    /** By RivetKit actor id (from the mirror): the actor still checks that its key is this user's. */
    subAgentById: async (actorId: string) =>
      client.subAgent.getForId(actorId, {
        params: await internalParams(env, userId, "subAgent", Date.now(), lifetimeMs),
      }),
    /** The Grow Agent if it exists, without creating one (a notice it may not need). */
    existingGrowAgent: async () =>
      client.growAgent.get(growAgentKey(userId), {
        params: await internalParams(env, userId, "growAgent", Date.now(), lifetimeMs),
      }),
  };
}
