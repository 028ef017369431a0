import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../../platform/api-error";
import type { AppEnv } from "../env";
import { RATE_LIMIT_WINDOW_SECONDS } from "./limits";

/**
 * Counts one request against the user's limit; false when it is used up. One budget per user for the REST API
 * and RivetKit's routes (`/api/rivet/*`), so neither is a way around the other.
 */
export async function takeUserRequest(env: Pick<AppEnv["Bindings"], "USER_RATE_LIMITER">, userId: string) {
  const limiter = env.USER_RATE_LIMITER;
  if (!limiter) return true;
  const { success } = await limiter.limit({ key: userId });
  return success;
}

/** Per-user limit after authentication, so one user cannot starve the others. */
export const rateLimitPerUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!(await takeUserRequest(c.env, c.var.user.id))) {
    throw new ApiError("rate_limited", `Too many requests; retry in ${RATE_LIMIT_WINDOW_SECONDS} seconds`, {
      "Retry-After": String(RATE_LIMIT_WINDOW_SECONDS),
    });
  }
  await next();
};
