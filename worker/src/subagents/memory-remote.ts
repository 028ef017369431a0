import { withDatabase } from "../db/open-database";
import type { Env } from "../env";
import { sandboxRepoCredential } from "../git/sandbox-credential";
import type { MemoryRemote } from "./memory-sync-command";

/**
 * Where the user's sandbox clones their memory repository from: their Gitea machine through the app's edge (the
 * same address the Worker uses, pinned with `fly-force-instance-id`), with the read-only sandbox token. Undefined
 * while there is nothing to clone (no repository or no sandbox token yet).
 */
export async function memoryRemote(env: Env, userId: string): Promise<MemoryRemote | undefined> {
  const credential = await withDatabase(env, (db) => sandboxRepoCredential(env, db, userId));
  if (!credential) return undefined;
  const stack = await env.PROVISIONER.stackConnection(userId);
  if (!stack.up.includes("gitea") || !stack.giteaMachineId) throw new Error("the Gitea machine is not up");
  return {
    url: `${stack.edgeUrl.replace(/\/+$/, "")}/${credential.owner}/${credential.repo}.git`,
    branch: credential.branch,
    token: credential.token,
    machineId: stack.giteaMachineId,
  };
}
