import { describe, expect, it } from "vitest";
import { apiUrl } from "../support/api";

describe("API reference", () => {
  it("serves the OpenAPI document and an interactive reference page built from it", async () => {
    const document = await fetch(`${apiUrl()}/api/openapi.json`);
    expect(document.status).toBe(200);
    const body = (await document.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths)).toContain("/threads/{id}/events");

    const page = await fetch(`${apiUrl()}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("/api/openapi.json");
  });
});
