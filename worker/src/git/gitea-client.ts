import { decodeBase64Utf8, encodeBase64Utf8 } from "./base64";
import { GiteaError } from "./gitea-error";
import { type GiteaAuth, GiteaHttp } from "./gitea-http";
import { validateMemoryContent, validateMemoryDirectory, validateMemoryPath } from "./memory-paths";
import type { components } from "./spec/gitea-api.gen";

export type { GiteaAuth } from "./gitea-http";

type Schemas = components["schemas"];
export type GiteaUser = Schemas["User"];
export type GiteaRepository = Schemas["Repository"];
export type GiteaAccessToken = Schemas["AccessToken"];
export type GiteaCommit = Schemas["Commit"];
export type GiteaContents = Schemas["ContentsResponse"];

export interface MemoryFile {
  path: string;
  content: string;
  /** Blob SHA: pass it back to update the file. */
  sha: string;
  lastCommitSha: string | undefined;
}

export interface DirectoryEntry {
  name: string;
  path: string;
  type: "file" | "dir" | "symlink" | "submodule";
  sha: string;
  size: number;
}

export interface WriteResult {
  commitSha: string;
  blobSha: string;
}

export interface WriteFileInput {
  content: string;
  message: string;
  branch?: string;
  /** Defaults to the token's user, which is what makes the user the commit's author. */
  author?: { name: string; email: string };
  /** The commit's author and committer dates (RFC 3339); Gitea's clock when absent. A restore keeps the originals. */
  dates?: { author: string; committer: string };
}

const entryType = (type: string | undefined): DirectoryEntry["type"] =>
  type === "dir" || type === "symlink" || type === "submodule" ? type : "file";

/**
 * Typed client for the subset of Gitea's REST API (1.22) that GrowQR uses. Paths and bodies are checked against
 * types generated from Gitea's Swagger document; every call is retried on 429/5xx and fails with a `GiteaError`.
 * Memory file paths and contents are validated before anything is sent (`memory-paths.ts`). The transport (auth,
 * timeout, retries, errors) is `GiteaHttp` (`gitea-http.ts`).
 */
export class GiteaClient extends GiteaHttp {
  /** The same server with other credentials. */
  withAuth(auth: GiteaAuth): GiteaClient {
    return new GiteaClient({ ...this.options, auth });
  }

  async version(): Promise<string> {
    const body = await this.must("version", () => this.api.GET("/version"));
    return body.version ?? "unknown";
  }

  /** The user the credentials belong to. */
  currentUser(): Promise<GiteaUser> {
    return this.must("get current user", () => this.api.GET("/user"));
  }

  getUser(username: string): Promise<GiteaUser | null> {
    return this.call(
      "get user",
      () => this.api.GET("/users/{username}", { params: { path: { username } } }),
      {
        notFoundAsNull: true,
      },
    );
  }

  /** Admin only. `must_change_password` false, or the user's basic auth (needed to mint tokens) is refused. */
  adminCreateUser(input: { username: string; email: string; password: string; fullName?: string }) {
    return this.must("admin create user", () =>
      this.api.POST("/admin/users", {
        body: {
          username: input.username,
          email: input.email,
          password: input.password,
          full_name: input.fullName,
          must_change_password: false,
          send_notify: false,
          visibility: "private",
        },
      }),
    );
  }

  /** Admin only: sets a new password (how bootstrap regains basic auth after a crash lost the old one). */
  async adminSetPassword(username: string, password: string): Promise<void> {
    await this.call("admin edit user", () =>
      this.api.PATCH("/admin/users/{username}", {
        params: { path: { username } },
        // Gitea 1.22 requires login_name and source_id (0 = local account).
        body: { login_name: username, source_id: 0, password, must_change_password: false },
      }),
    );
  }

  /** Admin only: a repository owned by `owner`. */
  adminCreateRepo(owner: string, input: { name: string; description?: string; private: boolean }) {
    return this.must("admin create repo", () =>
      this.api.POST("/admin/users/{username}/repos", {
        params: { path: { username: owner } },
        body: {
          name: input.name,
          description: input.description,
          private: input.private,
          auto_init: true,
          readme: "Default",
          default_branch: "main",
        },
      }),
    );
  }

  /** A repository owned by the authenticated user. */
  createRepo(input: { name: string; description?: string; private: boolean }) {
    return this.must("create repo", () =>
      this.api.POST("/user/repos", {
        body: { ...input, auto_init: true, readme: "Default", default_branch: "main" },
      }),
    );
  }

  getRepo(owner: string, repo: string): Promise<GiteaRepository | null> {
    return this.call(
      "get repo",
      () => this.api.GET("/repos/{owner}/{repo}", { params: { path: { owner, repo } } }),
      {
        notFoundAsNull: true,
      },
    );
  }

  /** Basic auth as `username` (Gitea refuses token auth here). */
  async listTokens(username: string): Promise<GiteaAccessToken[]> {
    return (
      (await this.call("list tokens", () =>
        this.api.GET("/users/{username}/tokens", { params: { path: { username }, query: { limit: 50 } } }),
      )) ?? []
    );
  }

  /** Basic auth as `username`. The returned `sha1` is the token: shown once, store it encrypted. */
  createToken(username: string, input: { name: string; scopes: string[] }): Promise<GiteaAccessToken> {
    return this.must("create token", () =>
      this.api.POST("/users/{username}/tokens", { params: { path: { username } }, body: input }),
    );
  }

  /** Basic auth as `username`; `token` is the token's id or name. */
  async deleteToken(username: string, token: string | number): Promise<void> {
    await this.call("delete token", () =>
      this.api.DELETE("/users/{username}/tokens/{token}", {
        params: { path: { username, token: String(token) } },
      }),
    );
  }

  /** A file's text, or null if there is no such file. */
  async getFile(owner: string, repo: string, path: string, ref?: string): Promise<MemoryFile | null> {
    const filepath = validateMemoryPath(path);
    const body: unknown = await this.call(
      "get file",
      () =>
        this.api.GET("/repos/{owner}/{repo}/contents/{filepath}", {
          params: { path: { owner, repo, filepath }, query: { ref } },
        }),
      { notFoundAsNull: true },
    );
    if (body === null) return null;
    const entry = body as GiteaContents;
    if (Array.isArray(body) || entry.type !== "file")
      throw new GiteaError("get file", 422, `${filepath} is not a file`);
    return {
      path: entry.path ?? filepath,
      content: decodeBase64Utf8(entry.content ?? ""),
      sha: entry.sha ?? "",
      lastCommitSha: entry.last_commit_sha,
    };
  }

  /** Entries of a directory ("" = root), or null if it does not exist. */
  async listDirectory(
    owner: string,
    repo: string,
    path: string,
    ref?: string,
  ): Promise<DirectoryEntry[] | null> {
    const dir = validateMemoryDirectory(path);
    const body: unknown =
      dir === ""
        ? await this.call(
            "list directory",
            () =>
              this.api.GET("/repos/{owner}/{repo}/contents", {
                params: { path: { owner, repo }, query: { ref } },
              }),
            { notFoundAsNull: true },
          )
        : await this.call(
            "list directory",
            () =>
              this.api.GET("/repos/{owner}/{repo}/contents/{filepath}", {
                params: { path: { owner, repo, filepath: dir }, query: { ref } },
              }),
            { notFoundAsNull: true },
          );
    if (body === null) return null;
    if (!Array.isArray(body)) throw new GiteaError("list directory", 422, `${dir} is not a directory`);
    return (body as GiteaContents[]).map((entry) => ({
      name: entry.name ?? "",
      path: entry.path ?? "",
      type: entryType(entry.type),
      sha: entry.sha ?? "",
      size: entry.size ?? 0,
    }));
  }

  /** One commit creating `path`. Gitea answers 422 if the file exists. */
  async createFile(owner: string, repo: string, path: string, input: WriteFileInput): Promise<WriteResult> {
    const filepath = validateMemoryPath(path);
    const content = encodeBase64Utf8(validateMemoryContent(input.content));
    const body = await this.must("create file", () =>
      this.api.POST("/repos/{owner}/{repo}/contents/{filepath}", {
        params: { path: { owner, repo, filepath } },
        body: {
          content,
          message: input.message,
          branch: input.branch,
          author: input.author,
          dates: input.dates,
        },
      }),
    );
    return { commitSha: body.commit?.sha ?? "", blobSha: body.content?.sha ?? "" };
  }

  /** One commit replacing `path`, whose current blob SHA must be `sha` (else 422: someone wrote in between). */
  async updateFile(
    owner: string,
    repo: string,
    path: string,
    input: WriteFileInput & { sha: string },
  ): Promise<WriteResult> {
    const filepath = validateMemoryPath(path);
    const content = encodeBase64Utf8(validateMemoryContent(input.content));
    const body = await this.must("update file", () =>
      this.api.PUT("/repos/{owner}/{repo}/contents/{filepath}", {
        params: { path: { owner, repo, filepath } },
        body: {
          content,
          sha: input.sha,
          message: input.message,
          branch: input.branch,
          author: input.author,
          dates: input.dates,
        },
      }),
    );
    return { commitSha: body.commit?.sha ?? "", blobSha: body.content?.sha ?? "" };
  }

  /** Newest first. An empty repository (Gitea: 409) has no commits. */
  async listCommits(
    owner: string,
    repo: string,
    options: { path?: string; sha?: string; page?: number; limit?: number } = {},
  ): Promise<GiteaCommit[]> {
    const path = options.path === undefined ? undefined : validateMemoryDirectory(options.path) || undefined;
    try {
      return (
        (await this.call("list commits", () =>
          this.api.GET("/repos/{owner}/{repo}/commits", {
            params: {
              path: { owner, repo },
              query: {
                path,
                sha: options.sha,
                page: options.page,
                limit: options.limit,
                stat: false,
                verification: false,
                files: false,
              },
            },
          }),
        )) ?? []
      );
    } catch (error) {
      if (error instanceof GiteaError && error.status === 409) return [];
      throw error;
    }
  }
}
