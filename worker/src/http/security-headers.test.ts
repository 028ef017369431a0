import { OpenAPIHono } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../env";
import { mountOpenApi } from "../openapi/openapi.routes";
import { SCALAR_SCRIPT, withPinnedScripts } from "./security-headers";

async function docsPage() {
  const api = new OpenAPIHono<AppEnv>();
  mountOpenApi(api);
  const response = await api.request("/docs");
  return { response, html: await response.text() };
}

describe("/api/docs", () => {
  it("loads Scalar's script only pinned by integrity, and runs nothing the page's CSP does not name", async () => {
    const { response, html } = await docsPage();
    expect(response.status).toBe(200);
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    const external = scripts.filter((tag) => /\bsrc=/.test(tag));
    expect(external).toHaveLength(1);
    expect(external[0]).toContain(`src="${SCALAR_SCRIPT.url}"`);
    expect(external[0]).toContain(`integrity="${SCALAR_SCRIPT.integrity}"`);
    expect(external[0]).toContain('crossorigin="anonymous"');

    const csp = response.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(html).not.toContain("fonts.scalar.com");
  });

  it("gives every load a fresh nonce", async () => {
    const first = (await docsPage()).response.headers.get("content-security-policy");
    const second = (await docsPage()).response.headers.get("content-security-policy");
    expect(first).not.toBe(second);
  });

  it("refuses to serve a page with any other third-party script", () => {
    const html = `<script src="${SCALAR_SCRIPT.url}"></script><script src="https://cdn.example/x.js"></script>`;
    expect(() => withPinnedScripts(html, "n")).toThrow(/Unpinned script/);
  });
});
