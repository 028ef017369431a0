/**
 * Errors in the Messages API's own shape (`{type: "error", error: {type, message}}`), so the caller's Anthropic
 * client (OpenCode's AI SDK provider) reads them as it reads Anthropic's: retries 429/5xx after `retry-after`,
 * gives up on the rest and shows the message. Upstream failures are classified as the one upstream error
 * (`platform/upstream-error.ts`, service `"model"`); `GatewayError` is the gateway's own refusals, not upstream's.
 */

import { parseRetryAfter } from "../../../platform/retry";
import { UpstreamError } from "../../../platform/upstream-error";

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "billing_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
  request_id?: string;
}

export const anthropicErrorBody = (
  type: AnthropicErrorType,
  message: string,
  requestId?: string,
): AnthropicErrorBody => ({
  type: "error",
  error: { type, message },
  ...(requestId ? { request_id: requestId } : {}),
});

/** A refusal of the gateway's own, answered in Anthropic's shape by the gateway's error handler. */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  constructor(
    readonly status: number,
    readonly type: AnthropicErrorType,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function anthropicErrorResponse(
  status: number,
  type: AnthropicErrorType,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(anthropicErrorBody(type, message, requestId)), {
    status,
    headers: { "content-type": "application/json", "request-id": requestId, ...headers },
  });
}

/** Upstream headers a caller may see: its retry advice and the upstream request id, nothing about our account. */
const PASSED_HEADERS = ["retry-after", "request-id", "x-should-retry"];

export interface MappedUpstreamError {
  status: number;
  /** A body to send instead of upstream's; undefined: pass upstream's body through unchanged. */
  replace?: { type: AnthropicErrorType; message: string };
  headers: Record<string, string>;
}

/**
 * An upstream (Anthropic) error answer as the one upstream error (service `"model"`). A 402 is our platform
 * account's billing, so it reads `forbidden` (the account may not use the model), as do refused keys.
 */
export function modelUpstreamError(status: number, upstreamHeaders: Headers): UpstreamError {
  return new UpstreamError({
    service: "model",
    operation: "messages",
    status,
    ...(status === 402 ? { kind: "forbidden" as const } : {}),
    retryAfterMs: parseRetryAfter(upstreamHeaders.get("retry-after"), Date.now()),
  });
}

/**
 * What the caller gets for an upstream error. Upstream's status and body pass through (they are already in
 * Anthropic's shape and OpenCode's retries depend on them), except where they describe our platform account
 * rather than the caller's request: a refused platform key (401/403) or our account's billing (402), kinds
 * `unauthorized`/`forbidden`, would mislead the caller into thinking their key is wrong, so they become a 500
 * `api_error`.
 */
export function mapUpstreamError(status: number, upstreamHeaders: Headers): MappedUpstreamError {
  const { kind } = modelUpstreamError(status, upstreamHeaders);
  if (kind === "unauthorized" || kind === "forbidden") {
    return {
      status: 500,
      replace: { type: "api_error", message: "The model gateway could not reach the model; try again later" },
      headers: {},
    };
  }
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = upstreamHeaders.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status, headers };
}
