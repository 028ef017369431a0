import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ERROR_CODES, type ErrorCode, retryAfterSecondsOf } from "../contract/error-codes";

export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

/**
 * An error meant for the client: its code, message and headers are sent as they are, and its status and
 * Retry-After come from the code's entry in contract/error-codes.ts, the one table every path shares. A limit
 * with a window of its own passes its Retry-After in `headers`, which wins.
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = ERROR_CODES[code].status as ContentfulStatusCode;
    const retryAfter = retryAfterSecondsOf(code);
    this.headers = retryAfter === undefined ? headers : { "Retry-After": String(retryAfter), ...headers };
  }
}

export const errorBody = (code: string, message: string, requestId: string): ErrorBody => ({
  error: { code, message, requestId },
});

const CODE_BY_STATUS: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "unprocessable_entity",
  429: "rate_limited",
  503: "service_unavailable",
};

export const codeForStatus = (status: number): string =>
  CODE_BY_STATUS[status] ?? (status >= 500 ? "internal_error" : "bad_request");
