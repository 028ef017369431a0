import type { Logger } from "../../../platform/logger";
import type { SecretBox } from "../../../platform/secret-box";
import type { GiteaClient } from "./gitea-client";
import { GiteaError } from "./gitea-error";
import { SYSTEM_DIRECTORY } from "./memory-paths";
import type { RepoRecord, RepoStore } from "./repo-store";

export const MEMORY_REPO = "growqr-memory";
export const MEMORY_TOKEN_NAME = "growqr-memory";
/** Enough to read and commit memory and to check who the token belongs to; nothing else. */
export const MEMORY_TOKEN_SCOPES = ["write:repository", "read:user"];
export const SANDBOX_TOKEN_NAME = "growqr-sandbox";
/**
 * The user's sandbox clones the repository (its skills) with this one: it can read, never write. A prompt-injected
 * sub-agent must not be able to change memory behind the outbox, so the sandbox never sees the memory token.
 */
export const SANDBOX_TOKEN_SCOPES = ["read:repository"];
/** Associated data of the sealed sandbox token: it does not open as the memory token, nor the other way round. */
export const sandboxTokenBinding = (userId: string) => `sandbox:${userId}`;

const SYSTEM_README = `# system/

Files in this folder are always loaded into your Grow Agent's context. Keep them short.
`;

export interface BootstrapDeps {
  /** Client with the admin token. */
  admin: GiteaClient;
  store: RepoStore;
  box: SecretBox;
  /**
   * Does the user have committed memory to restore (memory_versions)? Asked when the repository must be made
   * anew: on a new Gitea machine it is then rebuilt from that copy (restore-user-repo.ts).
   */
  hasHistory?: () => Promise<boolean>;
  /** Domain for the Gitea accounts' placeholder e-mail addresses (nobody mails them). */
  emailDomain?: string;
  log?: Logger;
}

/** A ready repository and a client holding the user's own token (never the admin's). */
export interface UserRepo {
  userId: string;
  owner: string;
  repo: string;
  defaultBranch: string;
  giteaRepoId: number;
  client: GiteaClient;
  /** A restore to finish before anything else is written ('' = from the first version); null when none. */
  restoreCursor: string | null;
}

/** Gitea login for one of our users: stable, unique, and only characters Gitea allows (35 of its 40). */
export const giteaLoginFor = (userId: string) => `gq-${userId.replaceAll("-", "").toLowerCase()}`;

/** 32 random bytes as hex: a password nobody ever types, reset whenever a new token must be minted. */
function randomPassword(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

const is = (error: unknown, status: number) => error instanceof GiteaError && error.status === status;

/**
 * Makes sure user `userId` has a Gitea account, a scoped token and a read-only one for the sandbox (both stored
 * sealed), and a private `growqr-memory`
 * repository with a README and `system/`. Every step first looks at what exists, so running it again, after a
 * crash or a lost response at any point, converges on one user, one token, one repository. Calls for one user
 * must not overlap (the user's actor serialises them): two concurrent runs could each mint a token. The plain
 * token never leaves this module: callers get a client that uses it.
 */
export async function bootstrapUserRepo(
  deps: BootstrapDeps,
  userId: string,
  options: {
    /** Check every step even if the row says done: for a caller that got 404 for a repository Gitea lost. */
    force?: boolean;
  } = {},
): Promise<UserRepo> {
  const { admin, store, box } = deps;
  const existing = await store.find(userId, MEMORY_REPO);
  const record: RepoRecord = existing ?? {
    userId,
    name: MEMORY_REPO,
    giteaOwner: giteaLoginFor(userId),
    giteaRepoId: null,
    defaultBranch: "main",
    accessTokenCiphertext: null,
    sandboxTokenCiphertext: null,
    restoreCursor: null,
  };
  const owner = record.giteaOwner;
  const step = (name: string) => deps.log?.info("git bootstrap step", { step: name, giteaOwner: owner });

  // Fast path: finished before and the token still opens. No admin call at all. The sandbox token is not checked
  // here (one more call on every use): a revoked one shows as a failed sandbox sync and `force` replaces it.
  if (
    !options.force &&
    record.giteaRepoId !== null &&
    record.accessTokenCiphertext &&
    record.sandboxTokenCiphertext
  ) {
    const client = await tokenClient(deps, record);
    if (client)
      return {
        userId,
        owner,
        repo: MEMORY_REPO,
        defaultBranch: record.defaultBranch,
        giteaRepoId: record.giteaRepoId,
        client,
        restoreCursor: record.restoreCursor,
      };
  }
  if (!existing) await store.save(record);

  step("user");
  if (!(await admin.getUser(owner))) {
    try {
      await admin.adminCreateUser({
        username: owner,
        email: `${owner}@${deps.emailDomain ?? "users.noreply.growqr.invalid"}`,
        password: randomPassword(),
      });
    } catch (error) {
      // Created by an earlier attempt whose answer was lost.
      if (!is(error, 422) || !(await admin.getUser(owner))) throw error;
    }
  }

  step("token");
  let client = await tokenClient(deps, record);
  if (!client) {
    const token = await mintToken(deps, owner, userId, MEMORY_TOKEN_NAME, MEMORY_TOKEN_SCOPES);
    record.accessTokenCiphertext = await box.seal(token, userId);
    await store.save(record);
    client = admin.withAuth({ token });
  }

  step("repository");
  let repo = await client.getRepo(owner, MEMORY_REPO);
  if (!repo) {
    // Recorded before the repository exists, so a crash right after creating it still restores on the next run.
    if (record.restoreCursor === null && (await deps.hasHistory?.())) {
      record.restoreCursor = "";
      await store.save(record);
    }
    try {
      repo = await admin.adminCreateRepo(owner, {
        name: MEMORY_REPO,
        description: "Long-term memory of your GrowQR agent: markdown, one commit per change.",
        private: true,
      });
    } catch (error) {
      repo = is(error, 409) ? await client.getRepo(owner, MEMORY_REPO) : null;
      if (!repo) throw error;
    }
  }
  if (repo.private !== true) throw new Error(`${owner}/${MEMORY_REPO} exists but is not private`);

  step("system folder");
  if (!(await client.listDirectory(owner, MEMORY_REPO, SYSTEM_DIRECTORY))) {
    try {
      await client.createFile(owner, MEMORY_REPO, `${SYSTEM_DIRECTORY}/README.md`, {
        content: SYSTEM_README,
        message: "Add system/: memory that is always loaded",
      });
    } catch (error) {
      if (!is(error, 422)) throw error; // 422: an earlier attempt created it.
    }
  }

  step("sandbox token");
  if (!(await sandboxTokenWorks(deps, record))) {
    const token = await mintToken(deps, owner, userId, SANDBOX_TOKEN_NAME, SANDBOX_TOKEN_SCOPES);
    record.sandboxTokenCiphertext = await box.seal(token, sandboxTokenBinding(userId));
    await store.save(record);
  }

  record.giteaRepoId = repo.id ?? 0;
  record.defaultBranch = repo.default_branch || "main";
  await store.save(record);
  step("done");
  return {
    userId,
    owner,
    repo: MEMORY_REPO,
    defaultBranch: record.defaultBranch,
    giteaRepoId: record.giteaRepoId,
    client,
    restoreCursor: record.restoreCursor,
  };
}

/** A client with the stored token if it decrypts and Gitea still accepts it for this user; otherwise null. */
async function tokenClient(deps: BootstrapDeps, record: RepoRecord): Promise<GiteaClient | null> {
  if (!record.accessTokenCiphertext) return null;
  let token: string;
  try {
    token = await deps.box.open(record.accessTokenCiphertext, record.userId);
  } catch {
    deps.log?.warn("stored Gitea token does not decrypt; minting a new one", {
      giteaOwner: record.giteaOwner,
    });
    return null;
  }
  const client = deps.admin.withAuth({ token });
  try {
    const me = await client.currentUser();
    if (me.login?.toLowerCase() !== record.giteaOwner.toLowerCase()) return null;
  } catch (error) {
    if (is(error, 401) || is(error, 403)) return null;
    throw error;
  }
  return client;
}

/** Does the stored sandbox token decrypt and still read the repository? (It cannot read the user: no read:user.) */
async function sandboxTokenWorks(deps: BootstrapDeps, record: RepoRecord): Promise<boolean> {
  if (!record.sandboxTokenCiphertext) return false;
  let token: string;
  try {
    token = await deps.box.open(record.sandboxTokenCiphertext, sandboxTokenBinding(record.userId));
  } catch {
    return false;
  }
  try {
    return (await deps.admin.withAuth({ token }).getRepo(record.giteaOwner, MEMORY_REPO)) !== null;
  } catch (error) {
    if (is(error, 401) || is(error, 403)) return false;
    throw error;
  }
}

/**
 * Gitea mints tokens only for Basic auth with the account's password, which we do not keep: set a fresh random
 * one as admin, drop any token of ours a lost attempt left behind, and mint exactly one.
 */
async function mintToken(
  deps: BootstrapDeps,
  owner: string,
  userId: string,
  name: string,
  scopes: string[],
): Promise<string> {
  const password = randomPassword();
  await deps.admin.adminSetPassword(owner, password);
  const asUser = deps.admin.withAuth({ basic: { username: owner, password } });
  for (const token of await asUser.listTokens(owner)) {
    if (token.name === name && token.id !== undefined) await asUser.deleteToken(owner, token.id);
  }
  const created = await asUser.createToken(owner, { name, scopes });
  if (!created.sha1) throw new GiteaError("create token", 201, "Gitea returned no token");
  deps.log?.info("minted Gitea token", { giteaOwner: owner, userId, name });
  return created.sha1;
}
