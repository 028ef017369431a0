import { GatewayError } from "./anthropic-errors";

/**
 * What the gateway lets through to the Messages API for the sandbox. The sandbox is hostile ground: its calls
 * are paid with the platform key, so only requests whose whole cost shows up in the usage we meter pass.
 */

export const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

/** Without an explicit allowlist: Claude model names only (`claude-sonnet-4-5`, `claude-3-5-haiku-20241022`). */
const CLAUDE_MODEL = /^claude-[a-z0-9][a-z0-9.-]{0,63}$/;

/**
 * Server-side tools are billed per use (searches, container hours), not in tokens, so the meter would not see
 * them; MCP servers and containers make the API call out on the caller's behalf. None of them is OpenCode's.
 */
const UNMETERED_TOOL =
  /^(web_search|web_fetch|code_execution|bash_code_execution|text_editor_code_execution|mcp)/;
const UNMETERED_FIELDS = ["mcp_servers", "container"];

/**
 * Beta features that change what a call does, not what it costs outside tokens (OpenCode's own among them).
 * Not `context-1m` (input past 200k tokens is billed at a premium rate the meter does not see) nor
 * `extended-cache-ttl` (1-hour cache writes cost 2× input, counted here as 1×): both would be under-billed.
 */
const ALLOWED_BETA =
  /^(interleaved-thinking|fine-grained-tool-streaming|claude-code|token-efficient-tools|prompt-caching|output-128k|context-management)-\d{4}-\d{2}-\d{2}$/;

export interface CheckedRequest {
  model: string;
  stream: boolean;
  /** The most output tokens the call may generate: part of its cost estimate (call-estimate.ts). */
  maxTokens: number;
}

/** `MODEL_GATEWAY_MODELS` (comma-separated); empty means any Claude model name. */
export const parseModelAllowlist = (raw: string | undefined): string[] =>
  (raw ?? "")
    .split(",")
    .map((model) => model.trim())
    .filter(Boolean);

/** Validates a `POST /v1/messages` body (already JSON-parsed); throws a 400 `GatewayError` in Anthropic's shape. */
export function checkMessagesRequest(body: unknown, allowedModels: string[]): CheckedRequest {
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new GatewayError(400, "invalid_request_error", "The request body must be a JSON object");
  const request = body as Record<string, unknown>;
  const model = request.model;
  if (typeof model !== "string" || !CLAUDE_MODEL.test(model))
    throw new GatewayError(400, "invalid_request_error", "model: a Claude model name is required");
  if (allowedModels.length > 0 && !allowedModels.includes(model))
    throw new GatewayError(
      400,
      "invalid_request_error",
      `model: ${model} is not available here; use one of ${allowedModels.join(", ")}`,
    );
  const maxTokens = request.max_tokens;
  if (typeof maxTokens !== "number" || !Number.isSafeInteger(maxTokens) || maxTokens < 1)
    throw new GatewayError(400, "invalid_request_error", "max_tokens: a positive integer is required");
  if (request.stream !== undefined && typeof request.stream !== "boolean")
    throw new GatewayError(400, "invalid_request_error", "stream: must be a boolean");
  for (const field of UNMETERED_FIELDS) {
    if (request[field] !== undefined)
      throw new GatewayError(400, "invalid_request_error", `${field}: not available through this gateway`);
  }
  if (Array.isArray(request.tools)) {
    for (const tool of request.tools) {
      const type = (tool as { type?: unknown } | null)?.type;
      if (typeof type === "string" && UNMETERED_TOOL.test(type))
        throw new GatewayError(
          400,
          "invalid_request_error",
          `tools: ${type} is not available through this gateway`,
        );
    }
  }
  return { model, stream: request.stream === true, maxTokens };
}

/**
 * The headers sent upstream: built from nothing but the platform key, the API version and the allowed betas,
 * so neither the caller's credential nor anything else it sends (cookies, forwarding headers) leaves here.
 */
export function upstreamHeaders(incoming: Headers, platformKey: string): Headers {
  const headers = new Headers({
    "content-type": "application/json",
    "x-api-key": platformKey,
    "anthropic-version": /^\d{4}-\d{2}-\d{2}$/.test(incoming.get("anthropic-version") ?? "")
      ? (incoming.get("anthropic-version") as string)
      : DEFAULT_ANTHROPIC_VERSION,
  });
  const betas = (incoming.get("anthropic-beta") ?? "")
    .split(",")
    .map((beta) => beta.trim())
    .filter((beta) => ALLOWED_BETA.test(beta));
  if (betas.length > 0) headers.set("anthropic-beta", betas.join(","));
  return headers;
}
