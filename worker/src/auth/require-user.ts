import type { MiddlewareHandler } from "hono";
import type { Database } from "../../../schema/db";
import type { AppEnv, Env } from "../env";
import { ensureUser, verifiedUsers } from "../users/ensure-user";
import { readAuthConfig } from "./auth-config";
import { bearerToken, verifySessionToken } from "./verify-token";

/**
 * The user behind an `Authorization` header value: shape check, signature and claims (verify-token.ts), then the
 * mirrored row. The one path for REST and RivetKit's manager routes.
 */
export async function userFromAuthorization(env: Env, db: Database, authorization: string | undefined) {
  const claims = await verifySessionToken(bearerToken(authorization), readAuthConfig(env));
  return { claims, user: await ensureUser(db, claims, verifiedUsers) };
}

/** Every route behind this knows its caller only from a verified token: `c.var.user`. */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { claims, user } = await userFromAuthorization(c.env, c.var.db, c.req.header("authorization"));
  c.set("user", user);
  c.set("tokenExpiresAt", claims.expiresAt * 1000);
  c.set("log", c.var.log.child({ userId: user.id }));
  await next();
};
