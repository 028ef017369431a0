import type { Logger } from "../../../platform/logger";
import { createSecretBox } from "../../../platform/secret-box";
import type { Database } from "../../../schema/db";
import { bootstrapUserRepo, type UserRepo } from "./bootstrap-user-repo";
import { GiteaClient } from "./gitea-client";
import { drizzleRepoStore } from "./repo-store";

export interface GitEnv {
  /** Gitea's root URL (the dev Gitea locally). */
  GITEA_URL?: string;
  /** Site admin token (scope `all`): creates users and repositories. Secret. */
  GITEA_ADMIN_TOKEN?: string;
  /** 32 bytes, base64: AES-256-GCM key for the per-user tokens stored in `repos`. Secret. */
  GITEA_TOKEN_KEY?: string;
}

export class GitNotConfiguredError extends Error {
  constructor(missing: string[]) {
    super(`git manager is not configured: set ${missing.join(", ")}`);
    this.name = "GitNotConfiguredError";
  }
}

export interface GitManager {
  /** The user's memory repository, bootstrapped on first use; idempotent, cheap once done. */
  userRepo(userId: string): Promise<UserRepo>;
}

/** Entry point for the memory service: everything the git side needs, from the Worker's env and db. */
export async function createGitManager(env: GitEnv, db: Database, log?: Logger): Promise<GitManager> {
  const missing = (["GITEA_URL", "GITEA_ADMIN_TOKEN", "GITEA_TOKEN_KEY"] as const).filter(
    (name) => !env[name],
  );
  if (missing.length > 0) throw new GitNotConfiguredError(missing);
  const admin = new GiteaClient({
    baseUrl: env.GITEA_URL as string,
    auth: { token: env.GITEA_ADMIN_TOKEN as string },
  });
  const box = await createSecretBox(env.GITEA_TOKEN_KEY);
  const store = drizzleRepoStore(db);
  return { userRepo: (userId) => bootstrapUserRepo({ admin, store, box, log }, userId) };
}
