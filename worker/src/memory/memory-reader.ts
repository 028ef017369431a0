import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import { MEMORY_REPO } from "../git/bootstrap-user-repo";
import { createGitManager, type GitEnv } from "../git/git-manager";
import { drizzleRepoStore } from "../git/repo-store";
import { MemoryCache } from "./memory-cache";
import { MemoryService } from "./memory-service";

/**
 * The user's memory for one unit of work outside the Grow Agent (a REST read, a sub-agent loading skills): no L1
 * cache (that lives in the actor) and no retry alarm (writes go through the actor).
 *
 * It never bootstraps the repository: a user who has none yet has nothing to read. Bootstrapping here raced the
 * Grow Agent and other reads (the memory browser's first list and file load at once): concurrent bootstraps each
 * mint a token and delete the others', so reads failed with Gitea 401s (500s). Only the user's actor, which
 * serialises them, bootstraps (on the first write).
 */
export function memoryReader(deps: {
  env: GitEnv;
  db: Database;
  userId: string;
  log: Logger;
}): MemoryService {
  return new MemoryService({
    db: deps.db,
    userId: deps.userId,
    userRepo: async () => {
      const git = await createGitManager(deps.env, deps.db, deps.log);
      const record = await drizzleRepoStore(deps.db).find(deps.userId, MEMORY_REPO);
      // Set last by bootstrap: a row without it is a bootstrap still running (or interrupted) in the actor.
      if (!record || record.giteaRepoId === null || !record.accessTokenCiphertext) return null;
      return git.userRepo(deps.userId);
    },
    cache: new MemoryCache(0),
    scheduleRetry: () => {},
    log: deps.log,
  });
}
