import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError, codeForStatus, errorBody } from "./api-error";
import { createLogger, type Logger } from "./logger";
import { applySecurityHeaders } from "./security-headers";

/** Variables every request of either Worker carries. */
export interface RequestVariables {
  requestId: string;
  log: Logger;
}

type RequestEnv = { Variables: RequestVariables };

// A caller-supplied id is kept for end-to-end tracing only if it cannot smuggle anything into logs or headers.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives the request an id, a logger bound to it, `X-Request-Id` and the security headers (security-headers.ts)
 * on the response, and one access-log line.
 */
export function requestContext(service: string): MiddlewareHandler<RequestEnv> {
  const baseLogger = createLogger({ service });
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    const log = baseLogger.child({ requestId });
    c.set("requestId", requestId);
    c.set("log", log);
    const started = performance.now();
    await next();
    c.header("X-Request-Id", requestId);
    // A WebSocket upgrade's headers reach no document; its Response must stay the runtime's own.
    if (c.res.status !== 101) {
      applySecurityHeaders(c.res.headers, {
        authorization: c.req.header("authorization"),
        status: c.res.status,
      });
    }
    log.info("request", {
      method: c.req.method,
      path: loggablePath(c.req.path),
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}

/** A share link's token is its whole credential: request logs (kept by Workers Logs) get the route, not it. */
export const loggablePath = (path: string) => path.replace(/^(\/api\/shared\/)[^/]+/, "$1:token");

const requestIdOf = (c: Context) => (c.get("requestId") as string | undefined) ?? "unknown";

export const jsonError = (c: Context, status: ContentfulStatusCode, code: string, message: string) =>
  c.json(errorBody(code, message, requestIdOf(c)), status);

/** Every failure leaves as the one error shape; unexpected ones are logged in full and answered without detail. */
export const handleError: ErrorHandler = (error, c) => {
  if (error instanceof ApiError) {
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return jsonError(c, error.status, error.code, error.message);
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    // Hono's JSON validator reports an unparsable body this way.
    const code =
      status === 400 && /malformed json/i.test(error.message) ? "invalid_json" : codeForStatus(status);
    return jsonError(c, status, code, error.message || "Request failed");
  }
  const log = c.get("log") as Logger | undefined;
  log?.error("unhandled error", { error, stack: error instanceof Error ? error.stack : undefined });
  return jsonError(c, 500, "internal_error", "Something went wrong; quote the request id when reporting it");
};

export const handleNotFound: NotFoundHandler = (c) =>
  jsonError(c, 404, "not_found", `No route for ${c.req.method} ${c.req.path}`);
