import { describe, expect, inject, it } from "vitest";
import { SCALAR_SCRIPT } from "../../worker/src/http/security-headers";
import { call, type ErrorBody, mintToken, uniqueUser } from "../support/api";

const expectHardened = (response: Response) => {
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
  expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
};

describe("security headers", () => {
  it("marks a signed-in user's data nosniff, unframeable and never to be cached", async () => {
    const token = await mintToken(uniqueUser("hdr"));
    const me = await call("/api/me", token);
    expect(me.status).toBe(200);
    expectHardened(me);
    expect(me.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(me.headers.get("cache-control")).toBe("no-store");

    const stream = await call("/api/threads", token);
    expect(stream.headers.get("cache-control")).toBe("no-store");
  });

  it("does the same for a refused token", async () => {
    const refused = await call("/api/me", "not-a-token");
    expect(refused.status).toBe(401);
    expectHardened(refused);
    expect(refused.headers.get("cache-control")).toBe("no-store");
    const missing = await call("/api/threads", undefined);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as ErrorBody).error.code).toBe("missing_token");
    expect(missing.headers.get("cache-control")).toBe("no-store");
  });

  it("hardens public answers too", async () => {
    expectHardened(await call("/api/health", undefined));
    expectHardened(await call("/api/no-such-route", undefined));
  });

  it("serves /api/docs with Scalar's script pinned by integrity under a nonce policy", async () => {
    const page = await call("/api/docs", undefined);
    expect(page.status).toBe(200);
    const html = await page.text();
    const csp = page.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) {
      expect(tag).toContain(`nonce="${nonce}"`);
      if (/\bsrc=/.test(tag)) expect(tag).toContain(`integrity="${SCALAR_SCRIPT.integrity}"`);
    }
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("CORS", () => {
  const spaOrigin = () => inject("authorizedParty");
  const preflight = (origin: string) =>
    call("/api/memory/file", undefined, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "PUT",
        "access-control-request-headers": "authorization, content-type, idempotency-key",
      },
    });

  it("lets the SPA's origin send PUT /api/memory/file", async () => {
    const response = await preflight(spaOrigin());
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(spaOrigin());
    const methods = (response.headers.get("access-control-allow-methods") ?? "").split(/\s*,\s*/);
    expect(methods).toContain("PUT");
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    expect(allowed).toContain("authorization");
    expect(allowed).toContain("idempotency-key");
  });

  it("tells any other origin nothing", async () => {
    const response = await preflight("https://evil.example");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const simple = await call("/api/health", undefined, { headers: { origin: "https://evil.example" } });
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
  });
});
