import type { GiteaClient, WriteFileInput } from "./gitea-client";
import { GiteaError } from "./gitea-error";

export interface WriteFileOutcome {
  /** False when the file already had this content: nothing was committed. */
  changed: boolean;
  commitSha: string;
  blobSha: string;
}

/**
 * Create or update `path` so it holds `content`, as one commit, safely retryable: if an earlier attempt was
 * applied but its answer lost, the file already holds the content and nothing more is committed. With
 * `expectedSha` the write is optimistic: it fails with a 409-kind `GiteaError` if the file changed since.
 */
export async function writeFile(
  client: GiteaClient,
  owner: string,
  repo: string,
  path: string,
  input: WriteFileInput & { expectedSha?: string | null },
): Promise<WriteFileOutcome> {
  const unchanged = (file: { sha: string; lastCommitSha: string | undefined }) => ({
    changed: false,
    commitSha: file.lastCommitSha ?? "",
    blobSha: file.sha,
  });
  const current = await client.getFile(owner, repo, path, input.branch);
  if (current?.content === input.content) return unchanged(current);
  if (input.expectedSha !== undefined && (current?.sha ?? null) !== input.expectedSha) {
    throw new GiteaError("write file", 409, `${path} changed since it was read`);
  }
  try {
    const result = current
      ? await client.updateFile(owner, repo, path, { ...input, sha: current.sha })
      : await client.createFile(owner, repo, path, input);
    return { changed: true, ...result };
  } catch (error) {
    // 422 is either a race (created, or changed, between our read and our write, possibly by our own lost earlier
    // attempt) or a refusal of the write itself. Only a file that moved tells them apart: a refusal stays a 422,
    // so the outbox sets the write aside instead of retrying it as a conflict forever.
    if (!(error instanceof GiteaError) || error.status !== 422) throw error;
    const now = await client.getFile(owner, repo, path, input.branch);
    if (now?.content === input.content) return unchanged(now);
    if ((now?.sha ?? null) === (current?.sha ?? null)) throw error;
    throw new GiteaError("write file", 409, `${path} was changed concurrently`);
  }
}
