import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Principal } from "./auth";
import { commitFile, initBare, resolveCommit } from "./git";
import { HttpError } from "./http";
import type { Urls } from "./json";
import type { GiteaStore, RepoRecord, UserRecord } from "./store";

/** What every handler of the dev Gitea shares. */
export interface DevGiteaContext {
  store: GiteaStore;
  reposDir: string;
  urls: Urls;
  /** Runs `fn` alone for this repository: contents-API writes are serialised per repository. */
  exclusive<T>(repo: RepoRecord, fn: () => Promise<T>): Promise<T>;
}

export function createExclusive(): DevGiteaContext["exclusive"] {
  const tails = new Map<number, Promise<unknown>>();
  return (repo, fn) => {
    const previous = tails.get(repo.id) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => {});
    tails.set(repo.id, tail);
    void tail.then(() => {
      if (tails.get(repo.id) === tail) tails.delete(repo.id);
    });
    return run;
  };
}

// Gitea's rules, slightly stricter: no leading/trailing punctuation, 40 characters at most.
const USERNAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?$/;
const REPO_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export const isValidUsername = (name: string) => USERNAME.test(name) && !/[_.-]{2}/.test(name);
export const isValidRepoName = (name: string) =>
  REPO_NAME.test(name) && name !== "." && name !== ".." && !name.toLowerCase().endsWith(".git");

/** On disk by lower-cased names, as Gitea does; names were validated, so they cannot escape `reposDir`. */
export const gitDirOf = (context: DevGiteaContext, owner: UserRecord, repo: RepoRecord) =>
  path.join(context.reposDir, owner.login.toLowerCase(), `${repo.name.toLowerCase()}.git`);

export const canWrite = (principal: Principal | null, owner: UserRecord) =>
  principal !== null && (principal.user.id === owner.id || principal.user.isAdmin);
export const canRead = (principal: Principal | null, owner: UserRecord, repo: RepoRecord) =>
  !repo.private || canWrite(principal, owner);

export const NOT_FOUND = "The target couldn't be found.";

/** The repository if the principal may see it; 404 otherwise, as Gitea hides private repositories. */
export function visibleRepo(
  context: DevGiteaContext,
  principal: Principal | null,
  ownerName: string,
  name: string,
) {
  const owner = context.store.userByLogin(ownerName);
  const repo = owner && context.store.repo(owner.id, name);
  if (!owner || !repo || !canRead(principal, owner, repo)) throw new HttpError(404, NOT_FOUND);
  return { owner, repo, gitDir: gitDirOf(context, owner, repo) };
}

export async function isEmptyRepo(gitDir: string, repo: RepoRecord): Promise<boolean> {
  return (await resolveCommit(gitDir, `refs/heads/${repo.defaultBranch}`)) === null;
}

export const gitIdentity = (user: UserRecord) => ({ name: user.fullName || user.login, email: user.email });

/** Creates the record and a real bare repository; `autoInit` commits a README like Gitea's "Default" template. */
export async function createRepository(
  context: DevGiteaContext,
  owner: UserRecord,
  input: { name: string; description: string; private: boolean; defaultBranch: string; autoInit: boolean },
): Promise<RepoRecord> {
  if (!isValidRepoName(input.name)) throw new HttpError(422, `invalid repository name [name: ${input.name}]`);
  if (context.store.repo(owner.id, input.name)) {
    throw new HttpError(409, "The repository with the same name already exists.");
  }
  const repo = context.store.createRepo({
    ownerId: owner.id,
    name: input.name,
    description: input.description,
    private: input.private,
    defaultBranch: input.defaultBranch,
  });
  const gitDir = gitDirOf(context, owner, repo);
  await mkdir(path.dirname(gitDir), { recursive: true });
  await initBare(gitDir, input.defaultBranch);
  if (input.autoInit) {
    const readme = `# ${input.name}\n\n${input.description}`.trimEnd();
    const identity = gitIdentity(owner);
    await commitFile(gitDir, {
      branch: input.defaultBranch,
      parent: null,
      filePath: "README.md",
      content: Buffer.from(`${readme}\n`),
      message: "Initial commit\n",
      author: identity,
      committer: identity,
    });
  }
  await context.store.save();
  return repo;
}
