import { describe, expect, it } from "vitest";
import { connectAgent } from "../support/agent";
import { apiUrl, call, mintToken, uniqueUser } from "../support/api";

async function user(prefix: string) {
  const token = await mintToken(uniqueUser(prefix));
  const me = (await (await call("/api/me", token)).json()) as { id: string };
  return { token, id: me.id };
}

const put = (token: string, body: unknown, headers: Record<string, string> = {}) =>
  call("/api/memory/file", token, { method: "PUT", body: JSON.stringify(body), headers });

describe("Memory API", () => {
  it("writes, reads, lists and shows history over REST", async () => {
    const alice = await user("mem");
    const first = await put(alice.token, {
      path: "notes/trip.md",
      content: "# Trip\nLisbon",
      message: "Plan trip",
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ status: "committed", path: "notes/trip.md" });
    await put(alice.token, { path: "notes/trip.md", content: "# Trip\nLisbon, May", message: "Add month" });

    const file = await call(`/api/memory/file?path=${encodeURIComponent("notes/trip.md")}`, alice.token);
    expect(await file.json()).toMatchObject({ content: "# Trip\nLisbon, May" });
    const list = (await (await call("/api/memory?prefix=notes", alice.token)).json()) as { items: unknown[] };
    expect(list.items).toEqual([expect.objectContaining({ path: "notes/trip.md", type: "file" })]);
    const history = (await (await call("/api/memory/history?path=notes/trip.md", alice.token)).json()) as {
      items: Array<{ message: string }>;
    };
    expect(history.items.map((c) => c.message)).toEqual(["Add month", "Plan trip"]);
    expect((await call("/api/memory/file?path=notes/none.md", alice.token)).status).toBe(404);
  });

  it("counts a retried request with the same Idempotency-Key once", async () => {
    const alice = await user("idem");
    const body = { path: "notes/once.md", content: "once", message: "Once" };
    const [a, b] = [
      await put(alice.token, body, { "idempotency-key": "k1" }),
      await put(alice.token, body, { "idempotency-key": "k1" }),
    ];
    const writeId = async (r: Response) => ((await r.json()) as { writeId: string }).writeId;
    expect(await writeId(a)).toBe(await writeId(b));
    const history = (await (await call("/api/memory/history?path=notes/once.md", alice.token)).json()) as {
      items: unknown[];
    };
    expect(history.items).toHaveLength(1);
  });

  it("keeps users apart: nobody reads or lists another user's memory", async () => {
    const [alice, bob] = [await user("a"), await user("b")];
    await put(alice.token, { path: "private/diary.md", content: "secret", message: "Diary" });
    expect((await call("/api/memory/file?path=private/diary.md", bob.token)).status).toBe(404);
    const bobs = (await (await call("/api/memory?prefix=", bob.token)).json()) as {
      items: Array<{ path: string }>;
    };
    expect(bobs.items.some((e) => e.path === "private")).toBe(false);
    expect((await call("/api/memory?prefix=", undefined)).status).toBe(401);
  });

  it("refuses bad paths and oversized content with a clear 4xx, writing nothing", async () => {
    const alice = await user("bad");
    for (const path of [
      "../escape.md",
      "/abs.md",
      ".git/config",
      "a\\b.md",
      "x\u0000.md",
      `${"p".repeat(256)}`,
    ]) {
      const response = await put(alice.token, { path, content: "x" });
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toMatch(/path|invalid/);
    }
    const big = await put(alice.token, { path: "big.md", content: "x".repeat(256 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe("content_too_large");
    // Up to the limit is fine, newlines (escaped in JSON) included.
    const largest = await put(alice.token, {
      path: "notes/large.md",
      content: "line\n".repeat((256 * 1024) / 5),
    });
    expect(largest.status).toBe(200);
    const root = (await (await call("/api/memory?prefix=", alice.token)).json()) as {
      items: Array<{ path: string }>;
    };
    expect(root.items.map((e) => e.path).sort()).toEqual(["README.md", "notes", "system"]);
  });

  it("refuses with 400 every path git would refuse or treat specially, storing nothing", async () => {
    const alice = await user("gitpath");
    for (const path of [
      ".git./x",
      ".GIT /x",
      "git~1/config",
      ".g\u200cit/x",
      "notes/.gitmodules",
      ".gitattributes",
      ".github/workflows/run.yml",
      "a:b.md",
      "notes./a.md",
    ]) {
      const response = await put(alice.token, { path, content: "x" });
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code, path).toMatch(
        /^(invalid_path|forbidden_path)$/,
      );
    }
    // Nothing was stored, so nothing is waiting or failed, and the next write is not held back.
    expect((await put(alice.token, { path: "notes/ok.md", content: "ok" })).status).toBe(200);
    const failed = (await (await call("/api/memory/writes?status=failed", alice.token)).json()) as {
      items: unknown[];
    };
    expect(failed.items).toEqual([]);
  });

  it("answers 422 idempotency_key_reused for a reused Idempotency-Key with another write; the same write replays", async () => {
    const alice = await user("reuse");
    const body = { path: "notes/k.md", content: "first", message: "First" };
    const first = await put(alice.token, body, { "idempotency-key": "key-1" });
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    for (const other of [
      { ...body, content: "second" },
      { ...body, path: "notes/other.md" },
      { ...body, message: "Second" },
    ]) {
      const reused = await put(alice.token, other, { "idempotency-key": "key-1" });
      expect(reused.status).toBe(422);
      expect(((await reused.json()) as { error: { code: string } }).error.code).toBe(
        "idempotency_key_reused",
      );
    }
    const replay = await put(alice.token, body, { "idempotency-key": "key-1" });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual(firstBody);
    const file = (await (await call("/api/memory/file?path=notes/k.md", alice.token)).json()) as {
      content: string;
    };
    expect(file.content).toBe("first");
    expect((await call("/api/memory/file?path=notes/other.md", alice.token)).status).toBe(404);
  });

  it("a write git refuses for good is a 422, is listed with its reason, and does not hold back later writes", async () => {
    const [alice, bob] = [await user("refused"), await user("bystander")];
    expect((await put(alice.token, { path: "notes/a.md", content: "a" })).status).toBe(200);
    // "notes" is a directory now: Gitea will never take a file there.
    const refused = await put(alice.token, { path: "notes", content: "x", message: "Into a directory" });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("memory_write_failed");
    const next = await put(alice.token, { path: "notes/b.md", content: "b" });
    expect(next.status).toBe(200);
    expect(await next.json()).toMatchObject({ status: "committed" });

    const failed = (await (await call("/api/memory/writes?status=failed", alice.token)).json()) as {
      items: Array<{ path: string; message: string; reason: string; error: string; attempts: number }>;
    };
    expect(failed.items).toEqual([
      expect.objectContaining({
        path: "notes",
        message: "Into a directory",
        reason: "rejected",
        attempts: 1,
      }),
    ]);
    expect(failed.items[0]?.error).toMatch(/422/);
    const bobs = (await (await call("/api/memory/writes", bob.token)).json()) as { items: unknown[] };
    expect(bobs.items).toEqual([]);
    expect((await call("/api/memory/writes", undefined)).status).toBe(401);
  });

  it("a commit_memory write git refuses is an error for the model, and the thread is told with the reason", async () => {
    const alice = await user("agentfail");
    // dev/model saves "remember that I like tea" to notes/that-i-like-tea.md: make that path a folder first.
    expect((await put(alice.token, { path: "notes/that-i-like-tea.md/x.md", content: "x" })).status).toBe(
      200,
    );
    const agent = await connectAgent(apiUrl(), alice.id, alice.token);
    try {
      const thread = (await (
        await call("/api/threads", alice.token, { method: "POST", body: "{}" })
      ).json()) as { id: string };
      await agent.conn.sendMessage(thread.id, "remember that I like tea");
      const events = await agent.until(thread.id);
      const result = events.find((e) => e.type === "tool.result" && e.data.name === "commit_memory");
      expect(result?.data.isError).toBe(true);
      expect(result?.data.content).toMatch(/refused \(rejected\)/);
      const notice = events.find((e) => e.type === "memory.write_failed");
      expect(notice?.data).toMatchObject({ path: "notes/that-i-like-tea.md", reason: "rejected" });
      // Also in the thread's stored log (shipped to Postgres just after), not only on the live connection.
      const storedTypes = async () =>
        (
          (await (await call(`/api/threads/${thread.id}/events`, alice.token)).json()) as {
            items: Array<{ type: string }>;
          }
        ).items.map((e) => e.type);
      for (let i = 0; i < 50 && !(await storedTypes()).includes("memory.write_failed"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await storedTypes()).toContain("memory.write_failed");
    } finally {
      await agent.dispose();
    }
    const failed = (await (await call("/api/memory/writes", alice.token)).json()) as {
      items: Array<{ path: string }>;
    };
    expect(failed.items.map((w) => w.path)).toEqual(["notes/that-i-like-tea.md"]);
  });

  it("the Grow Agent remembers through commit_memory, and the file is in the repository", async () => {
    const alice = await user("agent");
    const agent = await connectAgent(apiUrl(), alice.id, alice.token);
    try {
      const thread = (await (
        await call("/api/threads", alice.token, { method: "POST", body: "{}" })
      ).json()) as {
        id: string;
      };
      await agent.conn.sendMessage(thread.id, "remember that my favourite editor is Helix");
      const events = await agent.until(thread.id);
      const call_ = events.find((e) => e.type === "tool.call");
      expect(call_?.data.name).toBe("commit_memory");
      const result = events.find((e) => e.type === "tool.result");
      expect(result?.data.isError).toBe(false);
      expect(JSON.parse(result?.data.content).status).toBe("committed");
      const path = call_?.data.input.path as string;
      const file = (await (
        await call(`/api/memory/file?path=${encodeURIComponent(path)}`, alice.token)
      ).json()) as {
        content: string;
      };
      expect(file.content).toContain("Helix");
    } finally {
      await agent.dispose();
    }
  });
});
