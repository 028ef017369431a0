import { describe, expect, it } from "vitest";
import { GiteaError } from "../git/gitea-error";
import { asApiError } from "./api-errors";

describe("asApiError: Gitea, the one upstream error", () => {
  it("tells the client about a path Gitea refused, with Gitea's own words", () => {
    expect(asApiError(new GiteaError("get file", 422, "notes is not a file"))).toMatchObject({
      code: "invalid_path",
      message: "notes is not a file",
    });
  });

  it("answers memory_unavailable when Gitea is rate limited or unreachable", () => {
    for (const status of [0, 408, 429, 500, 503]) {
      expect(asApiError(new GiteaError("write file", status, "down"))?.code, String(status)).toBe(
        "memory_unavailable",
      );
    }
  });

  it("leaves the rest to the 500 handler", () => {
    for (const status of [401, 403, 404, 409, 200]) {
      expect(asApiError(new GiteaError("write file", status, "x")), String(status)).toBeUndefined();
    }
  });
});
