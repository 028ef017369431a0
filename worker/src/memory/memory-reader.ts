import type { Context } from "hono";
import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import type { AppEnv, Env } from "../env";
import { MemoryCache } from "./memory-cache";
import { memoryGit } from "./memory-git";
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
  env: Env;
  db: Database;
  userId: string;
  log: Logger;
  /** Keeps a wake of the user's Gitea machine going after the answer (the request's waitUntil). */
  background(work: Promise<unknown>): void;
}): MemoryService {
  let git: ReturnType<typeof memoryGit> | undefined;
  return new MemoryService({
    db: deps.db,
    userId: deps.userId,
    userRepo: async (options) => {
      git ??= memoryGit(deps);
      return (await git).existingRepo(options);
    },
    cache: new MemoryCache(0),
    scheduleRetry: () => {},
    log: deps.log,
  });
}

/** The reader for one REST request: the verified user's memory, a wake kept going by the request's waitUntil. */
export function requestMemoryReader(c: Context<AppEnv>): MemoryService {
  return memoryReader({
    env: c.env,
    db: c.var.db,
    userId: c.var.user.id,
    log: c.var.log,
    background: (work) => c.executionCtx.waitUntil(work),
  });
}
