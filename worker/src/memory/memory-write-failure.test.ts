import { describe, expect, it } from "vitest";
import { GiteaError } from "../git/gitea-error";
import { MemoryPathError } from "../git/memory-paths";
import { actionAfterFailure, classifyWriteFailure, writeErrorText } from "./memory-write-failure";

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

describe("actionAfterFailure", () => {
  const MAX = 10;

  it("never sets a write aside for an outage, however many attempts it was charged before", () => {
    for (const attempts of [0, MAX - 1, MAX, 1_000]) {
      expect(actionAfterFailure({ kind: "outage" }, attempts, MAX), String(attempts)).toEqual({
        action: "wait_for_gitea",
      });
    }
    expect(actionAfterFailure({ kind: "outage", retryAfterMs: 30_000 }, 0, MAX)).toEqual({
      action: "wait_for_gitea",
      retryAfterMs: 30_000,
    });
  });

  it("retries a transient failure of the write until its last attempt, then sets it aside", () => {
    expect(actionAfterFailure({ kind: "transient", retryAfterMs: 5_000 }, 0, MAX)).toEqual({
      action: "retry_write",
      retryAfterMs: 5_000,
    });
    expect(actionAfterFailure({ kind: "transient" }, MAX - 2, MAX).action).toBe("retry_write");
    expect(actionAfterFailure({ kind: "transient" }, MAX - 1, MAX)).toEqual({
      action: "set_aside",
      reason: "retries_exhausted",
    });
  });

  it("sets a refused write aside at once, with its reason", () => {
    expect(actionAfterFailure({ kind: "permanent", reason: "invalid_path" }, 0, MAX)).toEqual({
      action: "set_aside",
      reason: "invalid_path",
    });
  });
});

describe("writeErrorText", () => {
  it("keeps Gitea's own answer, and says only 'unreachable' for a network failure (no host)", () => {
    expect(writeErrorText(new GiteaError("write file", 422, "sha mismatch"))).toBe(
      "Gitea answered 422: sha mismatch",
    );
    expect(writeErrorText(new GiteaError("write file", 0, "connect ECONNREFUSED 10.0.0.7:3000"))).toBe(
      "git storage unreachable",
    );
  });

  it("shows a path refusal as it is, and nothing of an unexpected error", () => {
    expect(writeErrorText(new MemoryPathError("forbidden_path", "paths may not contain .git"))).toBe(
      "paths may not contain .git",
    );
    expect(writeErrorText(new TypeError("cannot read properties of undefined (secret)"))).toBe(
      "unexpected error (see the server log)",
    );
  });
});
