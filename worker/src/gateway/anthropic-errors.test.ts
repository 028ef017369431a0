import { describe, expect, it } from "vitest";
import { anthropicErrorResponse, mapUpstreamError, modelUpstreamError } from "./anthropic-errors";

describe("anthropic errors", () => {
  it("answer in the Messages API's error shape, with the status and retry advice", async () => {
    const response = anthropicErrorResponse(429, "rate_limit_error", "slow down", "req-1", {
      "retry-after": "3",
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "slow down" },
      request_id: "req-1",
    });
  });

  it("pass upstream's retryable errors through with retry-after, nothing else of its headers", () => {
    const headers = new Headers({
      "retry-after": "7",
      "request-id": "req_up",
      "anthropic-ratelimit-tokens-remaining": "10",
      "anthropic-organization-id": "org",
    });
    expect(mapUpstreamError(429, headers)).toEqual({
      status: 429,
      headers: { "retry-after": "7", "request-id": "req_up" },
    });
    expect(mapUpstreamError(529, new Headers()).status).toBe(529);
    expect(mapUpstreamError(400, new Headers())).toEqual({ status: 400, headers: {} });
  });

  it("never tell the caller our platform key or account was refused: that is our fault, a 500", () => {
    for (const status of [401, 402, 403]) {
      const mapped = mapUpstreamError(status, new Headers({ "retry-after": "1" }));
      expect(mapped.status).toBe(500);
      expect(mapped.replace?.type).toBe("api_error");
      expect(mapped.replace?.message).not.toMatch(/key|credit|billing/i);
    }
  });

  it("classify upstream failures as the one upstream error, our account's refusals as forbidden or unauthorized", () => {
    const limited = modelUpstreamError(429, new Headers({ "retry-after": "7" }));
    expect(limited).toMatchObject({
      service: "model",
      kind: "rate_limited",
      retryAfterMs: 7_000,
      retryable: true,
    });
    expect(modelUpstreamError(529, new Headers())).toMatchObject({ kind: "unavailable", retryable: true });
    expect(modelUpstreamError(400, new Headers()).kind).toBe("invalid");
    expect(modelUpstreamError(401, new Headers()).kind).toBe("unauthorized");
    expect(modelUpstreamError(402, new Headers()).kind).toBe("forbidden");
    expect(modelUpstreamError(403, new Headers()).kind).toBe("forbidden");
  });
});
