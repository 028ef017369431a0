import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecretBox, generateSecretBoxKey, type SecretBox } from "../../platform/secret-box";
import { users } from "../../schema";
import type { Database } from "../../schema/db";
import { applyMigrations } from "../../schema/migrate";
import {
  bootstrapUserRepo,
  giteaLoginFor,
  MEMORY_REPO,
  MEMORY_TOKEN_NAME,
  SANDBOX_TOKEN_NAME,
  sandboxTokenBinding,
} from "../../worker/src/git/bootstrap-user-repo";
import { GiteaClient } from "../../worker/src/git/gitea-client";
import { drizzleRepoStore, type RepoStore } from "../../worker/src/git/repo-store";
import { startTestGitea, type TestGitea } from "../support/gitea";
import { type LocalDatabase, startLocalDatabase } from "../support/local-db";

const NO_RETRY = { retries: 0, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 };

describe("bootstrapUserRepo", () => {
  let gitea: TestGitea;
  let local: LocalDatabase;
  let db: Database;
  let store: RepoStore;
  let box: SecretBox;

  beforeAll(async () => {
    [gitea, local] = await Promise.all([startTestGitea(), startLocalDatabase()]);
    await applyMigrations(local.settings);
    db = local.connect();
    store = drizzleRepoStore(db);
    box = await createSecretBox(generateSecretBoxKey());
  });
  afterAll(async () => {
    await local?.close();
    await gitea?.close();
  });

  const newUser = async () => {
    const [row] = await db
      .insert(users)
      .values({ clerkUserId: `user_${crypto.randomUUID()}` })
      .returning({ id: users.id });
    return (row as { id: string }).id;
  };

  /**
   * An admin client whose `failAt`-th request reaches Gitea and is applied, but whose answer is lost: the worst
   * case for a retry, since the caller cannot know the step happened. No client retries, so the failure escapes.
   */
  const faultyAdmin = (failAt = Number.POSITIVE_INFINITY) => {
    const counter = { requests: 0 };
    const admin = new GiteaClient({
      baseUrl: gitea.url,
      auth: { token: gitea.adminToken },
      retry: NO_RETRY,
      fetch: async (request) => {
        counter.requests++;
        const response = await fetch(request);
        if (counter.requests === failAt) {
          await response.body?.cancel();
          throw new Error("injected: connection reset after the request was applied");
        }
        return response;
      },
    });
    return { admin, counter };
  };

  /** One user, one token (ours), one private repo with README + system/, two commits, a usable sealed token. */
  const expectConverged = async (userId: string) => {
    const owner = giteaLoginFor(userId);
    const record = await store.find(userId, MEMORY_REPO);
    expect(record?.giteaRepoId).toBeGreaterThan(0);
    const token = await box.open(record?.accessTokenCiphertext ?? "", userId);
    const client = gitea.admin.withAuth({ token });
    expect((await client.currentUser()).login).toBe(owner);

    const repo = await client.getRepo(owner, MEMORY_REPO);
    expect(repo).toMatchObject({ id: record?.giteaRepoId, private: true });
    expect((await client.getFile(owner, MEMORY_REPO, "README.md"))?.content).toContain(MEMORY_REPO);
    expect((await client.listDirectory(owner, MEMORY_REPO, "system"))?.map((e) => e.name)).toEqual([
      "README.md",
    ]);
    const commits = await client.listCommits(owner, MEMORY_REPO);
    expect(commits.map((c) => c.commit?.message?.trim())).toEqual([
      "Add system/: memory that is always loaded",
      "Initial commit",
    ]);

    // Token listing needs the user's password: set one as admin, as bootstrap does.
    const password = `check-${crypto.randomUUID()}`;
    await gitea.admin.adminSetPassword(owner, password);
    const tokens = await gitea.admin.withAuth({ basic: { username: owner, password } }).listTokens(owner);
    expect(tokens.map((t) => t.name).sort()).toEqual([MEMORY_TOKEN_NAME, SANDBOX_TOKEN_NAME].sort());

    // The sandbox's token reads the repository and can write nothing.
    const sandboxToken = await box.open(record?.sandboxTokenCiphertext ?? "", sandboxTokenBinding(userId));
    const sandbox = gitea.admin.withAuth({ token: sandboxToken });
    expect((await sandbox.getRepo(owner, MEMORY_REPO))?.id).toBe(record?.giteaRepoId);
    await expect(
      sandbox.createFile(owner, MEMORY_REPO, "notes/x.md", { content: "x", message: "x" }),
    ).rejects.toMatchObject({ status: 403 });
    return record;
  };

  it("bootstraps once; a second run changes nothing and makes no admin call", async () => {
    const userId = await newUser();
    const first = await bootstrapUserRepo({ admin: gitea.admin, store, box }, userId);
    expect(first).toMatchObject({ owner: giteaLoginFor(userId), repo: MEMORY_REPO, defaultBranch: "main" });
    const recorded = await expectConverged(userId);

    const { admin, counter } = faultyAdmin();
    const second = await bootstrapUserRepo({ admin, store, box }, userId);
    expect(second.giteaRepoId).toBe(first.giteaRepoId);
    expect(counter.requests).toBe(1); // the stored token's own GET /user
    expect(await store.find(userId, MEMORY_REPO)).toEqual(recorded);
    await expectConverged(userId);

    // `force` re-checks every step against Gitea and still changes nothing (the stored token keeps working).
    const before = await store.find(userId, MEMORY_REPO);
    await bootstrapUserRepo({ admin: gitea.admin, store, box }, userId, { force: true });
    expect(await store.find(userId, MEMORY_REPO)).toEqual(before);
    await expectConverged(userId);
  });

  it("recovers on retry from a lost response after every single Gitea request", async () => {
    const { admin: probe, counter } = faultyAdmin();
    await bootstrapUserRepo({ admin: probe, store, box }, await newUser());
    const steps = counter.requests;
    expect(steps).toBeGreaterThan(8);

    for (let failAt = 1; failAt <= steps; failAt++) {
      const userId = await newUser();
      const { admin } = faultyAdmin(failAt);
      await expect(
        bootstrapUserRepo({ admin, store, box }, userId),
        `fail at request ${failAt}`,
      ).rejects.toThrow(/injected/);
      await bootstrapUserRepo({ admin: gitea.admin, store, box }, userId);
      await expectConverged(userId);
    }
  });

  it("recovers on retry when recording progress fails after each database write", async () => {
    let saves = 0;
    const countingStore: RepoStore = {
      ...store,
      save: async (record) => {
        saves++;
        await store.save(record);
      },
    };
    await bootstrapUserRepo({ admin: gitea.admin, store: countingStore, box }, await newUser());
    expect(saves).toBeGreaterThanOrEqual(3);

    for (let failAt = 1; failAt <= saves; failAt++) {
      const userId = await newUser();
      let n = 0;
      const failing: RepoStore = {
        ...store,
        save: async (record) => {
          await store.save(record);
          if (++n === failAt) throw new Error("injected: database connection lost after commit");
        },
      };
      await expect(bootstrapUserRepo({ admin: gitea.admin, store: failing, box }, userId)).rejects.toThrow(
        /injected/,
      );
      await bootstrapUserRepo({ admin: gitea.admin, store, box }, userId);
      await expectConverged(userId);
    }
  });

  it("replaces a token that was revoked or cannot be decrypted", async () => {
    const userId = await newUser();
    await bootstrapUserRepo({ admin: gitea.admin, store, box }, userId);
    const otherBox = await createSecretBox(generateSecretBoxKey());
    const handle = await bootstrapUserRepo({ admin: gitea.admin, store, box: otherBox }, userId);
    expect((await handle.client.currentUser()).login).toBe(giteaLoginFor(userId));
    // Sealed with the other key now; the original key no longer opens it, and a rerun with it re-mints.
    await bootstrapUserRepo({ admin: gitea.admin, store, box }, userId);
    await expectConverged(userId);

    // Revoked in Gitea: the fast path's check fails (401) and bootstrap mints a replacement.
    const owner = giteaLoginFor(userId);
    const password = `revoke-${crypto.randomUUID()}`;
    await gitea.admin.adminSetPassword(owner, password);
    await gitea.admin
      .withAuth({ basic: { username: owner, password } })
      .deleteToken(owner, MEMORY_TOKEN_NAME);
    const revoked = await store.find(userId, MEMORY_REPO);
    const renewed = await bootstrapUserRepo({ admin: gitea.admin, store, box }, userId);
    expect((await renewed.client.currentUser()).login).toBe(owner);
    expect((await store.find(userId, MEMORY_REPO))?.accessTokenCiphertext).not.toBe(
      revoked?.accessTokenCiphertext,
    );
    await expectConverged(userId);
  });
});
