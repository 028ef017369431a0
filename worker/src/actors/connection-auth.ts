import { UserError } from "rivetkit/errors";
import { readAuthConfig } from "../auth/auth-config";
import { verifySessionToken } from "../auth/verify-token";
import { withDatabase } from "../db/open-database";
import type { Env } from "../env";
import { ensureUser, verifiedUsers } from "../users/ensure-user";
import { toActorError } from "./actor-errors";
import { type ActorType, assertOwnsKey } from "./actor-keys";
import { verifyInternalParams } from "./internal-auth";

/**
 * What a client passes as RivetKit connection params: `getParams: async () => ({ token })`. Actors calling each
 * other pass `internalParams(env, userId, audience)` instead (internal-auth.ts).
 */
export interface ConnParams {
  token?: unknown;
  internal?: unknown;
}

/** Who is on the other end of an actor connection, from the verified token only. */
export interface ConnState {
  userId: string;
  clerkUserId: string;
  /**
   * ms since the epoch (the token's or internal credential's expiry): actions after this are refused and the
   * connection gets no further event (live-conns.ts), so a long-lived socket cannot outlive its token.
   */
  tokenExpiresAt: number;
  /** Another actor of the same user (internal-auth.ts), not a client. */
  internal?: boolean;
}

/** The same code as the close reason of an expired connection (conn-expiry.ts): the client reconnects. */
const tokenExpired = () =>
  new UserError("The session token has expired; reconnect with a fresh one", { code: "token_expired" });

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
    // Expired, for another actor type or another user, or not ours: one refusal, so a caller learns nothing.
    const caller = await verifyInternalParams(env, params, actor.type);
    if (!caller) throw new UserError("Invalid internal credentials", { code: "forbidden" });
    assertOwnsKey(actor.type, actor.key, caller.userId);
    return {
      userId: caller.userId,
      clerkUserId: "internal",
      tokenExpiresAt: caller.expiresAt,
      internal: true,
    };
  }
  if (typeof params?.token !== "string" || params.token.length === 0) {
    throw new UserError("Pass a session token in the connection params: { token }", {
      code: "missing_token",
    });
  }
  try {
    const claims = await verifySessionToken(params.token, readAuthConfig(env));
    // The verifier allows a few seconds of clock skew; a connection does not: one opened with a token already
    // past its expiry would look live to the client yet be closed at the next event (live-conns.ts).
    if (Date.now() >= claims.expiresAt * 1000) throw tokenExpired();
    const user = await withDatabase(env, (db) => ensureUser(db, claims, verifiedUsers));
    assertOwnsKey(actor.type, actor.key, user.id);
    return { userId: user.id, clerkUserId: claims.sub, tokenExpiresAt: claims.expiresAt * 1000 };
  } catch (error) {
    toActorError(error);
  }
}

/**
 * A fresh token for an open connection (the `renewToken` action), so a client whose tokens are short-lived (Clerk's
 * live 60 s) keeps its socket instead of being closed at every expiry. Only a token of the same user, still valid by
 * our clock, extends it; never for internal connections. The connection's new state.
 */
export async function renewConnectionToken(
  env: Env,
  state: ConnState,
  token: unknown,
  now = () => Date.now(),
): Promise<ConnState> {
  if (state.internal) throw new UserError("Internal connections do not renew", { code: "forbidden" });
  if (typeof token !== "string" || token.length === 0) {
    throw new UserError("Pass the new session token", { code: "missing_token" });
  }
  try {
    const claims = await verifySessionToken(token, readAuthConfig(env));
    if (now() >= claims.expiresAt * 1000) throw tokenExpired();
    // The subject is the identity (connection state holds the one it was opened with): no database round-trip.
    if (claims.sub !== state.clerkUserId) {
      throw new UserError("The token is another user's", { code: "forbidden" });
    }
    return { ...state, tokenExpiresAt: Math.max(state.tokenExpiresAt, claims.expiresAt * 1000) };
  } catch (error) {
    toActorError(error);
  }
}

/** Every action re-checks ownership and expiry: the connection may be older than the token. */
export function assertCaller(
  state: ConnState | undefined,
  actor: { type: ActorType; key: readonly string[] },
  now = Date.now(),
): ConnState {
  if (!state) throw new UserError("Not authenticated", { code: "unauthorized" });
  if (now >= state.tokenExpiresAt) throw tokenExpired();
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
