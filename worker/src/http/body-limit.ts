import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../../../platform/api-error";

export const MAX_BODY_BYTES = 64 * 1024;
/** A memory file may be 256 KiB of text; JSON escaping (newlines, quotes) can nearly triple that. */
export const MAX_MEMORY_BODY_BYTES = 768 * 1024;

const limit = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, "payload_too_large", `Request bodies are limited to ${maxSize} bytes here`);
    },
  });

const standard = limit(MAX_BODY_BYTES);
const memoryWrite = limit(MAX_MEMORY_BODY_BYTES);

/** Refuses large bodies before they are read (Content-Length) or while streaming in (chunked). */
export const limitBody: MiddlewareHandler = (c, next) =>
  (c.req.path === "/api/memory/file" ? memoryWrite : standard)(c, next);
