import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { splitList } from "../auth/auth-config";
import type { AppEnv } from "../env";

/**
 * Every method the API documents (cors.test.ts checks this against the OpenAPI document), so a browser on an
 * allowed origin (the SPA on Pages, the API on the Worker's own origin) can make every call the SPA makes.
 */
export const CORS_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** CORS for the SPA origins in `CORS_ORIGINS`; other origins get no CORS headers, so browsers block them. */
export const corsForSpa: MiddlewareHandler<AppEnv> = (c, next) =>
  cors({
    origin: (origin) => (splitList(c.env.CORS_ORIGINS).includes(origin) ? origin : null),
    allowMethods: [...CORS_METHODS],
    allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID", "X-Request-Id", "Idempotency-Key"],
    exposeHeaders: ["X-Request-Id", "Retry-After", "Server-Timing"],
    maxAge: 600,
  })(c, next);
