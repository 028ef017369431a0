import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GiteaClient } from "../../worker/src/git/gitea-client";
import { GiteaError } from "../../worker/src/git/gitea-error";
import { MemoryPathError } from "../../worker/src/git/memory-paths";
import { writeFile } from "../../worker/src/git/write-file";
import { cloneAndLog, startTestGitea, type TestGitea, uniqueLogin } from "../support/gitea";

/**
 * The client against the dev Gitea, or a real Gitea when GITEA_URL and GITEA_ADMIN_TOKEN are set: the same
 * assertions hold for both.
 */
interface Account {
  login: string;
  email: string;
  password: string;
  token: string;
  client: GiteaClient;
}

const REPO = "growqr-memory";

describe("Gitea client", () => {
  let gitea: TestGitea;
  let alice: Account;
  let bob: Account;

  const account = async (prefix: string): Promise<Account> => {
    const login = uniqueLogin(prefix);
    const email = `${login}@growqr.invalid`;
    const password = `pw-${crypto.randomUUID()}`;
    await gitea.admin.adminCreateUser({ username: login, email, password, fullName: `${prefix} tester` });
    const basic = gitea.admin.withAuth({ basic: { username: login, password } });
    const token = await basic.createToken(login, {
      name: "memory",
      scopes: ["write:repository", "read:user"],
    });
    await gitea.admin.adminCreateRepo(login, { name: REPO, private: true });
    const client = gitea.admin.withAuth({ token: token.sha1 ?? "" });
    return { login, email, password, token: token.sha1 ?? "", client };
  };

  beforeAll(async () => {
    gitea = await startTestGitea();
    [alice, bob] = [await account("alice"), await account("bob")];
  });
  afterAll(() => gitea?.close());

  it("reads the server version", async () => {
    expect(await gitea.admin.version()).toMatch(/\d+\.\d+/);
  });

  it("creates users and private repos as admin; tokens belong to their user", async () => {
    const me = await alice.client.currentUser();
    expect(me.login).toBe(alice.login);
    const repo = await alice.client.getRepo(alice.login, REPO);
    expect(repo).toMatchObject({ name: REPO, private: true, default_branch: "main" });
    expect(await gitea.admin.getUser(alice.login)).toMatchObject({ login: alice.login });
    expect(await gitea.admin.getUser(uniqueLogin("nobody"))).toBeNull();
  });

  it("writes one real commit per write, authored by the token's user, visible in git clone + git log", async () => {
    const created = await alice.client.createFile(alice.login, REPO, "notes/today.md", {
      content: "# Today\n\nlearned: café ☕\n",
      message: "memory: add today",
    });
    expect(created.commitSha).toMatch(/^[0-9a-f]{40}$/);
    const file = await alice.client.getFile(alice.login, REPO, "notes/today.md");
    expect(file).toMatchObject({ content: "# Today\n\nlearned: café ☕\n", sha: created.blobSha });

    const updated = await alice.client.updateFile(alice.login, REPO, "notes/today.md", {
      content: "# Today\n\nupdated\n",
      sha: created.blobSha,
      message: "memory: update today",
    });
    expect(updated.commitSha).not.toBe(created.commitSha);

    const history = await alice.client.listCommits(alice.login, REPO, { path: "notes/today.md" });
    expect(history.map((c) => c.commit?.message?.trim())).toEqual([
      "memory: update today",
      "memory: add today",
    ]);
    expect(history[0]?.sha).toBe(updated.commitSha);

    const clone = await cloneAndLog(`${gitea.url}/${alice.login}/${REPO}.git`, {
      username: alice.login,
      password: alice.token,
    });
    try {
      expect(clone.log.slice(0, 2)).toEqual([
        { author: "alice tester", email: alice.email, subject: "memory: update today" },
        { author: "alice tester", email: alice.email, subject: "memory: add today" },
      ]);
      expect(clone.log.at(-1)?.subject).toBe("Initial commit");
    } finally {
      await clone.cleanup();
    }
  });

  it("lists directories and reports missing files as null", async () => {
    await alice.client.createFile(alice.login, REPO, "notes/b.md", { content: "b", message: "b" });
    const entries = await alice.client.listDirectory(alice.login, REPO, "notes");
    expect(entries?.map((e) => [e.name, e.type])).toEqual(
      expect.arrayContaining([
        ["b.md", "file"],
        ["today.md", "file"],
      ]),
    );
    const root = await alice.client.listDirectory(alice.login, REPO, "");
    expect(root?.find((e) => e.name === "notes")?.type).toBe("dir");
    expect(await alice.client.getFile(alice.login, REPO, "notes/missing.md")).toBeNull();
    expect(await alice.client.listDirectory(alice.login, REPO, "nope")).toBeNull();
  });

  it("refuses to create an existing file and to update from a stale sha (422)", async () => {
    await alice.client.createFile(alice.login, REPO, "c.md", { content: "1", message: "c1" });
    const create = alice.client.createFile(alice.login, REPO, "c.md", { content: "2", message: "c2" });
    await expect(create).rejects.toMatchObject({ status: 422, kind: "invalid" });
    const stale = alice.client.updateFile(alice.login, REPO, "c.md", {
      content: "3",
      sha: "0".repeat(40),
      message: "c3",
    });
    await expect(stale).rejects.toBeInstanceOf(GiteaError);
    expect((await alice.client.getFile(alice.login, REPO, "c.md"))?.content).toBe("1");
  });

  it("writeFile creates, updates, and is a no-op when retried with the same content", async () => {
    const write = (content: string, expectedSha?: string | null) =>
      writeFile(alice.client, alice.login, REPO, "w/retry.md", {
        content,
        message: `w ${content}`,
        expectedSha,
      });
    const first = await write("one", null);
    expect(first.changed).toBe(true);
    const again = await write("one");
    expect(again).toEqual({ changed: false, commitSha: first.commitSha, blobSha: first.blobSha });
    const second = await write("two", first.blobSha);
    expect(second.changed).toBe(true);
    await expect(write("three", first.blobSha)).rejects.toMatchObject({ status: 409, kind: "conflict" });
    const history = await alice.client.listCommits(alice.login, REPO, { path: "w/retry.md" });
    expect(history.map((c) => c.commit?.message?.trim())).toEqual(["w two", "w one"]);
  });

  it("keeps users apart: bob's token can neither read nor write alice's repo", async () => {
    const before = (await alice.client.listCommits(alice.login, REPO)).length;
    await expect(bob.client.getRepo(alice.login, REPO)).resolves.toBeNull();
    await expect(bob.client.getFile(alice.login, REPO, "notes/today.md")).resolves.toBeNull();
    await expect(bob.client.listCommits(alice.login, REPO)).rejects.toMatchObject({ status: 404 });
    const write = bob.client.createFile(alice.login, REPO, "evil.md", { content: "x", message: "evil" });
    await expect(write).rejects.toMatchObject({ status: 404, kind: "not_found" });
    const update = bob.client.updateFile(alice.login, REPO, "notes/today.md", {
      content: "x",
      sha: "x",
      message: "x",
    });
    await expect(update).rejects.toMatchObject({ status: 404 });
    expect((await alice.client.listCommits(alice.login, REPO)).length).toBe(before);
    await expect(
      cloneAndLog(`${gitea.url}/${alice.login}/${REPO}.git`, { username: bob.login, password: bob.token }),
    ).rejects.toThrow();
  });

  it("needs Basic auth with the password to mint tokens (a token is refused)", async () => {
    const withToken = alice.client.createToken(alice.login, { name: "sneaky", scopes: ["all"] });
    await expect(withToken).rejects.toMatchObject({ status: 401 });
    const asTokenBasic = gitea.admin.withAuth({ basic: { username: alice.login, password: alice.token } });
    await expect(
      asTokenBasic.createToken(alice.login, { name: "sneaky", scopes: ["all"] }),
    ).rejects.toBeInstanceOf(GiteaError);
    const bobBasic = gitea.admin.withAuth({ basic: { username: bob.login, password: bob.password } });
    await expect(bobBasic.createToken(alice.login, { name: "x", scopes: ["all"] })).rejects.toBeInstanceOf(
      GiteaError,
    );
  });

  it("refuses a token without the repository scope and admin calls by non-admins (403)", async () => {
    const basic = gitea.admin.withAuth({ basic: { username: alice.login, password: alice.password } });
    const readUser = await basic.createToken(alice.login, { name: "read-user-only", scopes: ["read:user"] });
    const limited = gitea.admin.withAuth({ token: readUser.sha1 ?? "" });
    await expect(limited.getFile(alice.login, REPO, "c.md")).rejects.toMatchObject({ status: 403 });
    await expect(
      alice.client.adminCreateUser({
        username: uniqueLogin("x"),
        email: "x@growqr.invalid",
        password: "p".repeat(12),
      }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it("validates paths and content before sending anything", async () => {
    let requests = 0;
    const counting = new GiteaClient({
      baseUrl: gitea.url,
      auth: { token: alice.token },
      fetch: (request) => {
        requests++;
        return fetch(request);
      },
    });
    const bad = ["../x.md", "/abs.md", ".git/config", "a\\b.md", "a\u0000b.md", "x".repeat(256)];
    for (const path of bad) {
      await expect(
        counting.createFile(alice.login, REPO, path, { content: "x", message: "x" }),
      ).rejects.toBeInstanceOf(MemoryPathError);
    }
    const big = counting.createFile(alice.login, REPO, "big.md", {
      content: "x".repeat(256 * 1024 + 1),
      message: "x",
    });
    await expect(big).rejects.toMatchObject({ status: 413, code: "content_too_large" });
    expect(requests).toBe(0);
  });
});
