import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../../platform/api-error";
import { MAX_BODY_BYTES, MAX_MEMORY_BODY_BYTES, MAX_WEBHOOK_BODY_BYTES } from "./limits";
import { readBodyWithin } from "./read-body";

/**
 * Reads the body within `maxSize` (declared or streamed) and hands it on; past it, 413. An oversize body is read
 * and dropped (up to 1 MiB) before the answer: answered early, `wrangler dev`'s proxy lost about one connection in
 * a hundred under concurrent uploads (the hostile-input flake). hono's bodyLimit answers early.
 */
const limit =
  (maxSize: number): MiddlewareHandler =>
  async (c, next) => {
    // A GET or HEAD body is never read here, and a Request with one cannot be rebuilt.
    if (!c.req.raw.body || c.req.method === "GET" || c.req.method === "HEAD") return next();
    const bytes = await readBodyWithin(c.req.raw, maxSize);
    if (!bytes) {
      throw new ApiError("payload_too_large", `Request bodies are limited to ${maxSize} bytes here`);
    }
    c.req.raw = new Request(c.req.raw, { body: bytes });
    return next();
  };

/** Paths allowed more than MAX_BODY_BYTES. */
const LARGER_BYTES: Record<string, number> = {
  "/api/memory/file": MAX_MEMORY_BODY_BYTES,
  "/api/webhooks/stripe": MAX_WEBHOOK_BODY_BYTES,
};

/** The body size limit of a path (`/api/…`). */
export const maxBodyBytesFor = (path: string): number => LARGER_BYTES[path] ?? MAX_BODY_BYTES;

const standard = limit(MAX_BODY_BYTES);
const larger: Record<string, MiddlewareHandler> = Object.fromEntries(
  Object.entries(LARGER_BYTES).map(([path, bytes]) => [path, limit(bytes)]),
);

/** Holds every body to its path's limit, declared (Content-Length) or streamed (chunked). */
export const limitBody: MiddlewareHandler = (c, next) => (larger[c.req.path] ?? standard)(c, next);
