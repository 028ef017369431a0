import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../../../platform/api-error";
import { MAX_BODY_BYTES, MAX_MEMORY_BODY_BYTES, MAX_WEBHOOK_BODY_BYTES } from "./limits";

const limit = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, "payload_too_large", `Request bodies are limited to ${maxSize} bytes here`);
    },
  });

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

/** Refuses large bodies before they are read (Content-Length) or while streaming in (chunked). */
export const limitBody: MiddlewareHandler = (c, next) => (larger[c.req.path] ?? standard)(c, next);
