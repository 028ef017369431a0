import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../../../platform/api-error";

export const MAX_BODY_BYTES = 64 * 1024;

/** Refuses large bodies before they are read (Content-Length) or while streaming in (chunked). */
export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError(413, "payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes`);
  },
});
