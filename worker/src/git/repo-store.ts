import { and, eq } from "drizzle-orm";
import { repos } from "../../../schema";
import type { Database } from "../../../schema/db";

/** What bootstrap records about a user's repository (`repos` row). */
export interface RepoRecord {
  userId: string;
  name: string;
  giteaOwner: string;
  /** Set last, once the repository is complete: non-null means bootstrap finished. */
  giteaRepoId: number | null;
  defaultBranch: string;
  /** AES-GCM sealed access token (`platform/secret-box.ts`), bound to the user id. */
  accessTokenCiphertext: string | null;
  /** The sandbox's read-only token, sealed the same way (associated data `sandboxTokenBinding(userId)`). */
  sandboxTokenCiphertext: string | null;
  /** A restore from memory_versions in progress: the last version written back ('' before the first); else null. */
  restoreCursor: string | null;
}

export interface RepoStore {
  find(userId: string, name: string): Promise<RepoRecord | null>;
  /** Insert or update by (user, name): each bootstrap step records its progress with one idempotent write. */
  save(record: RepoRecord): Promise<void>;
  /** A restore's progress (restore-user-repo.ts): one write per version written back. */
  setRestoreCursor(userId: string, name: string, cursor: string | null): Promise<void>;
}

export function drizzleRepoStore(db: Database): RepoStore {
  return {
    async find(userId, name) {
      const [row] = await db
        .select()
        .from(repos)
        .where(and(eq(repos.userId, userId), eq(repos.name, name)))
        .limit(1);
      if (!row) return null;
      return {
        userId: row.userId,
        name: row.name,
        giteaOwner: row.giteaOwner,
        giteaRepoId: row.giteaRepoId,
        defaultBranch: row.defaultBranch,
        accessTokenCiphertext: row.accessTokenCiphertext,
        sandboxTokenCiphertext: row.sandboxTokenCiphertext,
        restoreCursor: row.restoreCursor,
      };
    },
    async save(record) {
      const values = {
        giteaOwner: record.giteaOwner,
        giteaRepoId: record.giteaRepoId,
        defaultBranch: record.defaultBranch,
        accessTokenCiphertext: record.accessTokenCiphertext,
        sandboxTokenCiphertext: record.sandboxTokenCiphertext,
        restoreCursor: record.restoreCursor,
      };
      await db
        .insert(repos)
        .values({ userId: record.userId, name: record.name, ...values })
        .onConflictDoUpdate({ target: [repos.userId, repos.name], set: values });
    },
    async setRestoreCursor(userId, name, cursor) {
      await db
        .update(repos)
        .set({ restoreCursor: cursor })
        .where(and(eq(repos.userId, userId), eq(repos.name, name)));
    },
  };
}
