import type { CommitRecord, TreeEntry } from "./git";
import type { RepoRecord, TokenRecord, UserRecord } from "./store";

/** Response bodies in Gitea 1.22's shapes (checked against its Swagger schemas by the contract test). */

export interface Urls {
  /** Server root, e.g. http://127.0.0.1:1234 */
  root: string;
}

const api = (urls: Urls) => `${urls.root}/api/v1`;
const EPOCH = "1970-01-01T00:00:00Z";

export function userJson(urls: Urls, user: UserRecord, { withEmail = true } = {}) {
  return {
    id: user.id,
    login: user.login,
    login_name: "",
    source_id: 0,
    full_name: user.fullName,
    email: withEmail ? user.email : "",
    avatar_url: `${urls.root}/avatars/${user.id}`,
    html_url: `${urls.root}/${user.login}`,
    language: "",
    is_admin: user.isAdmin,
    last_login: EPOCH,
    created: user.created,
    restricted: false,
    active: true,
    prohibit_login: false,
    location: "",
    website: "",
    description: "",
    visibility: user.visibility,
    followers_count: 0,
    following_count: 0,
    starred_repos_count: 0,
  };
}

export function repoJson(
  urls: Urls,
  repo: RepoRecord,
  owner: UserRecord,
  options: { empty: boolean; canWrite: boolean; isAdmin: boolean },
) {
  const fullName = `${owner.login}/${repo.name}`;
  return {
    id: repo.id,
    owner: userJson(urls, owner, { withEmail: false }),
    name: repo.name,
    full_name: fullName,
    description: repo.description,
    empty: options.empty,
    private: repo.private,
    fork: false,
    template: false,
    parent: null,
    mirror: false,
    size: 0,
    language: "",
    languages_url: `${api(urls)}/repos/${fullName}/languages`,
    html_url: `${urls.root}/${fullName}`,
    url: `${api(urls)}/repos/${fullName}`,
    link: "",
    ssh_url: "",
    clone_url: `${urls.root}/${fullName}.git`,
    original_url: "",
    website: "",
    stars_count: 0,
    forks_count: 0,
    watchers_count: 1,
    open_issues_count: 0,
    open_pr_counter: 0,
    release_counter: 0,
    default_branch: repo.defaultBranch,
    archived: false,
    created_at: repo.created,
    updated_at: repo.updated,
    archived_at: EPOCH,
    permissions: { admin: options.isAdmin || options.canWrite, push: options.canWrite, pull: true },
    has_issues: false,
    has_wiki: false,
    has_pull_requests: false,
    has_projects: false,
    has_releases: false,
    has_packages: false,
    has_actions: false,
    ignore_whitespace_conflicts: false,
    allow_merge_commits: true,
    allow_rebase: true,
    allow_rebase_explicit: true,
    allow_squash_merge: true,
    allow_fast_forward_only_merge: false,
    allow_rebase_update: true,
    default_delete_branch_after_merge: false,
    default_merge_style: "merge",
    default_allow_maintainer_edit: false,
    avatar_url: "",
    internal: false,
    mirror_interval: "",
    object_format_name: "sha1",
    mirror_updated: EPOCH,
    repo_transfer: null,
  };
}

export function tokenJson(record: TokenRecord, token?: string) {
  return {
    id: record.id,
    name: record.name,
    sha1: token ?? "",
    token_last_eight: record.lastEight,
    scopes: record.scopes,
  };
}

/** A file or directory entry; `content` is given for files read on their own (not in listings). */
export function contentsJson(
  urls: Urls,
  fullName: string,
  ref: string,
  entry: TreeEntry,
  lastCommitSha: string,
  content?: Buffer,
) {
  const type = entry.type === "tree" ? "dir" : entry.type === "commit" ? "submodule" : "file";
  const self = `${api(urls)}/repos/${fullName}/contents/${entry.path}?ref=${ref}`;
  const gitUrl = `${api(urls)}/repos/${fullName}/git/${type === "dir" ? "trees" : "blobs"}/${entry.sha}`;
  const html = `${urls.root}/${fullName}/src/branch/${ref}/${entry.path}`;
  return {
    name: entry.path.split("/").pop() ?? entry.path,
    path: entry.path,
    sha: entry.sha,
    last_commit_sha: lastCommitSha,
    type,
    size: type === "file" ? entry.size : 0,
    encoding: content ? "base64" : null,
    content: content ? content.toString("base64") : null,
    target: null,
    url: self,
    html_url: html,
    git_url: gitUrl,
    download_url: type === "file" ? `${urls.root}/${fullName}/raw/branch/${ref}/${entry.path}` : null,
    submodule_git_url: null,
    _links: { self, git: gitUrl, html },
  };
}

const commitUser = (person: CommitRecord["author"]) => ({
  name: person.name,
  email: person.email,
  date: person.date,
});
const meta = (urls: Urls, fullName: string, kind: "commits" | "trees", sha: string, created: string) => ({
  url: `${api(urls)}/repos/${fullName}/git/${kind}/${sha}`,
  sha,
  created,
});

export function fileCommitJson(urls: Urls, fullName: string, commit: CommitRecord) {
  return {
    url: `${api(urls)}/repos/${fullName}/git/commits/${commit.sha}`,
    sha: commit.sha,
    created: commit.committer.date,
    html_url: `${urls.root}/${fullName}/commit/${commit.sha}`,
    author: commitUser(commit.author),
    committer: commitUser(commit.committer),
    parents: commit.parents.map((sha) => meta(urls, fullName, "commits", sha, commit.committer.date)),
    message: commit.message,
    tree: meta(urls, fullName, "trees", commit.tree, commit.committer.date),
  };
}

const unverified = {
  verified: false,
  reason: "gpg.error.not_signed_commit",
  signature: "",
  signer: null,
  payload: "",
};

/** `author`/`committer` are the Gitea users matching the commit's emails, when there are any. */
export function commitJson(
  urls: Urls,
  fullName: string,
  commit: CommitRecord,
  users: { author: UserRecord | undefined; committer: UserRecord | undefined },
) {
  return {
    url: `${api(urls)}/repos/${fullName}/git/commits/${commit.sha}`,
    sha: commit.sha,
    created: commit.committer.date,
    html_url: `${urls.root}/${fullName}/commit/${commit.sha}`,
    commit: {
      url: `${api(urls)}/repos/${fullName}/git/commits/${commit.sha}`,
      author: commitUser(commit.author),
      committer: commitUser(commit.committer),
      message: commit.message,
      tree: meta(urls, fullName, "trees", commit.tree, commit.committer.date),
      verification: unverified,
    },
    author: users.author ? userJson(urls, users.author, { withEmail: false }) : null,
    committer: users.committer ? userJson(urls, users.committer, { withEmail: false }) : null,
    parents: commit.parents.map((sha) => meta(urls, fullName, "commits", sha, commit.committer.date)),
    files: null,
    stats: null,
  };
}

export { unverified };
