import { describe, expect, it } from "vitest";
import { hasScope, isValidScope } from "./auth";

describe("Gitea token scopes", () => {
  it("write implies read, all implies everything, categories do not leak", () => {
    expect(hasScope(["write:repository"], "read", "repository")).toBe(true);
    expect(hasScope(["read:repository"], "write", "repository")).toBe(false);
    expect(hasScope(["write:repository"], "read", "user")).toBe(false);
    expect(hasScope(["all"], "write", "admin")).toBe(true);
    expect(hasScope([], "read", "repository")).toBe(false);
  });
  it("knows Gitea's scope names", () => {
    for (const scope of ["all", "public-only", "read:user", "write:repository", "write:admin"]) {
      expect(isValidScope(scope)).toBe(true);
    }
    for (const scope of ["repo", "write", "delete:repository", "read:everything", ""]) {
      expect(isValidScope(scope)).toBe(false);
    }
  });
});
