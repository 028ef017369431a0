import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import { createGitManager, type GitEnv } from "../git/git-manager";
import { MemoryCache } from "./memory-cache";
import { MemoryService } from "./memory-service";

/**
 * The user's memory for one unit of work outside the Grow Agent (a REST read, a sub-agent loading skills): no L1
 * cache (that lives in the actor) and no retry alarm (writes go through the actor).
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
    userRepo: async () => (await createGitManager(deps.env, deps.db, deps.log)).userRepo(deps.userId),
    cache: new MemoryCache(0),
    scheduleRetry: () => {},
    log: deps.log,
  });
}
