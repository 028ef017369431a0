import { describe, expect, it } from "vitest";
import type { Database } from "../../../schema/db";
import { createGitManager, GitNotConfiguredError } from "./git-manager";

describe("createGitManager", () => {
  it("names every missing setting, and never echoes the ones that are set", async () => {
    const error = await createGitManager({ GITEA_ADMIN_TOKEN: "super-secret-admin" }, {} as Database).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitNotConfiguredError);
    expect(String(error)).toContain("GITEA_URL");
    expect(String(error)).toContain("GITEA_TOKEN_KEY");
    expect(String(error)).not.toContain("super-secret-admin");
  });
});
