import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../env";
import { CORS_METHODS, corsForSpa } from "./cors";

const SPA = "https://app.example.com";

function app() {
  return new Hono<AppEnv>().use(corsForSpa).put("/api/memory/file", (c) => c.json({ ok: true }));
}

const preflight = (origin: string, method: string) =>
  app().request(
    "/api/memory/file",
    {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization",
      },
    },
    { CORS_ORIGINS: `${SPA},http://localhost:5173` } as AppEnv["Bindings"],
  );

describe("CORS", () => {
  it("allows every method the OpenAPI document names", async () => {
    // Imported here: the document is built from the whole app, whose failure to load must not hide the test below.
    const { openApiDocument } = await import("../openapi/generate-types");
    const { paths = {} } = openApiDocument();
    const documented = new Set(
      Object.values(paths).flatMap((item) => Object.keys(item ?? {}).map((key) => key.toUpperCase())),
    );
    documented.delete("PARAMETERS");
    expect(documented.size).toBeGreaterThan(3);
    for (const method of documented) expect(CORS_METHODS).toContain(method);
  });

  it("lets the SPA's origin preflight a PUT, and tells any other origin nothing", async () => {
    const allowed = await preflight(SPA, "PUT");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(SPA);
    expect(allowed.headers.get("access-control-allow-methods")?.split(",")).toContain("PUT");
    const other = await preflight("https://evil.example", "PUT");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});
