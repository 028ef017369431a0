import type { Database } from "../../../schema/db";
import type { UserRepo } from "../git/bootstrap-user-repo";
import type { GiteaCommit } from "../git/gitea-client";
import { GiteaError } from "../git/gitea-error";
import { validateMemoryPath } from "../git/memory-paths";
import { type CommittedVersion, versionAt, versionsOf } from "./memory-versions.repository";

/*
 * A file's commits and the file at one of them. Postgres keeps every version committed through GrowQR
 * (memory_versions), so both are answered there without waking the user's Gitea machine; only a file that exists
 * in git alone (bootstrap's READMEs) is read from git.
 */

/** Who made a commit: the user (the memory page, a restore) or their Grow Agent (its `commit_memory` tool). */
export type CommitAuthor = "user" | "agent";

export interface HistoryEntry {
  sha: string;
  message: string;
  by: CommitAuthor;
  date: string;
}

export interface CommitView extends HistoryEntry {
  path: string;
  content: string;
  /** The file just before this commit; null when the commit created it. */
  previous: string | null;
}

export interface HistoryDeps {
  db: Database;
  userId: string;
  userRepo(options: { wake: boolean }): Promise<UserRepo | null>;
}

/**
 * One entry per commit, newest first. A write whose content was already there commits nothing and repeats its
 * predecessor's SHA: it is not a change, so it is not listed.
 */
export function commitsOf(versions: readonly CommittedVersion[]): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  versions.forEach((version, i) => {
    const older = versions[i + 1];
    if (older && older.commitSha === version.commitSha) return;
    entries.push(entryOf(version));
  });
  return entries;
}

const entryOf = (version: CommittedVersion): HistoryEntry => ({
  sha: version.commitSha,
  message: version.message,
  by: version.threadId ? "agent" : "user",
  date: version.committedAt.toISOString(),
});

/** Commits in git alone were made by GrowQR itself (the repository's bootstrap), not by the user. */
const gitEntry = (commit: GiteaCommit): HistoryEntry => ({
  sha: commit.sha ?? "",
  message: (commit.commit?.message ?? "").trim(),
  by: "agent",
  date: commit.commit?.author?.date ?? "",
});

export async function commitHistory(
  deps: HistoryDeps,
  input: { path: string; limit?: number },
): Promise<HistoryEntry[]> {
  const path = validateMemoryPath(input.path);
  const limit = input.limit ?? 50;
  const versions = await versionsOf(deps.db, deps.userId, path, limit * 2);
  if (versions.length > 0) return commitsOf(versions).slice(0, limit);
  const repo = await deps.userRepo({ wake: true });
  if (!repo) return [];
  const commits = await repo.client.listCommits(repo.owner, repo.repo, { path, limit });
  return commits.map(gitEntry);
}

/** The file as `sha` left it, and as it was before; null when `sha` is not one of this user's commits of it. */
export async function commitView(
  deps: HistoryDeps,
  input: { path: string; sha: string },
): Promise<CommitView | null> {
  const path = validateMemoryPath(input.path);
  const version = await versionAt(deps.db, deps.userId, path, input.sha);
  if (version) {
    return { ...entryOf(version), path, content: version.content, previous: version.previous };
  }
  // Only the user's own repository is asked (their token), so another user's SHA is not found either.
  const repo = await deps.userRepo({ wake: true });
  if (!repo) return null;
  const commits = await repo.client
    .listCommits(repo.owner, repo.repo, { path, sha: input.sha, limit: 2 })
    .catch((error: unknown) => {
      // Gitea answers a SHA it does not have with 404 (or 422): not a commit of this file.
      if (error instanceof GiteaError && (error.status === 404 || error.status === 422)) return [];
      throw error;
    });
  const [commit, before] = commits;
  // Listing from a commit that did not touch the path starts at an older one: it is not a commit of this file.
  if (!commit || commit.sha !== input.sha) return null;
  const file = await repo.client.getFile(repo.owner, repo.repo, path, input.sha);
  if (!file) return null;
  const previous = before?.sha ? await repo.client.getFile(repo.owner, repo.repo, path, before.sha) : null;
  return { ...gitEntry(commit), path, content: file.content, previous: previous?.content ?? null };
}
