import type { Logger } from "../../../platform/logger";
import type { Database } from "../../../schema/db";
import { versionsAfter } from "../memory/memory-versions.repository";
import { MEMORY_REPO, type UserRepo } from "./bootstrap-user-repo";
import type { RepoStore } from "./repo-store";
import { writeFile } from "./write-file";

/**
 * Rebuilds a user's repository on a new Gitea machine (the old one and its volume were lost) from the durable copy
 * in `memory_versions`: every version in commit order, one commit each with its message, so files and history come
 * back (under new SHAs). The cursor in `repos` records each version written back, so an interrupted restore goes
 * on where it stopped, and a version written twice (its cursor update lost) is found applied and not committed
 * again. Runs before any new write of the user's is delivered, so history keeps its order.
 */
export async function restoreUserRepo(
  deps: { db: Database; store: RepoStore; log?: Logger },
  repo: UserRepo,
): Promise<void> {
  let cursor = repo.restoreCursor;
  if (cursor === null) return;
  deps.log?.info("restoring memory repository from memory_versions", { userId: repo.userId, from: cursor });
  let restored = 0;
  for (let batch = await versionsAfter(deps.db, repo.userId, cursor); ; ) {
    for (const version of batch) {
      await writeFile(repo.client, repo.owner, repo.repo, version.path, {
        content: version.content,
        message: version.message,
        branch: repo.defaultBranch,
      });
      cursor = version.id;
      await deps.store.setRestoreCursor(repo.userId, MEMORY_REPO, cursor);
      restored++;
    }
    if (batch.length === 0) break;
    batch = await versionsAfter(deps.db, repo.userId, cursor);
  }
  await deps.store.setRestoreCursor(repo.userId, MEMORY_REPO, null);
  repo.restoreCursor = null;
  deps.log?.info("memory repository restored", { userId: repo.userId, versions: restored });
}
