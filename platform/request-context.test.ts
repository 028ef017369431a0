import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./api-error";
import {
  handleError,
  handleNotFound,
  loggablePath,
  type RequestVariables,
  requestContext,
} from "./request-context";

function app() {
  return new Hono<{ Variables: RequestVariables }>()
    .use(requestContext("test"))
    .get("/ok", (c) => c.json({ requestId: c.var.requestId }))
    .get("/conflict", () => {
      throw new ApiError("rate_limited", "Slow down", { "Retry-After": "7" });
    })
    .get("/http", () => {
      throw new HTTPException(413, { message: "Body too large" });
    })
    .get("/page", (c) => {
      c.header("Content-Security-Policy", "default-src 'self'");
      return c.html("<p>page</p>");
    })
    .get("/private", (c) => {
      if (!c.req.header("authorization")) throw new ApiError("missing_token", "Sign in");
      return c.json({ mine: true });
    })
    .get("/crash", () => {
      throw new Error("secret internal detail at db.ts:42");
    })
    .notFound(handleNotFound)
    .onError(handleError);
}

describe("requestContext", () => {
  it("gives each request an id, echoed in X-Request-Id", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const first = await app().request("/ok");
    const second = await app().request("/ok");
    const id = first.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await first.json()) as { requestId: string }).requestId).toBe(id);
    expect(second.headers.get("x-request-id")).not.toBe(id);
  });

  it("keeps a well-formed caller id and replaces one that could inject into logs", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const kept = await app().request("/ok", { headers: { "x-request-id": "trace-abc.123:x" } });
    expect(kept.headers.get("x-request-id")).toBe("trace-abc.123:x");
    const replaced = await app().request("/ok", { headers: { "x-request-id": 'evil" {"level":"error"}' } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs one JSON access line with the request id", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(line));
    const response = await app().request("/ok");
    const entry = JSON.parse(lines.at(-1) ?? "{}");
    expect(entry).toMatchObject({ msg: "request", method: "GET", path: "/ok", status: 200, service: "test" });
    expect(entry.requestId).toBe(response.headers.get("x-request-id"));
  });
});

describe("security headers", () => {
  it("marks every response nosniff, unframeable, inert as a document and without referrer", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    for (const path of ["/ok", "/nope", "/crash"]) {
      const response = await app().request(path);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    }
  });

  it("keeps the policy of a route that serves a page", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const response = await app().request("/page");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'self'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });

  it("forbids caching answers to requests with credentials, and their refusals", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const authed = await app().request("/private", { headers: { authorization: "Bearer t" } });
    expect(authed.status).toBe(200);
    expect(authed.headers.get("cache-control")).toBe("no-store");
    const refused = await app().request("/private");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("cache-control")).toBe("no-store");
    expect((await app().request("/ok")).headers.get("cache-control")).toBeNull();
  });
});

describe("error shape", () => {
  type Body = { error: { code: string; message: string; requestId: string } };

  it("sends ApiErrors with their status, code and headers", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const response = await app().request("/conflict");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    const body = (await response.json()) as Body;
    expect(body).toEqual({
      error: { code: "rate_limited", message: "Slow down", requestId: response.headers.get("x-request-id") },
    });
  });

  it("maps Hono HTTP exceptions to a code", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const response = await app().request("/http");
    expect(response.status).toBe(413);
    expect(((await response.json()) as Body).error.code).toBe("payload_too_large");
  });

  it("answers unexpected errors with 500 and no internal detail, but logs them", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(line));
    const response = await app().request("/crash");
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("secret internal detail");
    expect(JSON.parse(text).error.code).toBe("internal_error");
    expect(lines.some((line) => line.includes("secret internal detail"))).toBe(true);
  });

  it("answers unknown routes with 404 in the same shape", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const response = await app().request("/nope");
    expect(response.status).toBe(404);
    expect(((await response.json()) as Body).error.code).toBe("not_found");
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });
});

describe("request logs", () => {
  it("never hold a share link's token, only its route", () => {
    expect(loggablePath("/api/shared/abcDEF_123-xyz/events")).toBe("/api/shared/:token/events");
    expect(loggablePath("/api/shared/abcDEF_123-xyz")).toBe("/api/shared/:token");
    expect(loggablePath("/api/threads/t1/shares")).toBe("/api/threads/t1/shares");
  });
});
