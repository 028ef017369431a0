import { describe, expect, it } from "vitest";
import { connectAgent } from "../support/agent";
import { apiUrl, call, mintToken, uniqueUser } from "../support/api";

interface Commit {
  sha: string;
  message: string;
  author: string;
  authorKind: "user" | "agent";
}

async function user(prefix: string) {
  const username = uniqueUser(prefix);
  const token = await mintToken(username);
  const me = (await (await call("/api/me", token)).json()) as { id: string };
  // dev issuer: the display name is the username, capitalised.
  return { token, id: me.id, name: username.charAt(0).toUpperCase() + username.slice(1) };
}

const put = (token: string, path: string, content: string, message: string) =>
  call("/api/memory/file", token, { method: "PUT", body: JSON.stringify({ path, content, message }) });
const history = async (token: string, path: string) =>
  (
    (await (await call(`/api/memory/history?path=${encodeURIComponent(path)}`, token)).json()) as {
      items: Commit[];
    }
  ).items;
const atCommit = (token: string, path: string, sha: string) =>
  call(`/api/memory/commit?path=${encodeURIComponent(path)}&sha=${sha}`, token);
const restore = (token: string, path: string, sha: string, key?: string) =>
  call("/api/memory/restore", token, {
    method: "POST",
    body: JSON.stringify({ path, sha }),
    headers: key ? { "idempotency-key": key } : {},
  });

describe("Memory history: a commit's file and diff, restoring, authors", () => {
  it("shows a file at each commit with the content before it, and names the user as author", async () => {
    const alice = await user("hist");
    expect((await put(alice.token, "notes/plan.md", "one\ntwo\n", "First")).status).toBe(200);
    expect((await put(alice.token, "notes/plan.md", "one\n2\nthree\n", "Second")).status).toBe(200);
    // The same content again commits nothing and is not a change in the history.
    expect((await put(alice.token, "notes/plan.md", "one\n2\nthree\n", "Again")).status).toBe(200);
    const commits = await history(alice.token, "notes/plan.md");
    expect(commits.map((c) => c.message)).toEqual(["Second", "First"]);
    expect(commits.map((c) => [c.author, c.authorKind])).toEqual([
      [alice.name, "user"],
      [alice.name, "user"],
    ]);

    const [second, first] = commits as [Commit, Commit];
    const newer = await atCommit(alice.token, "notes/plan.md", second.sha);
    expect(newer.status).toBe(200);
    expect(await newer.json()).toMatchObject({
      sha: second.sha,
      content: "one\n2\nthree\n",
      previous: "one\ntwo\n",
      author: alice.name,
      message: "Second",
    });
    expect(await (await atCommit(alice.token, "notes/plan.md", first.sha)).json()).toMatchObject({
      content: "one\ntwo\n",
      previous: null,
    });
    // Another file's commit, an unknown one and a short SHA are not commits of this file.
    expect((await atCommit(alice.token, "notes/other.md", first.sha)).status).toBe(404);
    expect((await atCommit(alice.token, "notes/plan.md", "0".repeat(40))).status).toBe(404);
    expect((await atCommit(alice.token, "notes/plan.md", first.sha.slice(0, 7))).status).toBe(400);
  });

  it("restores an older version as a new commit by the user, once per Idempotency-Key", async () => {
    const alice = await user("restore");
    await put(alice.token, "notes/r.md", "old\n", "Old");
    await put(alice.token, "notes/r.md", "new\n", "New");
    const [, old] = (await history(alice.token, "notes/r.md")) as [Commit, Commit];

    const first = await restore(alice.token, "notes/r.md", old.sha, "restore-1");
    expect(first.status).toBe(200);
    const body = (await first.json()) as { status: string; writeId: string; commitSha: string };
    expect(body.status).toBe("committed");
    const again = (await (await restore(alice.token, "notes/r.md", old.sha, "restore-1")).json()) as {
      writeId: string;
    };
    expect(again.writeId).toBe(body.writeId);
    // A second restore to the content the file already has commits nothing either.
    expect((await restore(alice.token, "notes/r.md", old.sha)).status).toBe(200);

    const commits = await history(alice.token, "notes/r.md");
    expect(commits.map((c) => c.message)).toEqual([
      `Restore notes/r.md to ${old.sha.slice(0, 7)}`,
      "New",
      "Old",
    ]);
    expect(commits[0]).toMatchObject({ sha: body.commitSha, author: alice.name, authorKind: "user" });
    const file = (await (await call("/api/memory/file?path=notes/r.md", alice.token)).json()) as {
      content: string;
    };
    expect(file.content).toBe("old\n");
  });

  it("keeps users apart: another user's commit is 404, never restored", async () => {
    const [alice, bob] = [await user("ha"), await user("hb")];
    await put(alice.token, "private/diary.md", "secret", "Diary");
    const [commit] = (await history(alice.token, "private/diary.md")) as [Commit];
    expect((await atCommit(bob.token, "private/diary.md", commit.sha)).status).toBe(404);
    expect((await restore(bob.token, "private/diary.md", commit.sha)).status).toBe(404);
    expect(await history(bob.token, "private/diary.md")).toEqual([]);
    expect((await call(`/api/memory/commit?path=private/diary.md&sha=${commit.sha}`, undefined)).status).toBe(
      401,
    );
    expect((await restore(alice.token, "../x.md", commit.sha)).status).toBe(400);
  });

  it("names the Grow Agent as the author of what it remembered", async () => {
    const alice = await user("hagent");
    const agent = await connectAgent(apiUrl(), alice.id, alice.token);
    try {
      const thread = (await (
        await call("/api/threads", alice.token, { method: "POST", body: "{}" })
      ).json()) as {
        id: string;
      };
      await agent.conn.sendMessage(thread.id, "remember that tea is good");
      const events = await agent.until(thread.id);
      const path = events.find((e) => e.type === "tool.call")?.data.input.path as string;
      const [commit] = await history(alice.token, path);
      expect(commit).toMatchObject({ author: "Grow Agent", authorKind: "agent" });
    } finally {
      await agent.dispose();
    }
  });
});
