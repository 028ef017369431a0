import { describe, expect, it } from "vitest";
import { GiteaError } from "../git/gitea-error";
import { MemoryPathError } from "../git/memory-paths";
import { classifyWriteFailure } from "./memory-write-failure";

const gitea = (status: number) => new GiteaError("write file", status, "x");

describe("classifyWriteFailure", () => {
  it("sets aside what will never be accepted: a path git refuses, Gitea's 4xx refusals", () => {
    expect(classifyWriteFailure(new MemoryPathError("forbidden_path", "x"))).toEqual({
      kind: "permanent",
      reason: "invalid_path",
    });
    expect(classifyWriteFailure(new MemoryPathError("content_too_large", "x"))).toEqual({
      kind: "permanent",
      reason: "rejected",
    });
    for (const status of [400, 405, 413, 422]) {
      expect(classifyWriteFailure(gitea(status)), String(status)).toEqual({
        kind: "permanent",
        reason: "rejected",
      });
    }
  });

  it("retries 401/403/404/409/429 and 5xx, and only an unreachable Gitea holds the whole queue", () => {
    for (const status of [0, 401, 429, 502, 503, 504]) {
      expect(classifyWriteFailure(gitea(status)).kind, String(status)).toBe("outage");
    }
    for (const status of [403, 404, 409, 500]) {
      expect(classifyWriteFailure(gitea(status)).kind, String(status)).toBe("transient");
    }
    expect(classifyWriteFailure(new TypeError("bug")).kind).toBe("transient");
  });

  it("keeps the server's Retry-After", () => {
    expect(classifyWriteFailure(new GiteaError("write file", 429, "slow down", 30_000))).toEqual({
      kind: "outage",
      retryAfterMs: 30_000,
    });
  });
});
