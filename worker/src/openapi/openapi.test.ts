import { readFile } from "node:fs/promises";
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { GENERATED_TYPES, generateTypes, openApiDocument } from "./generate-types";

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const document = openApiDocument();
    expect(document.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(document) as Parameters<typeof validate>[0]);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
  });

  it("documents every API route, with bearer auth on the protected ones", () => {
    const { paths = {} } = openApiDocument();
    expect(Object.keys(paths).sort()).toEqual(
      [
        "/actors",
        "/actors/{id}/stop",
        "/agent",
        "/billing",
        "/billing/checkout",
        "/billing/portal",
        "/health",
        "/me",
        "/memory",
        "/memory/commit",
        "/memory/file",
        "/memory/history",
        "/memory/restore",
        "/memory/writes",
        "/schedules",
        "/schedules/{id}",
        "/schedules/{id}/runs",
        "/shared/{token}",
        "/shared/{token}/events",
        "/stack",
        "/stack/ping",
        "/stack/suspend",
        "/stack/wake",
        "/subagents",
        "/subagents/{id}/cancel",
        "/threads",
        "/threads/{id}",
        "/threads/{id}/cancel",
        "/threads/{id}/events",
        "/threads/{id}/messages",
        "/threads/{id}/regenerate",
        "/threads/{id}/shares",
        "/threads/{id}/shares/{shareId}",
        "/version",
        "/webhooks/stripe",
      ].sort(),
    );
    expect(paths["/threads/{id}"]?.delete?.security).toEqual([{ bearerAuth: [] }]);
    expect(paths["/stack/wake"]?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(paths["/billing/checkout"]?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(paths["/memory/restore"]?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(paths["/webhooks/stripe"]?.post?.security).toBeUndefined();
    expect(paths["/threads/{id}/messages"]?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(paths["/threads/{id}/regenerate"]?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(paths["/threads/{id}/shares"]?.post?.security).toEqual([{ bearerAuth: [] }]);
    // A share link's token is its credential: no session.
    expect(paths["/shared/{token}/events"]?.get?.security).toBeUndefined();
    expect(paths["/threads/{id}/events"]?.get?.responses?.["200"]).toMatchObject({
      content: { "text/event-stream": expect.anything(), "application/json": expect.anything() },
    });
  });

  it("matches the client types committed for web/ and API tests (run `npm run api:types` after changing routes)", async () => {
    expect(await readFile(GENERATED_TYPES, "utf8")).toBe(await generateTypes());
  });
});
