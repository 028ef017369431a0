import { UserError } from "rivetkit/errors";
import { readAuthConfig } from "../auth/auth-config";
import { verifySessionToken } from "../auth/verify-token";
import { openDatabase } from "../db/open-database";
import type { Env } from "../env";
import { ensureUser, UserCache } from "../users/ensure-user";
import { toActorError } from "./actor-errors";
import { type ActorType, assertOwnsKey } from "./actor-keys";
import { verifyInternalParams } from "./internal-auth";

/**
 * What a client passes as RivetKit connection params: `getParams: async () => ({ token })`. Actors calling each
 * other pass `internalParams(env, userId)` instead (internal-auth.ts).
 */
export interface ConnParams {
  token?: unknown;
  internal?: unknown;
  userId?: unknown;
}

/** Who is on the other end of an actor connection, from the verified token only. */
export interface ConnState {
  userId: string;
  clerkUserId: string;
  /** ms since the epoch; actions after this are refused so a long-lived socket cannot outlive its token. */
  tokenExpiresAt: number;
  /** Another actor of the same user (internal-auth.ts), not a client. */
  internal?: boolean;
}

const userCache = new UserCache();

/**
 * Verifies the connection's token with the same code as the REST API and checks that its user owns the actor
 * key. Runs in onBeforeConnect/createConnState, i.e. on every connect and reconnect and on every stateless call.
 */
export async function authenticateConnection(
  env: Env,
  params: ConnParams | undefined,
  actor: { type: ActorType; key: readonly string[] },
): Promise<ConnState> {
  if (params?.internal !== undefined) {
    const userId = await verifyInternalParams(env, params);
    if (!userId) throw new UserError("Invalid internal credentials", { code: "forbidden" });
    assertOwnsKey(actor.type, actor.key, userId);
    return { userId, clerkUserId: "internal", tokenExpiresAt: Number.MAX_SAFE_INTEGER, internal: true };
  }
  if (typeof params?.token !== "string" || params.token.length === 0) {
    throw new UserError("Pass a session token in the connection params: { token }", {
      code: "missing_token",
    });
  }
  const db = openDatabase(env);
  try {
    const claims = await verifySessionToken(params.token, readAuthConfig(env));
    const user = await ensureUser(db, claims, userCache);
    assertOwnsKey(actor.type, actor.key, user.id);
    return { userId: user.id, clerkUserId: claims.sub, tokenExpiresAt: claims.expiresAt * 1000 };
  } catch (error) {
    toActorError(error);
  } finally {
    await db.$client.end().catch(() => {});
  }
}

/** Every action re-checks ownership and expiry: the connection may be older than the token. */
export function assertCaller(
  state: ConnState | undefined,
  actor: { type: ActorType; key: readonly string[] },
  now = Date.now(),
): ConnState {
  if (!state) throw new UserError("Not authenticated", { code: "unauthorized" });
  if (now >= state.tokenExpiresAt) {
    throw new UserError("The session token has expired; reconnect with a fresh one", {
      code: "token_expired",
    });
  }
  assertOwnsKey(actor.type, actor.key, state.userId);
  return state;
}

/** For actions only the user's own actors may call (relays from sub-agents): a client's token is not enough. */
export function assertInternalCaller(
  state: ConnState | undefined,
  actor: { type: ActorType; key: readonly string[] },
): ConnState {
  const caller = assertCaller(state, actor);
  if (!caller.internal)
    throw new UserError("Only the user's own actors may call this", { code: "forbidden" });
  return caller;
}
