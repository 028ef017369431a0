import type { Logger } from "../../../platform/logger";
import type { StackRole } from "../../../provisioner/src/stack/stack-record";
import type { Database } from "../../../schema/db";
import type { Env } from "../env";
import { createGitManager, type GitManager } from "../git/git-manager";

/** Memory needs only the user's Gitea machine: waking it for memory leaves the sandbox asleep. */
const MEMORY_ROLES: readonly StackRole[] = ["gitea"];

/**
 * The git side of one user's memory, wired to their stack: the provisioner says where their Gitea machine is and
 * wakes it. A memory wake starts the Gitea machine alone and is not one of the plan's counted bring-ups
 * (admit-stack-start.ts, wake-policy.ts): memory is part of every plan, a write only wakes a machine the idle
 * suspend put to sleep, and users' writes are rate-limited anyway.
 */
export function memoryGit(deps: {
  env: Env;
  db: Database;
  userId: string;
  log: Logger;
  background(work: Promise<unknown>): void;
  /** Called once a wake this manager started has the machine up (the actor drains its outbox). */
  onAwake?: () => void;
}): Promise<GitManager> {
  const { env, db, userId, log } = deps;
  return createGitManager({
    env,
    db,
    userId,
    log,
    connection: () => env.PROVISIONER.stackConnection(userId),
    wake: async () => {
      try {
        const stack = await env.PROVISIONER.ensureStack(userId, { roles: MEMORY_ROLES });
        if (stack.up.includes("gitea")) {
          deps.onAwake?.();
          return true;
        }
        log.warn("the user's Gitea machine did not come up", {
          status: stack.status,
          error: stack.lastError,
        });
      } catch (error) {
        // The write waits in the outbox and the read was answered 503: the next one asks again.
        log.warn("could not wake the user's Gitea machine", { error });
      }
      return false;
    },
    background: deps.background,
  });
}
