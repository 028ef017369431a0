import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { splitList } from "../auth/auth-config";
import type { AppEnv } from "../env";

/** CORS for the SPA origins in `CORS_ORIGINS`; other origins get no CORS headers, so browsers block them. */
export const corsForSpa: MiddlewareHandler<AppEnv> = (c, next) =>
  cors({
    origin: (origin) => (splitList(c.env.CORS_ORIGINS).includes(origin) ? origin : null),
    allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID", "X-Request-Id", "Idempotency-Key"],
    exposeHeaders: ["X-Request-Id", "Retry-After", "Server-Timing"],
    maxAge: 600,
  })(c, next);
