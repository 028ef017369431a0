import { describe, expect, it } from "vitest";
import { GatewayError } from "./anthropic-errors";
import { checkMessagesRequest, parseModelAllowlist, upstreamHeaders } from "./request-policy";

const base = { model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "hi" }] };

const refusal = (body: unknown, models: string[] = []) => {
  try {
    checkMessagesRequest(body, models);
  } catch (error) {
    if (error instanceof GatewayError)
      return { status: error.status, type: error.type, message: error.message };
    throw error;
  }
  return undefined;
};

describe("checkMessagesRequest", () => {
  it("lets OpenCode's requests through (streaming or not, its own tools)", () => {
    expect(checkMessagesRequest({ ...base, stream: true }, [])).toEqual({
      model: base.model,
      stream: true,
      maxTokens: 100,
    });
    expect(
      checkMessagesRequest({ ...base, tools: [{ name: "bash", input_schema: { type: "object" } }] }, []),
    ).toEqual({ model: base.model, stream: false, maxTokens: 100 });
  });

  it("refuses other models, non-Claude names and non-objects with a 400 in Anthropic's shape", () => {
    expect(refusal({ ...base, model: "gpt-4o" })).toMatchObject({
      status: 400,
      type: "invalid_request_error",
    });
    expect(refusal({ ...base, model: "claude-opus-4-1" }, ["claude-sonnet-4-5"])?.message).toContain(
      "claude-sonnet-4-5",
    );
    expect(refusal([base])?.status).toBe(400);
    expect(refusal({ ...base, stream: "yes" })?.status).toBe(400);
  });

  it("requires max_tokens as a positive integer: the call's cost estimate depends on it", () => {
    for (const maxTokens of [undefined, 0, -5, 1.5, "100", 1e300])
      expect(refusal({ ...base, max_tokens: maxTokens })?.message, String(maxTokens)).toContain("max_tokens");
  });

  it("refuses what is billed outside tokens: server tools, MCP servers, containers", () => {
    expect(
      refusal({ ...base, tools: [{ type: "web_search_20250305", name: "web_search" }] })?.message,
    ).toContain("web_search");
    expect(refusal({ ...base, tools: [{ type: "code_execution_20250825", name: "x" }] })?.status).toBe(400);
    expect(refusal({ ...base, mcp_servers: [] })?.status).toBe(400);
    expect(refusal({ ...base, container: "c" })?.status).toBe(400);
  });

  it("reads the model allowlist setting", () => {
    expect(parseModelAllowlist(" claude-a, ,claude-b ")).toEqual(["claude-a", "claude-b"]);
    expect(parseModelAllowlist(undefined)).toEqual([]);
  });
});

describe("upstreamHeaders", () => {
  it("sends the platform key and nothing of the caller's but the version and allowed betas", () => {
    const headers = upstreamHeaders(
      new Headers({
        "x-api-key": "gqsk_caller",
        authorization: "Bearer gqsk_caller",
        cookie: "a=b",
        "x-forwarded-for": "1.2.3.4",
        "anthropic-version": "2023-06-01",
        "anthropic-beta":
          "interleaved-thinking-2025-05-14, files-api-2025-04-14,fine-grained-tool-streaming-2025-05-14",
      }),
      "sk-platform",
    );
    expect(Object.fromEntries(headers)).toEqual({
      "content-type": "application/json",
      "x-api-key": "sk-platform",
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14",
    });
  });

  it("drops premium-priced betas the meter would under-bill: 1M context, 1-hour cache", () => {
    const headers = upstreamHeaders(
      new Headers({
        "anthropic-beta": "context-1m-2025-08-07,extended-cache-ttl-2025-04-11,prompt-caching-2024-07-31",
      }),
      "k",
    );
    expect(headers.get("anthropic-beta")).toBe("prompt-caching-2024-07-31");
  });

  it("sets a version when the caller's is missing or malformed", () => {
    for (const version of [undefined, "latest", "2023-06-01; x=1"]) {
      const incoming = new Headers(version === undefined ? {} : { "anthropic-version": version });
      expect(upstreamHeaders(incoming, "k").get("anthropic-version")).toBe("2023-06-01");
    }
  });
});
