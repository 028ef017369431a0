import type { Logger } from "../../../platform/logger";
import { createSecretBox } from "../../../platform/secret-box";
import type { Database } from "../../../schema/db";
import { versionsAfter } from "../memory/memory-versions.repository";
import { bootstrapUserRepo, MEMORY_REPO, type UserRepo } from "./bootstrap-user-repo";
import { drizzleRepoStore } from "./repo-store";
import { restoreUserRepo } from "./restore-user-repo";
import { type UserGiteaDeps, userGitea } from "./user-gitea";

export interface GitEnv {
  /** 32 bytes, base64: AES-256-GCM key for the per-user tokens stored in `repos`. Secret. */
  GITEA_TOKEN_KEY?: string;
}

export class GitNotConfiguredError extends Error {
  constructor(missing: string[]) {
    super(`git manager is not configured: set ${missing.join(", ")}`);
    this.name = "GitNotConfiguredError";
  }
}

export interface GitManagerDeps extends UserGiteaDeps {
  env: GitEnv;
  db: Database;
  userId: string;
  log?: Logger;
}

export interface GitManager {
  /**
   * The user's memory repository in their own Gitea machine: bootstrapped on first use, rebuilt from
   * memory_versions on a new machine (restore-user-repo.ts); cheap once done. Only the user's actor may call it,
   * since it serialises bootstraps (two at once could each mint a token and delete the other's).
   */
  userRepo(options: { wake: boolean }): Promise<UserRepo | null>;
  /**
   * The repository with the token bootstrap stored, without a Gitea call and never bootstrapping: for reads
   * outside the actor (REST, skills). Null while the user has none yet (or, without `wake`, while it sleeps).
   */
  existingRepo(options: { wake: boolean }): Promise<UserRepo | null>;
}

export async function createGitManager(deps: GitManagerDeps): Promise<GitManager> {
  if (!deps.env.GITEA_TOKEN_KEY) throw new GitNotConfiguredError(["GITEA_TOKEN_KEY"]);
  const box = await createSecretBox(deps.env.GITEA_TOKEN_KEY);
  const store = drizzleRepoStore(deps.db);
  const { db, userId, log } = deps;
  // Single-flight: a drain and a read at once must not run two bootstraps (each would mint a token and delete the
  // other's) or two restores (the slower one would put an older version back over a new write).
  let running: Promise<UserRepo | null> | undefined;
  const bootstrapped = async (options: { wake: boolean }) => {
    const admin = await userGitea(deps, options);
    if (!admin) return null;
    const hasHistory = async () => (await versionsAfter(db, userId, "", 1)).length > 0;
    const repo = await bootstrapUserRepo({ admin, store, box, log, hasHistory }, userId);
    await restoreUserRepo({ db, store, log }, repo);
    return repo;
  };
  const userRepo = async (options: { wake: boolean }): Promise<UserRepo | null> => {
    const joined = running !== undefined;
    running ??= bootstrapped(options).finally(() => {
      running = undefined;
    });
    const repo = await running;
    // The run joined would not wake a sleeping machine; this caller would.
    return repo === null && options.wake && joined ? userRepo(options) : repo;
  };
  return {
    userRepo,
    async existingRepo(options) {
      const record = await store.find(userId, MEMORY_REPO);
      // Set last by bootstrap: a row without it is a bootstrap still running (or interrupted) in the actor.
      if (!record || record.giteaRepoId === null || !record.accessTokenCiphertext) return null;
      const admin = await userGitea(deps, options);
      if (!admin) return null;
      const token = await box.open(record.accessTokenCiphertext, userId);
      return {
        userId,
        owner: record.giteaOwner,
        repo: MEMORY_REPO,
        defaultBranch: record.defaultBranch,
        giteaRepoId: record.giteaRepoId,
        client: admin.withAuth({ token }),
        restoreCursor: record.restoreCursor,
      };
    },
  };
}
