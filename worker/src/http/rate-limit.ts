import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../../platform/api-error";
import type { AppEnv } from "../env";

/** The binding's window (wrangler.toml `ratelimits.simple.period`): the longest a limited caller must wait. */
const WINDOW_SECONDS = 60;

/** Per-user limit after authentication, so one user cannot starve the others. */
export const rateLimitPerUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const limiter = c.env.USER_RATE_LIMITER;
  if (limiter) {
    const { success } = await limiter.limit({ key: c.var.user.id });
    if (!success) {
      throw new ApiError(429, "rate_limited", `Too many requests; retry in ${WINDOW_SECONDS} seconds`, {
        "Retry-After": String(WINDOW_SECONDS),
      });
    }
  }
  await next();
};
