import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import { versionsAfter } from "../memory/memory-versions.repository";
import { classifyWriteFailure } from "../memory/memory-write-failure";
import { MEMORY_REPO, type UserRepo } from "./bootstrap-user-repo";
import type { RepoStore } from "./repo-store";
import { writeFile } from "./write-file";

/**
 * Rebuilds a user's repository on a new Gitea machine (the old one and its volume were lost) from the durable copy
 * in `memory_versions`: every version in commit order, one commit each with its message and original date, so files
 * and history come back (under new SHAs: the first commit is the new machine's bootstrap). The cursor in `repos`
 * records each version written back, so an interrupted restore goes on where it stopped, and a version written twice
 * (its cursor update lost) is found applied and not committed again; a version Gitea refuses for good is left out.
 * Runs before any new write of the user's is delivered, so history keeps its order.
 */
export async function restoreUserRepo(
  deps: { db: Database; store: RepoStore; log?: Logger },
  repo: UserRepo,
): Promise<void> {
  let cursor = repo.restoreCursor;
  if (cursor === null) return;
  deps.log?.info("restoring memory repository from memory_versions", { userId: repo.userId, from: cursor });
  let restored = 0;
  let skipped = 0;
  for (let batch = await versionsAfter(deps.db, repo.userId, cursor); ; ) {
    for (const version of batch) {
      const committedAt = version.committedAt.toISOString();
      try {
        await writeFile(repo.client, repo.owner, repo.repo, version.path, {
          content: version.content,
          message: version.message,
          branch: repo.defaultBranch,
          dates: { author: committedAt, committer: committedAt },
        });
      } catch (error) {
        // A version git will never take (a row stored before today's path rules) would otherwise stop every
        // restore, and so every write of the user's, at the same place: it is left out, and said so.
        const failure = classifyWriteFailure(error);
        if (failure.kind !== "permanent") throw error;
        deps.log?.warn("a version git refuses was left out of the restore", {
          userId: repo.userId,
          versionId: version.id,
          reason: failure.reason,
        });
        skipped++;
      }
      cursor = version.id;
      await deps.store.setRestoreCursor(repo.userId, MEMORY_REPO, cursor);
      restored++;
    }
    if (batch.length === 0) break;
    batch = await versionsAfter(deps.db, repo.userId, cursor);
  }
  await deps.store.setRestoreCursor(repo.userId, MEMORY_REPO, null);
  repo.restoreCursor = null;
  deps.log?.info("memory repository restored", {
    userId: repo.userId,
    versions: restored - skipped,
    skipped,
  });
}
