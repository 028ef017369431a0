import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ensureUser, UserCache } from "../users/ensure-user";
import { readAuthConfig } from "./auth-config";
import { bearerToken, verifySessionToken } from "./verify-token";

const userCache = new UserCache();

/** Every route behind this knows its caller only from a verified token: `c.var.user`. */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = readAuthConfig(c.env);
  const claims = await verifySessionToken(bearerToken(c.req.header("authorization")), config);
  const user = await ensureUser(c.var.db, claims, userCache);
  c.set("user", user);
  c.set("tokenExpiresAt", claims.expiresAt * 1000);
  c.set("log", c.var.log.child({ userId: user.id }));
  await next();
};
