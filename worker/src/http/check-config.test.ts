import { describe, expect, it } from "vitest";
import { createApp } from "../app";

const ctx = {
  waitUntil: () => {},
  passThroughOnException: () => {},
  props: {},
} as unknown as ExecutionContext;

describe("settings checked before the first request", () => {
  it("answers 503 misconfigured naming the variable, not its value, when a var is set to something invalid", async () => {
    const response = await createApp().request(
      "/api/version",
      {},
      { AGENT_MAX_STEPS: "eight", ACTOR_INTERNAL_KEY: "k".repeat(44) },
      ctx,
    );
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("misconfigured");
    expect(body.error.message).toContain("AGENT_MAX_STEPS");
    expect(body.error.message).not.toContain("eight");
  });

  it("serves as usual with the settings unset (the defaults)", async () => {
    const response = await createApp().request(
      "/api/version",
      {},
      { DATABASE_URL: "postgres://u:p@127.0.0.1:1/db", ACTOR_INTERNAL_KEY: "k".repeat(44) },
      ctx,
    );
    expect(response.status).toBe(200);
  });
});

describe("the actors' internal key", () => {
  it("is required: without it every request is 503 misconfigured naming ACTOR_INTERNAL_KEY", async () => {
    const response = await createApp().request("/api/version", {}, {}, ctx);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      "ACTOR_INTERNAL_KEY",
    );
  });
});
