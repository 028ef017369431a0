import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GIT_ENV } from "../../dev/gitea/git";
import { type DevGitea, startDevGitea } from "../../dev/gitea/server";
import { GiteaClient } from "../../worker/src/git/gitea-client";
import { uniqueLogin } from "../support/gitea";

const run = promisify(execFile);

/** dev/gitea's own behaviour beyond the client's happy paths: concurrency, git over HTTP, persistence. */
describe("dev/gitea", () => {
  let gitea: DevGitea;
  let admin: GiteaClient;
  let login: string;
  let user: GiteaClient;
  let token: string;

  beforeAll(async () => {
    gitea = await startDevGitea();
    admin = new GiteaClient({ baseUrl: gitea.url, auth: { token: gitea.adminToken } });
    login = uniqueLogin("dev");
    const password = `pw-${crypto.randomUUID()}`;
    await admin.adminCreateUser({ username: login, email: `${login}@growqr.invalid`, password });
    token =
      (
        await admin
          .withAuth({ basic: { username: login, password } })
          .createToken(login, { name: "t", scopes: ["write:repository", "read:user"] })
      ).sha1 ?? "";
    user = admin.withAuth({ token });
    await admin.adminCreateRepo(login, { name: "mem", private: true });
  });
  afterAll(() => gitea?.close());

  const raw = (urlPath: string, init: RequestInit = {}) =>
    fetch(`${gitea.url}${urlPath}`, {
      ...init,
      headers: { authorization: `token ${token}`, "content-type": "application/json", ...init.headers },
    });

  it("serialises concurrent writes per repository: every write is its own commit on one line of history", async () => {
    const writes = Array.from({ length: 8 }, (_, i) =>
      user.createFile(login, "mem", `parallel/${i}.md`, { content: `${i}`, message: `write ${i}` }),
    );
    const results = await Promise.all(writes);
    expect(new Set(results.map((r) => r.commitSha)).size).toBe(8);
    const commits = await user.listCommits(login, "mem", { path: "parallel", limit: 50 });
    expect(commits).toHaveLength(8);
    for (const commit of commits.slice(0, -1)) expect(commit.parents).toHaveLength(1);
    expect((await user.listDirectory(login, "mem", "parallel"))?.length).toBe(8);
  });

  it("dates a commit as `dates` asks (a restore keeps each version's date), and refuses a date it cannot read", async () => {
    const when = "2025-03-09T07:30:15.250Z";
    await user.createFile(login, "mem", "dated.md", {
      content: "then",
      message: "back then",
      dates: { author: when, committer: when },
    });
    const [commit] = await user.listCommits(login, "mem", { path: "dated.md", limit: 1 });
    expect(new Date(commit?.commit?.author?.date ?? "").toISOString()).toBe("2025-03-09T07:30:15.000Z");
    expect(new Date(commit?.commit?.committer?.date ?? "").toISOString()).toBe("2025-03-09T07:30:15.000Z");

    const refused = await raw(`/api/v1/repos/${login}/mem/contents/undated.md`, {
      method: "POST",
      body: JSON.stringify({ content: btoa("x"), dates: { author: "yesterday-ish" } }),
    });
    expect(refused.status).toBe(422);
    expect(await user.getFile(login, "mem", "undated.md")).toBeNull();
  });

  it("refuses traversal and .git paths sent around the client, writing nothing", async () => {
    const before = (await user.listCommits(login, "mem")).length;
    for (const bad of ["a/%2E%2E/%2E%2E/x.md", ".git/hooks/x", "a/.GIT/x", "a%00b.md"]) {
      const response = await raw(`/api/v1/repos/${login}/mem/contents/${bad}`, {
        method: "POST",
        body: JSON.stringify({ content: btoa("x") }),
      });
      expect([404, 422]).toContain(response.status);
      expect(await response.json()).toHaveProperty("message");
    }
    expect((await user.listCommits(login, "mem")).length).toBe(before);
  });

  it("lets admins act as a user with Sudo, and nobody else", async () => {
    const asUser = await fetch(`${gitea.url}/api/v1/user`, {
      headers: { authorization: `token ${gitea.adminToken}`, sudo: login },
    });
    expect(((await asUser.json()) as { login: string }).login).toBe(login);
    const bySelf = await raw("/api/v1/user", { headers: { sudo: gitea.adminUsername } });
    expect(bySelf.status).toBe(403);
  });

  it("challenges anonymous git clients, serves clones, and refuses pushes", async () => {
    const info = await fetch(`${gitea.url}/${login}/mem.git/info/refs?service=git-upload-pack`);
    expect(info.status).toBe(401);
    expect(info.headers.get("www-authenticate")).toMatch(/^Basic/);
    const push = await fetch(`${gitea.url}/${login}/mem.git/info/refs?service=git-receive-pack`, {
      headers: { authorization: `Basic ${btoa(`${login}:${token}`)}` },
    });
    expect(push.status).toBe(403);

    const dir = await mkdtemp(path.join(os.tmpdir(), "dev-gitea-clone-"));
    try {
      const url = new URL(`${gitea.url}/${login}/mem.git`);
      url.username = login;
      url.password = token;
      await run("git", ["clone", "--quiet", url.toString(), `${dir}/c`], { env: { ...GIT_ENV, HOME: dir } });
      const { stdout } = await run("git", ["-C", `${dir}/c`, "rev-list", "--count", "HEAD"], {
        env: GIT_ENV,
      });
      expect(Number(stdout.trim())).toBe((await user.listCommits(login, "mem", { limit: 50 })).length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps users, tokens and repositories across a restart with the same data directory", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "dev-gitea-data-"));
    try {
      const first = await startDevGitea({ dataDir });
      const firstAdmin = new GiteaClient({ baseUrl: first.url, auth: { token: first.adminToken } });
      const name = uniqueLogin("p");
      await firstAdmin.adminCreateUser({
        username: name,
        email: `${name}@growqr.invalid`,
        password: "password-1",
      });
      await firstAdmin.adminCreateRepo(name, { name: "r", private: true });
      await first.close();

      const second = await startDevGitea({ dataDir, adminToken: first.adminToken });
      const again = new GiteaClient({ baseUrl: second.url, auth: { token: first.adminToken } });
      expect((await again.getRepo(name, "r"))?.private).toBe(true);
      expect((await again.listCommits(name, "r")).length).toBe(1);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
