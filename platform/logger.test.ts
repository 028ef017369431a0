import { describe, expect, it } from "vitest";
import { createLogger } from "./logger";

describe("createLogger", () => {
  it("writes one JSON object per line with the bound fields", () => {
    const lines: string[] = [];
    const log = createLogger({ service: "worker" }, (line) => lines.push(line)).child({
      requestId: "req-12345678",
    });
    log.info("request", { status: 200 });
    const entry = JSON.parse(lines[0] ?? "{}");
    expect(entry).toMatchObject({
      level: "info",
      msg: "request",
      service: "worker",
      requestId: "req-12345678",
      status: 200,
    });
    expect(new Date(entry.time).toISOString()).toBe(entry.time);
  });

  it("never writes secret values, whatever the caller passes", () => {
    const lines: string[] = [];
    const log = createLogger({}, (line) => lines.push(line));
    log.warn("oops", {
      authorization: "Bearer abc.def.ghi",
      DATABASE_URL: "postgres://u:hunter2@db/x",
      stripeSecretKey: "sk_live_123",
      giteaToken: "tok_1",
      error: new Error("boom"),
    });
    const line = lines[0] ?? "";
    for (const secret of ["abc.def.ghi", "hunter2", "sk_live_123", "tok_1"])
      expect(line).not.toContain(secret);
    expect(JSON.parse(line).error).toEqual({ name: "Error", message: "boom" });
  });
});
