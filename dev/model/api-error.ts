/** Anthropic's error types by HTTP status (https://docs.claude.com/en/api/errors). */
const TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

const MESSAGES: Record<string, string> = {
  rate_limit_error: "This request would exceed the rate limit for your organization (dev model directive).",
  overloaded_error: "Overloaded",
  api_error: "Internal server error",
  timeout_error: "Request timed out",
};

/** Other 4xx are `invalid_request_error`, as the real API documents; other 5xx `api_error`. */
export function errorTypeFor(status: number): string {
  return TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

export function defaultErrorMessage(type: string): string {
  return MESSAGES[type] ?? `Injected failure (${type})`;
}

/** The real API's error body: `{ type: "error", error: { type, message }, request_id }`. */
export function errorBody(type: string, message: string, requestId: string) {
  return { type: "error", error: { type, message }, request_id: requestId };
}
