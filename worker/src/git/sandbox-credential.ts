import { createSecretBox } from "../../../platform/secret-box";
import type { Database } from "../../../schema/db";
import { MEMORY_REPO, sandboxTokenBinding } from "./bootstrap-user-repo";
import type { GitEnv } from "./git-manager";
import { drizzleRepoStore } from "./repo-store";

/** What the user's sandbox needs to clone their memory repository: read-only, never the memory token. */
export interface SandboxRepoCredential {
  owner: string;
  repo: string;
  branch: string;
  /** The `growqr-sandbox` token (read:repository). Secret: only ever passed to the user's own sandbox. */
  token: string;
}

/**
 * The sandbox's credential as bootstrap stored it, without a Gitea call and never bootstrapping (only the user's
 * actor may): null while the user has no complete repository or no sandbox token yet (bootstrap mints it on the
 * Grow Agent's next memory access).
 */
export async function sandboxRepoCredential(
  env: GitEnv,
  db: Database,
  userId: string,
): Promise<SandboxRepoCredential | null> {
  if (!env.GITEA_TOKEN_KEY) return null;
  const record = await drizzleRepoStore(db).find(userId, MEMORY_REPO);
  if (!record || record.giteaRepoId === null || !record.sandboxTokenCiphertext) return null;
  const box = await createSecretBox(env.GITEA_TOKEN_KEY);
  return {
    owner: record.giteaOwner,
    repo: MEMORY_REPO,
    branch: record.defaultBranch,
    token: await box.open(record.sandboxTokenCiphertext, sandboxTokenBinding(userId)),
  };
}
